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

from .boilerplate import is_metadata, strip_boilerplate
from .headings import numbered_level, short_label
from .lists import ListTask, list_items
from .metadata import detect_district, detect_year, find_title_line, hinted_title, notice_title, title_for
from .narrative import is_heading, split_units
from .owners import lead_rule, resolve
from .passage import (
    KIND_TASK_LIST,
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
from .textnorm import cjk_count, clean_line, split_names

PARSER_VERSION = "2"
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
    deadline: str | None = None


def parse_file(path: Path) -> ParsedDocument:
    return parse_source(read_source(path))


def parse_source(source: Source) -> ParsedDocument:
    lines, _ = strip_boilerplate([line.rstrip("\r\n") for line in source.lines])
    tables = find_tables(lines)
    title_idx = find_title_line(lines, before=tables[0].start if tables else None)
    title_line = lines[title_idx] if title_idx is not None else notice_title(source.lines) or hinted_title(source.title_hint)
    district = detect_district(lines, title_line)
    year = detect_year(lines, title_line)
    title = title_for(title_line, district, year, fallback=source.doc_id)
    rule = lead_rule("\n".join(lines))
    notes: list[str] = list(source.notes)

    drafts: list[_Draft] = []
    start = _body_start(lines, title_idx)
    cursor = start
    for table in tables:
        table.heading = _heading_above(lines, cursor, table.start)
        drafts += _text_drafts(lines[cursor : table.start], title_idx, cursor, rule)
        drafts += _table_drafts(table, notes, "\n".join(lines), rule)
        cursor = table.end
    drafts += _text_drafts(lines[cursor:], title_idx, cursor, rule)
    if not drafts:
        notes.append("没有解析出任何段落")
    if title.endswith("报告"):  # the document says what it is: a report with a table of targets in an appendix is a report
        kind = KIND_WORK_REPORT
    elif tables:
        kind = KIND_TASK_TABLE
    elif any(d.role in (ROLE_TASK, ROLE_TARGET) for d in drafts):
        kind = KIND_TASK_LIST
    else:
        kind = KIND_WORK_REPORT

    passages = _finish(drafts, source.doc_id, title, district, year, kind)
    if source.ocr_confidence is not None:
        passages = [replace(p, ocr_confidence=source.ocr_confidence) for p in passages]
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
        understood=understood(passages),
    )
    raw = "\n".join(lines)
    cjk = max(1, cjk_count(raw))
    return ParsedDocument(
        document=document,
        passages=passages,
        plain=re.sub(r"[^\u4e00-\u9fff0-9A-Za-z]", "", raw),
        broken_rate=len(_ISOLATED_CJK.findall(raw.replace("\t", " "))) / cjk,
    )


def understood(passages: list[Passage]) -> dict[str, int]:
    """How many tasks and targets were found, and how many carry each field: what an
    administrator reads to see at once whether a document was understood."""
    rows = [p for p in passages if p.role in (ROLE_TASK, ROLE_TARGET)]
    return {
        "tasks": sum(1 for p in rows if p.role == ROLE_TASK),
        "targets": sum(1 for p in rows if p.role == ROLE_TARGET),
        "numbered": sum(1 for p in rows if p.task_no),
        "lead": sum(1 for p in rows if p.lead_departments),
        "departments": sum(1 for p in rows if p.departments),
        "leaders": sum(1 for p in rows if p.leaders),
        "deadline": sum(1 for p in rows if p.deadline),
        "glossary": sum(1 for p in passages if p.role == ROLE_GLOSSARY),
    }


def _heading_above(lines: list[str], start: int, end: int) -> str | None:
    """A numbered heading standing right above a table ("一、主要预期目标"): its rows sit under it."""
    for raw in reversed(lines[start:end]):
        line = clean_line(raw)
        if not line:
            continue
        return line if numbered_level(line) is not None and is_heading(line) else None
    return None


def _body_start(lines: list[str], title_idx: int | None) -> int:
    """Skip the masthead: up to the salutation ("各位代表：", "各镇人民政府……：") or, lacking one, the title line.

    Only the opening lines count, and only before the first full sentence:
    a colon later on ("重点做好七方面工作:") introduces content. A web page's
    opening lines are long with menus and catalogue fields, so past the first
    fifteen only a salutation that addresses 各… counts.
    """
    seen = 0
    for i, raw in enumerate(lines):
        line = clean_line(raw)
        if not line:
            continue
        seen += 1
        if seen > 80 or "。" in line or len(line) > 100:
            break
        if "\t" in raw:
            if is_metadata(raw):
                continue
            break
        if line.endswith(("：", ":")) and cjk_count(line) >= 2 and (seen <= 15 or line.startswith("各")):
            return i + 1
    if title_idx is not None and title_idx < 15:
        return title_idx + 1
    return 0


def _text_drafts(lines: list[str], title_idx: int | None, offset: int, rule: str | None) -> list[_Draft]:
    """Running text, or a list-style 分解方案 where its items carry owners."""
    if title_idx is not None and 0 <= title_idx - offset < len(lines):
        lines = lines[: title_idx - offset] + lines[title_idx - offset + 1 :]
    items = list_items(lines)
    if items is None:
        return _units(split_units(lines))
    drafts: list[_Draft] = []
    for item in items:
        if isinstance(item, ListTask):
            drafts.append(_list_draft(item, rule))
        else:
            drafts += _units(split_units(item.lines, top=item.section))
    return drafts


def _units(units) -> list[_Draft]:
    drafts = []
    for unit in units:
        if unit.role == "glossary":
            drafts.append(_Draft(ROLE_GLOSSARY, unit.section, unit.text, term=unit.term))
        else:
            drafts.append(_Draft(ROLE_PARAGRAPH, unit.section, unit.text))
    return drafts


def _list_draft(item: ListTask, rule: str | None) -> _Draft:
    owners = resolve(item.fields, rule, stars="★" in "".join(item.fields.values.values()))
    target = _under_targets(item.section)
    label = _label(item.number, target) if item.number is not None else None
    return _Draft(
        role=ROLE_TARGET if target else ROLE_TASK,
        section=item.section,
        text=item.text,
        label=label,
        task_no=label,
        departments=tuple(owners.departments),
        lead_departments=tuple(owners.lead_departments),
        areas=tuple(owners.areas),
        leaders=tuple(split_names(owners.leaders_cell)),
        deadline=owners.deadline,
    )


def _under_targets(section: tuple[str, ...]) -> bool:
    """Rows under a 主要预期目标 / 主要指标 heading are targets."""
    return any("目标" in h or "指标" in h for h in section)


def _label(number: int, target: bool) -> str:
    return f"目标{number}" if target else f"({number})"


def _table_drafts(table, notes: list[str], text: str, rule: str | None) -> list[_Draft]:
    tasks = table_tasks(table, rule)
    numbered = any(t.task_no is not None for t in tasks)
    drafts = []
    per_target_section: Counter = Counter()
    for count, task in enumerate(tasks, start=1):
        role = ROLE_TARGET if task.target or _under_targets(task.section) else ROLE_TASK
        if task.task_no is not None:
            label = _label(task.task_no, role == ROLE_TARGET)
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
                deadline=task.deadline,
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
                deadline=draft.deadline,
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

