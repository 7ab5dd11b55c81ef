"""The one passage type that the indexer writes, the service serves and eval scores.

A passage is a clause-level unit of a report (one numbered task, one target
row, one glossary entry or a few sentences under a heading) together with the
structure that makes it answerable: where it sits in the document and who owns
it. Frozen, so a passage read from the index is the passage that was written.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

_YEAR_IN_HEADING = re.compile(r"(20\d{2})\s*年")

# What a passage is inside its document.
ROLE_TASK = "task"  # a numbered task row of a task table
ROLE_TARGET = "target"  # a 主要预期目标 row
ROLE_PARAGRAPH = "paragraph"  # a few sentences of running text under a heading
ROLE_GLOSSARY = "glossary"  # one 名词解释 entry

# What kind of document it comes from.
KIND_TASK_TABLE = "task_table"  # 任务表: tasks in a table
KIND_TASK_LIST = "task_list"  # 列表式分解方案: numbered items, each with its 责任单位 line
KIND_WORK_REPORT = "work_report"  # 工作报告: running text
KIND_NAMES = {KIND_TASK_TABLE: "任务表", KIND_TASK_LIST: "列表式分解方案", KIND_WORK_REPORT: "工作报告"}


@dataclass(frozen=True, slots=True)
class Passage:
    id: str
    doc_id: str
    title: str
    district: str
    year: int | None
    kind: str
    role: str
    section: tuple[str, ...]
    task_no: str | None
    citation: str
    text: str
    lead_departments: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    leaders: tuple[str, ...] = ()
    deadline: str | None = None  # the document's own words for when the task is due
    ocr_confidence: float | None = None  # read from a scan: the OCR's mean confidence; None for a text layer

    def public(self) -> dict[str, Any]:
        """The contract's Hit shape without `score` (what `govqa passages` prints)."""
        return {
            "id": self.id,
            "doc_id": self.doc_id,
            "title": self.title,
            "district": self.district,
            "year": self.year,
            "section": list(self.section),
            "task_no": self.task_no,
            "citation": self.citation,
            "text": self.text,
            "departments": list(self.departments),
            "lead_departments": list(self.lead_departments),
            "areas": list(self.areas),
            "leaders": list(self.leaders),
            "deadline": self.deadline,
            "ocr_confidence": self.ocr_confidence,
        }

    def to_record(self) -> dict[str, Any]:
        """Everything, for the index's passages file."""
        record = asdict(self)
        for key in ("section", "lead_departments", "departments", "areas", "leaders"):
            record[key] = list(record[key])
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Passage:
        data = dict(record)
        for key in ("section", "lead_departments", "departments", "areas", "leaders"):
            data[key] = tuple(data.get(key) or ())
        return cls(**data)

    def subject_year(self) -> int | None:
        """The year the passage is about: a year in its headings ("一、2022年工作总结" in a
        2023 report), else its document's year."""
        for heading in self.section:
            m = _YEAR_IN_HEADING.search(heading)
            if m:
                return int(m.group(1))
        return self.year

    def search_text(self) -> str:
        """Text that the embedder and the keyword index see.

        The heading path, task label and owners ride along with the clause so
        that a question naming a department, a leader or a section still finds
        a passage whose own sentence does not mention them.
        """
        parts = [f"{self.district}{self.year or ''}年 " + " ".join(self.section)]
        if self.task_no:
            parts.append(self.task_no)
        parts.append(self.text)
        if self.departments:
            parts.append("牵头单位 " + " ".join(self.lead_departments or self.departments[:1]))
            parts.append("责任单位 " + " ".join(self.departments))
        if self.areas:
            parts.append("责任板块 " + " ".join(self.areas))
        if self.leaders:
            parts.append("分管领导 " + " ".join(self.leaders))
        if self.deadline:
            parts.append("完成时限 " + self.deadline)
        return "\n".join(parts)


@dataclass(frozen=True, slots=True)
class Hit:
    passage: Passage
    score: float

    def public(self) -> dict[str, Any]:
        return {**self.passage.public(), "score": round(float(self.score), 6)}


@dataclass(frozen=True, slots=True)
class Document:
    """One indexed report and what the indexer learnt about it."""

    doc_id: str
    title: str
    district: str
    year: int | None
    kind: str
    source: str
    sha256: str
    encoding: str
    passages: int
    roles: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    # What was understood: tasks and targets, and how many of them carry each field.
    understood: dict[str, int] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        data = asdict(self)
        data["notes"] = list(self.notes)
        data["kind_name"] = KIND_NAMES.get(self.kind, self.kind)
        return data

    def describe(self) -> str:
        """One line of what was understood: "任务表：任务 26、目标 0；牵头单位 26，责任单位 26，分管领导 26，完成时限 26"."""
        u = self.understood
        line = f"{KIND_NAMES.get(self.kind, self.kind)}：{self.passages} 段"
        if u.get("tasks") or u.get("targets"):
            rows = u.get("tasks", 0) + u.get("targets", 0)
            line += (
                f"，任务 {u.get('tasks', 0)}、目标 {u.get('targets', 0)}（有编号 {u.get('numbered', 0)}）；"
                f"其中有牵头单位 {u.get('lead', 0)}/{rows}，责任单位 {u.get('departments', 0)}/{rows}，"
                f"分管领导 {u.get('leaders', 0)}/{rows}，完成时限 {u.get('deadline', 0)}/{rows}"
            )
        if u.get("glossary"):
            line += f"；名词解释 {u['glossary']} 条"
        return line

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Document:
        data = dict(record)
        data.pop("kind_name", None)
        data["notes"] = tuple(data.get("notes") or ())
        return cls(**data)
