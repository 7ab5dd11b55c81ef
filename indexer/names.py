"""One name per department, leader and area, however a document or a person writes it.

Reports write the same office several ways (区发改委, 发改委, 发展和改革委员会;
吴中公安分局, 公安分局; 财政局（国资办）) and names come with stray spaces
("李 烨"). The ledger counts and filters by the canonical name, so that
"教育局牵头哪些任务" finds every row whichever form the document used. The
aliases are data (`indexer/data/aliases.txt`), so a deployment adds its own;
the rules here only strip what never tells two offices apart: blanks, a
bracketed aside, the district-level prefix (区, 县, the district's own name).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache
from importlib import resources

from .data import places

MEMO_LIMIT = 100_000
_BLANKS = re.compile(r"\s+")
_ASIDE = re.compile(r"[(（\[【][^()（）\[\]【】]*[)）\]】]")
# What an office's name ends with; a prefix is stripped only in front of one of these,
# so "区级各预算单位" or "吴江开发区" keep their first characters.
_OFFICE = re.compile(r"^[\u4e00-\u9fff]{2,}(局|委|办|部|中心|分局|集团|公司|大队|支队|所|站|馆|院|会|社)$")


def _places() -> tuple[str, ...]:
    names = places()
    # "吴中区" and its short form "吴中", longest first so the full name is stripped whole.
    short = [n[:-1] for n in names if len(n) == 3]
    return tuple(sorted(set(names) | set(short), key=len, reverse=True))


def _clean(name: str) -> str:
    name = unicodedata.normalize("NFKC", _BLANKS.sub("", name or ""))
    bare = _ASIDE.sub("", name)
    return bare or name


class Names:
    """Canonical names: `key(name)` for matching, `display(key)` for showing."""

    def __init__(self, alias_text: str, places: tuple[str, ...]) -> None:
        self._places = places
        self._memo: dict[str, str] = {}
        self._canonical: dict[str, str] = {}
        self._forms: dict[str, list[str]] = {}
        for line in alias_text.splitlines():
            words = line.split()
            if not words or words[0].startswith("#"):
                continue
            canonical = _clean(words[0])
            for word in words:
                self._canonical.setdefault(self._strip(_clean(word)), canonical)
                self._forms.setdefault(canonical, []).append(_clean(word))

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> Names:
        return cls(resources.files("indexer.data").joinpath("aliases.txt").read_text(encoding="utf-8"), _places())

    def _strip(self, name: str) -> str:
        """Drop a district-level prefix in front of an office's name: 区发改委 → 发改委, 吴中公安分局 → 公安分局."""
        for prefix in (*self._places, "区", "县"):
            if name.startswith(prefix):
                rest = name[len(prefix) :]
                if rest in self._canonical or (_OFFICE.match(rest) and not rest.startswith(("委", "级", "属", "各"))):
                    return rest
                break
        return name

    def key(self, name: str) -> str:
        """The canonical name of a department, leader or area ("" for nothing)."""
        found = self._memo.get(name)
        if found is None:
            if len(self._memo) >= MEMO_LIMIT:  # filter values typed by users must not grow it without bound
                self._memo.clear()
            found = self._memo[name] = self._key(name)
        return found

    def _key(self, name: str) -> str:
        bare = self._strip(_clean(name))
        if bare in self._canonical:
            return self._canonical[bare]
        if bare.endswith("分局") and bare[:-2] + "局" in self._canonical:
            return self._canonical[bare[:-2] + "局"]
        return bare

    def forms(self, canonical: str) -> list[str]:
        """The ways the aliases file writes one canonical name (the name itself first)."""
        return [canonical, *(f for f in self._forms.get(canonical, []) if f != canonical)]

    def suggest(self, wanted: str, known: list[str], n: int = 5) -> list[str]:
        """The known names nearest to one that matched nothing: those containing it (or contained
        in it) first, then those that look alike."""
        key = self.key(wanted)
        near = [k for k in known if key and (key in k or k in key)]
        near.sort(key=lambda k: (abs(len(k) - len(key)), k))
        alike = difflib.get_close_matches(key, known, n=n, cutoff=0.4)
        out: list[str] = []
        for name in near + alike:
            if name not in out:
                out.append(name)
        return out[:n]
