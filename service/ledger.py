"""The task ledger: every task and target row, filtered by owner, place, document, group and words,
counted by facet, paged, and exported as CSV or an Excel workbook.

It reads the index's ledger table (indexer.ledger) and embeds nothing: a
filter is a mask over the rows, a facet a bincount, a page a few passages
read from disk. Names are matched through their canonical form
(indexer.names), so 区发改委, 发改委 and 发展和改革委员会 are one department.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from indexer.engines import SearchEngine
from indexer.names import Names
from indexer.passage import Passage

FACET_LIMIT = 100
EXPORT_LIMIT = 100_000
# field of TaskFilters → (ledger field, what it is called in a message)
_NAMED = {
    "department": ("department", "责任单位"),
    "lead_department": ("lead", "牵头单位"),
    "leader": ("leader", "分管领导"),
    "area": ("area", "板块"),
}
_GENERIC = re.compile(r"^(各|相关|有关|其他|全体)|^(单位|部门|板块|领导|成员单位)$")
COLUMNS = ("文件", "序号", "分组", "工作任务", "★牵头单位", "责任单位", "板块", "分管领导", "出处", "完成时限")
_WIDTHS = (28, 8, 30, 70, 18, 30, 16, 12, 40, 14)


class ExportTooLarge(ValueError):
    """More rows than one export may hold."""


@dataclass(frozen=True)
class TaskFilters:
    department: str | None = None
    lead_department: str | None = None
    leader: str | None = None
    area: str | None = None
    district: str | None = None
    year: int | None = None
    doc_id: str | None = None
    section: str | None = None
    q: str | None = None

    def given(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) not in (None, "", 0)}


FILTER_NAMES = tuple(f.name for f in fields(TaskFilters))


@dataclass
class TaskSelection:
    rows: np.ndarray  # ledger rows that match, in document order
    filters: dict[str, Any]  # the filters as applied (canonical names)
    facets: dict[str, list[dict[str, Any]]]
    message: str | None
    suggestions: dict[str, list[str]]

    @property
    def total(self) -> int:
        return len(self.rows)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


class Ledger:
    def __init__(self, index: SearchEngine, names: Names | None = None) -> None:
        self.index = index
        self.table = index.ledger
        self.names = names or Names.default()
        self._code = {name: {v: i for i, v in enumerate(values)} for name, values in self.table.vocab.items()}
        rows = self.table.rows
        self.doc_ids = list(index.rows.vocab["doc_id"])
        self._doc = index.rows.codes["doc_id"][rows]
        self._district = index.rows.codes["district"][rows]
        docs = {d.doc_id: d for d in index.documents}
        doc_year = np.array([(docs[d].year if d in docs and docs[d].year else 0) for d in self.doc_ids], dtype=np.int32)
        self._year = doc_year[self._doc] if len(self.doc_ids) else np.zeros(0, dtype=np.int32)
        self._sections = [_squash(s) for s in self.table.sections]
        self.documents = docs
        self._forms: list[tuple[str, str, str]] | None = None
        self._parts: list[str] | None = None

    # -- selecting ---------------------------------------------------------------------------
    def select(self, filters: TaskFilters, facets: bool = True, rows: str | None = None) -> TaskSelection:
        """The rows matching every filter; `rows` = "targets" or "tasks" keeps only those (for answers)."""
        mask = np.ones(len(self.table), dtype=bool)
        if rows == "targets":
            mask &= self.table.target
        elif rows == "tasks":
            mask &= ~self.table.target
        applied: dict[str, Any] = {}
        missing: list[str] = []
        suggestions: dict[str, list[str]] = {}
        for key, (name, label) in _NAMED.items():
            wanted = getattr(filters, key)
            if not wanted:
                continue
            canonical = self.names.key(wanted)
            applied[key] = canonical
            code = self._code[name].get(canonical)
            if code is None:
                mask[:] = False
                missing.append(f"没有{label}为“{wanted}”的任务")
                suggestions[key] = self.names.suggest(wanted, self.table.vocab[name])
            else:
                mask &= self.table.having(name, code)
        if filters.district:
            district = filters.district.strip()
            vocab = self.index.rows.vocab["district"]
            found = (
                district
                if district in vocab
                else next((d for d in vocab if d and (d.startswith(district) or district.startswith(d))), None)
            )
            applied["district"] = found or district
            if found is None:
                mask[:] = False
                missing.append(f"索引中没有“{district}”的文件")
                suggestions["district"] = [d for d in vocab if d]
            else:
                mask &= self._district == vocab.index(found)
        if filters.year:
            applied["year"] = filters.year
            mask &= self._year == filters.year
        if filters.doc_id:
            applied["doc_id"] = filters.doc_id
            if filters.doc_id in self.doc_ids:
                mask &= self._doc == self.doc_ids.index(filters.doc_id)
            else:
                mask[:] = False
                missing.append(f"索引中没有编号为“{filters.doc_id}”的文件")
        if filters.section:
            wanted = _squash(filters.section)
            applied["section"] = filters.section.strip()
            codes = [i for i, s in enumerate(self._sections) if wanted in s]
            if not codes:
                missing.append(f"没有名为“{filters.section.strip()}”的分组")
                suggestions["section"] = self.names.suggest(wanted, sorted({part for s in self.table.sections for part in s.split(" › ")}))
            mask &= np.isin(self.table.section, codes)
        if filters.q:
            applied["q"] = filters.q.strip()
            for word in filters.q.split():
                mask &= self.table.containing(unicodedata.normalize("NFKC", word))
        rows = np.flatnonzero(mask)
        message = "；".join(missing) + "。" if missing else None
        if message and any(suggestions.values()):
            message += "相近的有：" + "；".join("、".join(v) for v in suggestions.values() if v)
        return TaskSelection(rows, applied, self.facets(mask) if facets else {}, message, {k: v for k, v in suggestions.items() if v})

    def facets(self, mask: np.ndarray) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for key, name in (("lead_departments", "lead"), ("departments", "department"), ("leaders", "leader"), ("areas", "area")):
            counts = self.table.counts(name, mask)
            out[key] = self._top(counts, self.table.vocab[name])
        counts = np.bincount(self._doc[mask], minlength=len(self.doc_ids))
        docs = []
        for entry in self._top(counts, self.doc_ids):
            doc = self.documents.get(entry["value"])
            docs.append(
                {
                    **entry,
                    "label": doc.title if doc else entry["value"],
                    "district": doc.district if doc else "",
                    "year": doc.year if doc else None,
                }
            )
        out["documents"] = docs
        return out

    @staticmethod
    def _top(counts: np.ndarray, vocab: list[str]) -> list[dict[str, Any]]:
        nonzero = np.flatnonzero(counts)
        # most tasks first; ties in the order the names first appear in the index
        order = nonzero[np.lexsort((nonzero, -counts[nonzero]))][:FACET_LIMIT]
        return [{"value": vocab[i], "count": int(counts[i])} for i in order]

    # -- names in a question -----------------------------------------------------------------
    def mentions(self, text: str) -> list[tuple[str, str]]:
        """(field, canonical name) of the departments, leaders and areas a question names, in the order
        they appear; the longest name wins where two overlap ("东太湖度假区" over "度假区")."""
        if self._forms is None:
            forms: list[tuple[str, str, str]] = []
            for name in ("leader", "area", "department"):
                for canonical in self.table.vocab[name]:
                    if _GENERIC.match(canonical):
                        continue  # "单位", "各部门": words of a question, not a name in it
                    for form in self.names.forms(canonical):
                        if len(form) >= 2:
                            forms.append((form, name, canonical))
            forms.sort(key=lambda f: -len(f[0]))
            self._forms = forms
        squashed = _squash(text)
        taken = [False] * len(squashed)
        found: list[tuple[int, str, str]] = []
        for form, name, canonical in self._forms:
            start = squashed.find(form)
            while start >= 0:
                if not any(taken[start : start + len(form)]):
                    taken[start : start + len(form)] = [True] * len(form)
                    if all(c != canonical or n != name for _, n, c in found):
                        found.append((start, name, canonical))
                start = squashed.find(form, start + 1)
        return [(name, canonical) for _, name, canonical in sorted(found)]

    def section_named(self, text: str) -> str | None:
        """A group heading the question names (quoted, or the words of a heading of the index)."""
        quoted = re.findall(r"[“「\"『]([^”」\"』]{2,40})[”」\"』]", text)
        squashed = _squash(text)
        best = None
        for part in self._heading_parts():
            if part in squashed and (best is None or len(part) > len(best)):
                best = part
        for q in quoted:
            key = _squash(q)
            if any(key in s for s in self._sections):
                return key
        return best

    def _heading_parts(self) -> list[str]:
        if self._parts is None:
            parts: set[str] = set()
            # A target row's own heading is its indicator ("地区生产总值"), not a group of tasks.
            target_sections = set(self.table.section[self.table.target].tolist())
            for code, path in enumerate(self.table.sections):
                if code in target_sections:
                    continue
                for part in path.split(" › "):
                    bare = _squash(
                        re.sub(r"^\s*(?:[（(]?[一二三四五六七八九十\d]+[)）、.．]|第[一二三四五六七八九十]+[部分章节]?)\s*", "", part)
                    )
                    for piece in (bare, re.split(r"[，,]", bare)[0]):
                        if len(piece) >= 4 and "目标" not in piece and piece not in ("工作任务", "主要任务", "重点任务", "工作任务分解"):
                            parts.add(piece)
            self._parts = sorted(parts)
        return self._parts

    # -- reading -----------------------------------------------------------------------------
    def passages(self, rows: np.ndarray) -> list[Passage]:
        return [Passage.from_record(r) for r in self.index.by_row.records(self.table.rows[rows])]

    def page(self, selection: TaskSelection, page: int, size: int) -> list[Passage]:
        start = (page - 1) * size
        return self.passages(selection.rows[start : start + size])

    def response(self, selection: TaskSelection, page: int, size: int) -> dict[str, Any]:
        body: dict[str, Any] = {
            "total": selection.total,
            "page": page,
            "size": size,
            "filters": selection.filters,
            "facets": selection.facets,
            "tasks": [p.public() for p in self.page(selection, page, size)],
        }
        if selection.message:
            body["message"] = selection.message
            body["suggestions"] = selection.suggestions
        return body

    # -- export ------------------------------------------------------------------------------
    def export_rows(self, selection: TaskSelection):
        """One list of cells per task, in COLUMNS order, read straight from the stored records."""
        for r in self.index.by_row.records(self.table.rows[selection.rows]):
            yield [
                r["title"],
                r["task_no"] or "",
                " › ".join(r["section"]),
                r["text"],
                "、".join(r["lead_departments"]),
                "、".join(r["departments"]),
                "、".join(r["areas"]),
                "、".join(r["leaders"]),
                r["citation"],
                r.get("deadline") or "",
            ]

    def export(self, selection: TaskSelection, fmt: str) -> tuple[bytes, str]:
        """The selection as a file ("csv" or "xlsx") and its name ("任务台账 吴中区 2023年.xlsx"), for
        the HTTP export and `govqa tasks` alike; more than EXPORT_LIMIT rows raises ExportTooLarge."""
        if selection.total > EXPORT_LIMIT:
            raise ExportTooLarge(f"筛选出 {selection.total} 项任务，超过一次导出的上限 {EXPORT_LIMIT} 项：请加筛选条件")
        name = "任务台账" + (" " + describe(selection.filters) if selection.filters else "")
        data = self.to_csv(selection) if fmt == "csv" else self.to_xlsx(selection, name)
        return data, f"{name}.{fmt}"

    def to_csv(self, selection: TaskSelection) -> bytes:
        """UTF-8 with a byte-order mark: Excel then opens the Chinese correctly."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(COLUMNS)
        writer.writerows(self.export_rows(selection))
        return buffer.getvalue().encode("utf-8-sig")

    def to_xlsx(self, selection: TaskSelection, title: str) -> bytes:
        """A real workbook: bold frozen header, an autofilter, column widths, one row per task."""
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter

        book = Workbook(write_only=True)
        sheet = book.create_sheet("任务台账")
        for i, width in enumerate(_WIDTHS, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{selection.total + 1}"
        bold, middle = Font(bold=True), Alignment(vertical="center")
        header = []
        for name in COLUMNS:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font, cell.alignment = bold, middle
            header.append(cell)
        sheet.append(header)
        for row in self.export_rows(selection):
            sheet.append(row)
        book.properties.title = title
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()


def describe(filters: dict[str, Any]) -> str:
    """The active filters in words, for a file name or a printed title: "吴中区 2023年 教育局"."""
    parts = []
    for key in FILTER_NAMES:
        if key in filters:
            value = filters[key]
            parts.append(f"{value}年" if key == "year" else str(value))
    return " ".join(parts)
