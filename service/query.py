"""Filters a question carries in its own words: district, year, kind of document.

"吴中区2023年……" must not be answered from 吴江 or from 2025; "吴中 今年" means
the newest year indexed for 吴中. Districts are the ones the index knows
(with or without 区); a district the index does not know, named at the start
of the question, still filters (to nothing), so the answer can say so
instead of answering from a neighbour. Explicit request parameters override
what the question says; an empty district or year 0 switches a filter off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.data import places as load_places
from indexer.metadata import NOT_DISTRICTS
from indexer.passage import KIND_TASK_TABLE, KIND_WORK_REPORT, Document

_YEAR = re.compile(r"(?<![\d.])(20\d{2})(?!\d)\s*(?:年(?!度?[内底末初])|年度|(?![\d.%％个万亩套亿元人家条座户米吨千百项所张辆公顷平方]))")
_THIS_YEAR = re.compile(r"今年|本年度|本年")
_LAST_YEAR = re.compile(r"去年")
_LEADING_DISTRICT = re.compile(r"^(?:江苏省)?(?:[\u4e00-\u9fff]{2}市(?=[\u4e00-\u9fff]{2}[区县]))?([\u4e00-\u9fff]{2}[区县市])")
_KINDS = [
    (KIND_WORK_REPORT, re.compile(r"政府工作报告|工作报告|报告里|报告中")),
    (KIND_TASK_TABLE, re.compile(r"任务分解|分解方案|任务清单|分解落实方案")),
]
ANY = {"", "*", "全部", "all", "any"}
_DOCUMENT_AFTER = re.compile(r"\s*(年)?\s*[^，,。？?\s]{0,12}?(报告|方案|分工|清单)")


@dataclass
class ParsedQuery:
    text: str
    districts: list[str] | None = None
    year: int | None = None
    kind: str | None = None
    doc_id: str | None = None
    from_question: list[str] = field(default_factory=list)

    def filters(self) -> dict[str, object]:
        """The filters applied, as the response shows them."""
        out: dict[str, object] = {}
        if self.districts:
            out["district"] = self.districts[0] if len(self.districts) == 1 else self.districts
        if self.year is not None:
            out["year"] = self.year
        if self.kind:
            out["kind"] = self.kind
        if self.doc_id:
            out["doc_id"] = self.doc_id
        if self.from_question:
            out["from_question"] = list(self.from_question)
        return out

    def describe(self) -> str:
        parts = []
        if self.districts:
            parts.append("、".join(self.districts))
        if self.year is not None:
            parts.append(f"{self.year}年")
        if self.kind:
            parts.append({KIND_WORK_REPORT: "政府工作报告", KIND_TASK_TABLE: "任务分解方案"}.get(self.kind, self.kind))
        if self.doc_id:
            parts.append(f"文档 {self.doc_id}")
        return "".join(parts)


class QueryParser:
    def __init__(self, documents: list[Document], places: list[str] | None = None) -> None:
        self.districts = sorted({d.district for d in documents if d.district})
        self._aliases: dict[str, str] = {}
        for name in self.districts:
            self._aliases[name] = name
            short = name[:-1] if name[-1] in "区县市" and len(name) > 2 else name
            self._aliases.setdefault(short, name)
        self._newest: dict[str, int] = {}
        for d in documents:
            if d.year:
                self._newest[d.district] = max(self._newest.get(d.district, 0), d.year)
        self._newest_any = max(self._newest.values(), default=None)
        self._places = [p for p in (load_places() if places is None else places) if p not in self._aliases]

    def district_alias(self, name: str) -> str:
        return self._aliases.get(name.strip(), name.strip())

    def parse(
        self,
        text: str,
        district: str | None = None,
        year: int | None = None,
        doc_id: str | None = None,
        kind: str | None = None,
    ) -> ParsedQuery:
        query = ParsedQuery(text=text, doc_id=doc_id or None, kind=kind or None)
        if district is not None:
            query.districts = None if district.strip().lower() in ANY else [self.district_alias(district)]
        else:
            found = self._districts_in(text)
            if found:
                query.districts = found
                query.from_question.append("district")
        if year is not None:
            query.year = None if year == 0 else year
        else:
            query.year = self._year_in(text, query.districts)
            if query.year is not None:
                query.from_question.append("year")
        if kind is None:
            kinds = [k for k, pattern in _KINDS if pattern.search(text)]
            if len(kinds) == 1:
                query.kind = kinds[0]
                query.from_question.append("kind")
        return query

    def districts_named(self, text: str) -> list[str]:
        """Every district a text names, indexed or not ("姑苏区和吴中区"): for comparisons and follow-ups."""
        found = list(self._districts_in(text))
        for place in self._places:
            if place in text and place not in found:
                found.append(place)
        return found

    def _districts_in(self, text: str) -> list[str]:
        found: list[str] = []
        for alias in sorted(self._aliases, key=len, reverse=True):
            if alias in text and self._aliases[alias] not in found:
                found.append(self._aliases[alias])
        if found:
            return found
        # A place the index has no report for: named in full anywhere, or by its short
        # name at the start ("张家港 2022 …"); the filter then matches nothing, on purpose.
        start = text.strip()
        for place in self._places:
            short = place[:-1] if len(place) >= 3 and place[-1] in "区县市" else None
            if place in text or (short and start.startswith(short)):
                return [place]
        m = _LEADING_DISTRICT.match(start)
        if m and m.group(1) not in NOT_DISTRICTS and m.group(1)[-2:] not in NOT_DISTRICTS:
            return [m.group(1)]
        return []

    def _year_in(self, text: str, districts: list[str] | None) -> int | None:
        """The year asked about. Where the question names the report's year and another
        ("2023年政府工作报告中，2022年的…"), the other one: a review counts for the year it reviews."""
        found = list(_YEAR.finditer(text))
        if found:
            about = [m for m in found if not _DOCUMENT_AFTER.match(text, m.end())]
            return int((about or found)[0].group(1))
        newest = max((self._newest.get(d, 0) for d in districts or []), default=0) or self._newest_any
        if newest and _THIS_YEAR.search(text):
            return newest
        if newest and _LAST_YEAR.search(text):
            return newest - 1
        return None

