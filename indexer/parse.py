"""One report file → its Document and its Passages.

The structure parsers (tables, narrative) find the units; this module gives
them what makes a passage citable: the document's title, district and year,
a task label, a citation that is unique in the document and an id that stays
the same when the same corpus is indexed again.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from .boilerplate import strip_boilerplate
from .headings import short_label
from .metadata import detect_district, detect_year, find_title_line, title_for
from .narrative import split_units
from .passage import (
    KIND_TASK_TABLE,
    KIND_WORK_REPORT,
    ROLE_GLOSSARY,
    ROLE_PARAGRAPH,
    ROLE_TARGET,
    ROLE_TASK,
    Document,
    Passage,
)
from .readers import Source, read_source
from .tables import find_tables, table_tasks
from .textnorm import cjk_count, clean_line

PARSER_VERSION = "1"
_DECLARED_COUNT = re.compile(r"共\s*(\d{1,4})\s*项")
_ISOLATED_CJK = re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff](?![\u4e00-\u9fff])")


@dataclass
class ParsedDocument:
    document: Document
    passages: list[Passage]
    plain: str  # the text's letters and digits only, for near-duplicate detection
    broken_rate: float  # share of Chinese characters standing alone: a sign of a damaged copy


@dataclass
class _Draft:
    role: str
    section: tuple[str, ...]
    text: str
    label: str | None = None  # task label for the citation, e.g. "(35)", "目标3", "第12项"
    task_no: str | None = None
    departments: tuple[str, ...] = ()
    lead_departments: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    leaders: tuple[str, ...] = ()
    term: str | None = None


def parse_file(path: Path) -> ParsedDocument:
    return parse_source(read_source(path))


def parse_source(source: Source) -> ParsedDocument:
    lines, _ = strip_boilerplate([line.rstrip("\r\n") for line in source.lines])
    tables = find_tables(lines)
    title_idx = find_title_line(lines, before=tables[0].start if tables else None)
    title_line = lines[title_idx] if title_idx is not None else None
    district = detect_district(lines)
    year = detect_year(lines, title_line)
    title = title_for(title_line, district, year, fallback=source.doc_id)
    kind = KIND_TASK_TABLE if tables else KIND_WORK_REPORT
    notes: list[str] = []

    drafts: list[_Draft] = []
    start = _body_start(lines, title_idx)
    cursor = start
    for table in tables:
        drafts += _narrative(lines[cursor : table.start], title_idx, cursor)
        drafts += _table_drafts(table, notes, "\n".join(lines))
        cursor = table.end
    drafts += _narrative(lines[cursor:], title_idx, cursor)
    if not drafts:
        notes.append("没有解析出任何段落")

    passages = _finish(drafts, source.doc_id, title, district, year, kind)
    roles = Counter(p.role for p in passages)
    document = Document(
        doc_id=source.doc_id,
        title=title,
        district=district,
        year=year,
        kind=kind,
        source=source.path.name,
        sha256=source.sha256,
        encoding=source.encoding,
        passages=len(passages),
        roles=dict(sorted(roles.items())),
        notes=tuple(notes),
    )
    raw = "\n".join(lines)
    cjk = max(1, cjk_count(raw))
    return ParsedDocument(
        document=document,
        passages=passages,
        plain=re.sub(r"[^\u4e00-\u9fff0-9A-Za-z]", "", raw),
        broken_rate=len(_ISOLATED_CJK.findall(raw.replace("\t", " "))) / cjk,
    )


def _body_start(lines: list[str], title_idx: int | None) -> int:
    """Skip the masthead: up to the salutation ("各位代表：", "各镇人民政府……：") or, lacking one, the title line.

    Only the opening lines count, and only before the first full sentence:
    a colon later on ("重点做好七方面工作:") introduces content.
    """
    seen = 0
    for i, raw in enumerate(lines):
        line = clean_line(raw)
        if not line:
            continue
        seen += 1
        if seen > 15 or "\t" in raw or "。" in line or len(line) > 100:
            break
        if line.endswith(("：", ":")) and cjk_count(line) >= 2:
            return i + 1
    if title_idx is not None and title_idx < 15:
        return title_idx + 1
    return 0


def _narrative(lines: list[str], title_idx: int | None, offset: int) -> list[_Draft]:
    if title_idx is not None and 0 <= title_idx - offset < len(lines):
        lines = lines[: title_idx - offset] + lines[title_idx - offset + 1 :]
    drafts = []
    for unit in split_units(lines):
        if unit.role == "glossary":
            drafts.append(_Draft(ROLE_GLOSSARY, unit.section, unit.text, term=unit.term))
        else:
            drafts.append(_Draft(ROLE_PARAGRAPH, unit.section, unit.text))
    return drafts


def _table_drafts(table, notes: list[str], text: str) -> list[_Draft]:
    tasks = table_tasks(table)
    numbered = any(t.task_no is not None for t in tasks)
    drafts = []
    per_target_section: Counter = Counter()
    for count, task in enumerate(tasks, start=1):
        in_targets = any("目标" in h for h in task.section)
        role = ROLE_TARGET if in_targets and task.task_no is None else ROLE_TASK
        if task.task_no is not None:
            label = f"({task.task_no})"
        elif not numbered:
            label = f"第{count}项"  # the document counts its items (共N项) without printing numbers
        elif role == ROLE_TARGET:
            per_target_section[task.section[:-1]] += 1
            label = f"目标{task.seq or per_target_section[task.section[:-1]]}"
        else:
            label = None
        drafts.append(
            _Draft(
                role=role,
                section=task.section,
                text=task.text,
                label=label,
                task_no=label,
                departments=tuple(task.departments),
                lead_departments=tuple(task.lead_departments),
                areas=tuple(task.areas),
                leaders=tuple(task.leaders),
            )
        )
    declared = _DECLARED_COUNT.search(text)
    if declared and int(declared.group(1)) != len(tasks):
        notes.append(f"文件称共{declared.group(1)}项，解析出{len(tasks)}项")
    return drafts


def _finish(drafts: list[_Draft], doc_id: str, title: str, district: str, year: int | None, kind: str) -> list[Passage]:
    """Citations unique within the document, and ids derived from them."""
    local = _local_citations(drafts)
    passages = []
    for draft, cite in zip(drafts, local, strict=True):
        digest = hashlib.sha1(f"{doc_id}|{cite}".encode()).hexdigest()[:12]
        passages.append(
            Passage(
                id=f"{doc_id}-{digest}",
                doc_id=doc_id,
                title=title,
                district=district,
                year=year,
                kind=kind,
                role=draft.role,
                section=draft.section,
                task_no=draft.task_no,
                citation=f"{title} · {cite}",
                text=draft.text,
                lead_departments=draft.lead_departments,
                departments=draft.departments,
                areas=draft.areas,
                leaders=draft.leaders,
            )
        )
    return passages


def _local_citations(drafts: list[_Draft]) -> list[str]:
    """The part of each citation after the title.

    Tasks are cited by their own label; where a document uses a label twice
    (吴中 2023 numbers (1)-(8) under 打好三场硬仗 and again from （一）), the
    heading where the two places part is put in front of it.
    """
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, draft in enumerate(drafts):
        if draft.label:
            by_label[draft.label].append(i)
    cites: list[str] = [""] * len(drafts)
    for label, idxs in by_label.items():
        if len(idxs) == 1:
            cites[idxs[0]] = label
            continue
        sections = [drafts[i].section for i in idxs]
        for i in idxs:
            cites[i] = f"{_parting_heading(drafts[i].section, sections)} {label}".strip()
    paragraph_counts: Counter = Counter()
    for i, draft in enumerate(drafts):
        if draft.label:
            continue
        heading = short_label(draft.section[-1]) if draft.section else "正文"
        if draft.role == ROLE_GLOSSARY:
            cites[i] = f"{heading} · {draft.term}"
        else:
            paragraph_counts[draft.section] += 1
            cites[i] = f"{heading} 第{paragraph_counts[draft.section]}段"
    seen: Counter = Counter()
    for i, cite in enumerate(cites):  # last resort: number what is still the same
        seen[cite] += 1
        if seen[cite] > 1:
            cites[i] = f"{cite} ({seen[cite]})"
    return cites


def _parting_heading(section: tuple[str, ...], others: list[tuple[str, ...]]) -> str:
    for depth, heading in enumerate(section):
        if any(len(o) <= depth or o[depth] != heading for o in others if o != section):
            return short_label(heading)
    return short_label(section[-1]) if section else ""


def rename_title(passages: list[Passage], document: Document, title: str) -> tuple[list[Passage], Document]:
    """Give a document another title (two documents of the corpus had the same one)."""
    old = document.title
    return (
        [replace(p, title=title, citation=title + p.citation[len(old) :]) for p in passages],
        replace(document, title=title),
    )

