"""The task ledger's table: every task and target row of an index, with its owners as codes.

Written with each build (ledger.npz, ledger.json, ledger_text.bin) so that the
service filters and counts tasks with array operations and never parses the
passages file: a department, leader or area filter is a lookup of the
canonical name (indexer.names) and a mask over the rows; a facet is a
bincount; words in the task text are found in one file of task texts
(mapped, not loaded), so a ledger of a million passages costs a few arrays.

Multi-valued fields (a row has several departments) are kept in CSR form:
`values[ptr[i]:ptr[i+1]]` are row i's codes into the field's vocabulary.
"""

from __future__ import annotations

import json
import mmap
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .names import Names
from .passage import ROLE_TARGET, ROLE_TASK, Passage

LEDGER_ROLES = (ROLE_TASK, ROLE_TARGET)
# Where a place (板块, town, park) is named in the departments column, it is an area too.
_PLACE = re.compile(r"(镇|街道|乡|度假区|高新区|开发区|经开区|新城|园区|新区|板块|区镇|社区)$")
MULTI = ("lead", "department", "leader", "area")
_SEP = b"\x00"


def _row_values(p: Passage, names: Names) -> dict[str, list[str]]:
    def keys(values) -> list[str]:
        out: list[str] = []
        for v in values:
            k = names.key(v)
            if k and k not in out:
                out.append(k)
        return out

    departments = keys([*p.lead_departments, *p.departments])
    areas = keys([*p.areas, *(d for d in p.departments if _PLACE.search(names.key(d)))])
    return {"lead": keys(p.lead_departments), "department": departments, "leader": keys(p.leaders), "area": areas}


@dataclass
class LedgerTable:
    rows: np.ndarray  # passage row of each ledger row, ascending (= document order)
    section: np.ndarray  # code into sections, per ledger row
    sections: list[str]  # heading paths, joined with " › "
    vocab: dict[str, list[str]]  # field → canonical names
    ptr: dict[str, np.ndarray]
    values: dict[str, np.ndarray]
    text_offsets: np.ndarray  # byte offsets of each row's text in ledger_text.bin (n + 1)
    target: np.ndarray  # True for a target row (主要预期目标), False for a task
    _text: mmap.mmap | bytes | None = None
    _owners: dict[str, np.ndarray] = field(default_factory=dict)  # field → ledger row of each value

    def __len__(self) -> int:
        return len(self.rows)

    @classmethod
    def of(cls, passages: Sequence[Passage], names: Names | None = None) -> LedgerTable:
        """The table of the ledger rows among `passages`, their texts held in memory until saved."""
        names = names or Names.default()
        rows, section_codes, texts, targets = [], [], [], []
        sections: dict[str, int] = {}
        vocab: dict[str, dict[str, int]] = {f: {} for f in MULTI}
        lists: dict[str, list[list[int]]] = {f: [] for f in MULTI}
        for row, p in enumerate(passages):
            if p.role not in LEDGER_ROLES:
                continue
            rows.append(row)
            targets.append(p.role == ROLE_TARGET)
            path = " › ".join(p.section)
            section_codes.append(sections.setdefault(path, len(sections)))
            for name, found in _row_values(p, names).items():
                codes = vocab[name]
                lists[name].append([codes.setdefault(v, len(codes)) for v in found])
            texts.append(p.text.replace("\x00", " ").encode())
        ptr, values = {}, {}
        for name in MULTI:
            lengths = np.array([len(v) for v in lists[name]], dtype=np.int64)
            ptr[name] = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
            values[name] = np.array([c for v in lists[name] for c in v], dtype=np.int32)
        blob = _SEP.join(texts) + _SEP
        lengths = np.array([len(t) + 1 for t in texts], dtype=np.int64)
        return cls(
            rows=np.array(rows, dtype=np.int64),
            section=np.array(section_codes, dtype=np.int32),
            sections=list(sections),
            vocab={name: list(vocab[name]) for name in MULTI},
            ptr=ptr,
            values=values,
            text_offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
            target=np.array(targets, dtype=bool),
            _text=blob,
        )

    def save(self, path: Path) -> None:
        arrays = {"rows": self.rows, "section": self.section, "text_offsets": self.text_offsets, "target": self.target}
        for name in MULTI:
            arrays[f"{name}_ptr"], arrays[f"{name}_values"] = self.ptr[name], self.values[name]
        np.savez(path / "ledger.npz", **arrays)
        (path / "ledger.json").write_text(
            json.dumps({"sections": self.sections, "vocab": self.vocab}, ensure_ascii=False), encoding="utf-8"
        )
        (path / "ledger_text.bin").write_bytes(bytes(self._text or b""))

    @classmethod
    def load(cls, path: Path) -> LedgerTable:
        with np.load(path / "ledger.npz") as data:
            arrays = {name: data[name] for name in data.files}
        meta = json.loads((path / "ledger.json").read_text(encoding="utf-8"))
        text: mmap.mmap | bytes = b""
        with open(path / "ledger_text.bin", "rb") as fh:
            if fh.seek(0, 2):
                text = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        return cls(
            rows=arrays["rows"],
            section=arrays["section"],
            sections=meta["sections"],
            vocab=meta["vocab"],
            ptr={name: arrays[f"{name}_ptr"] for name in MULTI},
            values={name: arrays[f"{name}_values"] for name in MULTI},
            text_offsets=arrays["text_offsets"],
            target=arrays["target"],
            _text=text,
        )

    def lengths(self, name: str) -> np.ndarray:
        return np.diff(self.ptr[name])

    def having(self, name: str, code: int) -> np.ndarray:
        """Mask of the rows whose `name` field holds `code`."""
        if name not in self._owners:
            self._owners[name] = np.repeat(np.arange(len(self.rows), dtype=np.int64), self.lengths(name))
        mask = np.zeros(len(self.rows), dtype=bool)
        mask[self._owners[name][self.values[name] == code]] = True
        return mask

    def counts(self, name: str, mask: np.ndarray) -> np.ndarray:
        """How many of the masked rows hold each value of `name`."""
        picked = np.repeat(mask, self.lengths(name))
        return np.bincount(self.values[name][picked], minlength=len(self.vocab[name]))

    def containing(self, word: str) -> np.ndarray:
        """Mask of the rows whose text contains `word`."""
        mask = np.zeros(len(self.rows), dtype=bool)
        if not word or self._text is None:
            return mask
        starts = [m.start() for m in re.finditer(re.escape(word.encode()), self._text)]
        if starts:
            mask[np.searchsorted(self.text_offsets, np.array(starts), side="right") - 1] = True
        return mask
