"""Task tables (年度主要工作任务分解方案 and their kind): one passage per task.

Two exports of the same kind of table are recognised by their header row:
- one row per line, cells separated by tabs (a copy from Word or PDF); the
  header repeats on every page and is dropped;
- one cell per line (each line starting with a tab), as merged-cell aware
  exporters write them: an empty cell means "same as above", a cell's text
  may wrap onto lines without a tab, and a merged group name comes out in
  pieces over the rows it spans ("提升城" … "市品质").

Columns are known by their header words, not their position. Rows that hold
a single cell are headings. Group names (名称/项目) join the heading path. A
task cell may hold several numbered tasks ("<p>(70) …</p> <p>(71) …</p>"),
which become separate passages, each with its own share of the other cells.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .headings import HeadingStack, numbered_level
from .owners import DEPARTMENTS, LEAD, Fields, column_role, heading_owners, resolve
from .textnorm import (
    clean_line,
    clean_text,
    is_placeholder,
    join_cjk,
    split_names,
    strip_tags,
)

_ROLE_PATTERNS = [
    ("seq", re.compile(r"^(序号|编号|序|项次)$")),
    ("note", re.compile(r"^(备注|说明)$")),
    ("group", re.compile(r"^(名称|项目|类别|分类|工作项目|领域|事项|类型|板块名称)$")),
    ("value", re.compile(r"^(目标值|预期目标值?|指标值|计划目标|年度目标|20\d\d年(目标|预期)值?)$")),
    ("task", re.compile(r"任务|内容|措施|工作|目标|指标|事项")),
]
_TASK_MARK = re.compile(r"[（(]\s*(\d{1,3})\s*[)）]")
_SEQ = re.compile(r"^\d{1,3}$")
_SEQ_CELL = re.compile(r"^[（(]?\s*(\d{1,3})\s*[)）]?\s*[*＊※△▲]?\s*[、.．]?$")
_NOTE = re.compile(r"^注[：:]")
ROW_LIMIT = 60  # a heading row is short; a longer lone cell is content


@dataclass
class Table:
    start: int  # first line of the header
    end: int  # first line after the table
    roles: list[str | None]
    rows: list[list[str] | str]  # a row of cells, or a heading
    carry_down: bool = False  # an empty cell means "same as above"
    heading: str | None = None  # the document's heading right above the table, which its rows sit under


@dataclass
class TableTask:
    section: tuple[str, ...]
    group_index: int | None
    seq: str | None
    task_no: int | None  # the document's own number: its "(n)" marker, or its 序号 where 序号 numbers tasks
    text: str
    departments: list[str]
    lead_departments: list[str]
    areas: list[str]
    leaders: list[str]
    deadline: str | None = None
    target: bool = False  # a row of an indicator table (指标 / 目标值)


@dataclass
class _Group:
    seq: str | None
    parts: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return join_cjk("".join(self.parts)).replace(" ", "")


def header_roles(cells: list[str]) -> list[str | None] | None:
    """Column roles if these cells are a task-table header, else None."""
    roles: list[str | None] = []
    for cell in cells:
        word = join_cjk(clean_line(cell)).replace(" ", "")
        role = None
        if word and len(word) <= 12:
            role = next((r for r, p in _ROLE_PATTERNS[:4] if p.search(word)), None) or column_role(word)
            role = role or next((r for r, p in _ROLE_PATTERNS[4:] if p.search(word)), None)
        roles.append(role)
    named = [r for r in roles if r]
    indicators = {"task", "value"} <= set(named)  # 指标 | 目标值: the value column says what the table is
    if "task" in named and (len(set(named)) >= 3 or indicators) and len(named) == len(set(named)):
        return roles
    return None


def find_tables(lines: list[str]) -> list[Table]:
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.count("\t") >= 1:
            roles = header_roles([c for c in line.split("\t") if c.strip()])
            if roles:
                table = _read_row_table(lines, i, roles)
                tables.append(table)
                i = table.end
                continue
        if line.startswith("\t"):
            cells, j = [], i
            while j < len(lines) and lines[j].startswith("\t") and len(cells) < 12:
                cells.append(lines[j].strip())
                j += 1
            roles = header_roles(cells)
            if roles:
                table = _read_cell_table(lines, i, j, roles)
                tables.append(table)
                i = table.end
                continue
        i += 1
    return tables


def _read_row_table(lines: list[str], start: int, roles: list[str | None]) -> Table:
    rows: list[list[str] | str] = []
    width = len(roles)
    i = start + 1
    while i < len(lines):
        raw = lines[i]
        if "\t" not in raw:
            text = clean_line(raw)
            if not text:
                i += 1
                continue
            if numbered_level(text) and len(text) <= ROW_LIMIT:
                rows.append(text)
                i += 1
                continue
            break  # running text again: the table is over
        cells = [c.strip() for c in raw.split("\t")]
        nonempty = [c for c in cells if c]
        header = header_roles(nonempty)
        if header is not None and _same_header(header, roles):  # the header repeated on a new page
            i += 1
            continue
        if header is not None:  # another table's header: this one is over
            if rows and isinstance(rows[-1], str):
                i -= 1  # its heading belongs to the next table
                while i > start and not lines[i].strip():
                    i -= 1
                rows.pop()
            break
        # Cells sit at their column; rows with fewer tabs are padded on the right.
        cells = (cells + [""] * width)[:width] if len(cells) <= width else cells[: width - 1] + [" ".join(cells[width - 1 :])]
        if len(nonempty) == 1 and not _TASK_MARK.match(nonempty[0]) and len(nonempty[0]) <= ROW_LIMIT:
            rows.append(clean_line(nonempty[0]))
        elif nonempty:
            rows.append(cells)
        i += 1
    return Table(start=start, end=i, roles=roles, rows=rows)


def _same_header(a: list[str | None], b: list[str | None]) -> bool:
    """The same header again, even where a damaged copy lost a word of it."""
    return len(a) == len(b) and all(x == y or x is None or y is None for x, y in zip(a, b, strict=True))


def _read_cell_table(lines: list[str], start: int, header_end: int, roles: list[str | None]) -> Table:
    """Rebuild rows from a one-cell-per-line export."""
    width = len(roles)
    cells: list[str] = []
    i = header_end
    while i < len(lines):
        raw = lines[i]
        if raw.startswith("\t"):
            cells.append(raw[1:].strip())
        elif raw.strip():
            text = clean_line(raw)
            following = next((x for x in lines[i + 1 :] if x.strip()), "")
            if _NOTE.match(text) or not cells or not following.startswith("\t"):
                break  # a note, or running text after the last row
            cells[-1] = (cells[-1] + "\n" + text).strip()  # a cell's text wrapped onto the next line
        i += 1
    rows: list[list[str] | str] = []
    k = 0
    while k < len(cells):
        first = cells[k]
        if first and not _SEQ.match(first) and len(first) <= ROW_LIMIT and not _TASK_MARK.match(first):
            rows.append(clean_line(first))  # a heading takes one cell, where a row starts
            k += 1
            continue
        rows.append(cells[k : k + width] + [""] * max(0, k + width - len(cells)))
        k += width
    return Table(start=start, end=i, roles=roles, rows=rows, carry_down=True)


def _split_tasks(cell: str) -> list[tuple[int | None, str]]:
    """Numbered tasks in one cell: [(70, text), (71, text)], or [(None, text)]."""
    text = cell.strip()
    marks = list(_TASK_MARK.finditer(text))
    starts = [m for m in marks if m.start() == 0 or re.search(r"(</p>|<br\s*/?>|[。；\s>])\s*(<p>)?\s*$", text[: m.start()])]
    lead = re.match(r"^\s*(<[^>]+>\s*)*", text)
    if not starts or starts[0].start() > (lead.end() if lead else 0):
        return [(None, clean_text(text))] if clean_text(text) else []
    chosen = [starts[0]]
    for m in starts[1:]:  # later marks count only if they continue the numbering
        if int(m.group(1)) == int(chosen[-1].group(1)) + 1:
            chosen.append(m)
    tasks = []
    for n, m in enumerate(chosen):
        end = chosen[n + 1].start() if n + 1 < len(chosen) else len(text)
        body = clean_text(text[m.end() : end])
        tasks.append((int(m.group(1)), body))
    return tasks


def _share(cell: str, count: int) -> list[str]:
    """Give each of `count` tasks its own part of a cell when the cell has exactly that many parts."""
    if count == 1:
        return [cell]
    parts = strip_tags(cell).split()
    if len(parts) == count:
        return parts
    return [cell] * count


def _seq_number(cell: str) -> int | None:
    m = _SEQ_CELL.match(join_cjk(clean_line(cell)))
    return int(m.group(1)) if m else None


def table_tasks(table: Table, lead_rule: str | None = None) -> list[TableTask]:
    """Rows to tasks, with heading paths, group names, numbers, owners and deadlines resolved.

    序号 numbers the groups where a group column (名称/项目) stands beside it, and the
    tasks where none does. A row with no number of its own in a numbered table is the
    rest of the row above, cut by a page break. Owners stated once in a group heading
    ("（三）优化营商环境（分管领导：李明）") apply to every task of the group.
    """
    col = {role: idx for idx, role in enumerate(table.roles) if role}
    carry = table.carry_down
    seq_numbers_tasks = "group" not in col and "seq" in col
    target_table = "value" in col

    def cell(row: list[str], role: str) -> str:
        idx = col.get(role)
        return row[idx] if idx is not None and idx < len(row) else ""

    rows = _join_continuations(table.rows, cell) if seq_numbers_tasks else table.rows
    stars = any("★" in cell(row, r) for row in rows if isinstance(row, list) for r in (LEAD, DEPARTMENTS))
    lexicon = Counter()
    for row in rows:
        if isinstance(row, list):
            for token in strip_tags(cell(row, "leaders")).split():
                if 2 <= len(token) <= 4:
                    lexicon[token] += 1

    stack = HeadingStack()
    if table.heading:
        stack.push(table.heading)
    group_fields: dict[str, Fields] = {}  # heading → the owners it states for its tasks
    groups: list[_Group] = []
    tasks: list[TableTask] = []
    above: dict[str, str] = {}
    for row in rows:
        if isinstance(row, str):
            heading, owners = heading_owners(row)
            stack.push(heading)
            if owners:
                group_fields[heading] = owners
            groups.append(_Group(seq=None))  # a heading closes the group above it
            above = {}
            continue
        stack.content()
        seq = cell(row, "seq").strip() or None
        name_part = join_cjk(clean_line(strip_tags(cell(row, "group")).replace("\n", "")))
        if not groups or (seq and seq != groups[-1].seq and not seq_numbers_tasks):
            groups.append(_Group(seq=None if seq_numbers_tasks else seq))
        group = groups[-1]
        if name_part and not is_placeholder(name_part) and name_part not in group.name:
            group.parts.append(name_part)
        values = {}
        for role in ("departments", "lead", "partners", "areas", "leaders", "deadline"):
            value = cell(row, role).strip()
            if carry and not value:
                value = above.get(role, "")
            values[role] = value
            above[role] = value
        defaults = Fields()
        for heading in stack.path():
            if heading in group_fields:
                defaults = Fields({**defaults.values, **group_fields[heading].values})
        task_cell = cell(row, "task")
        if cell(row, "value").strip():
            task_cell = f"{task_cell} {cell(row, 'value').strip()}"
        pieces = _split_tasks(task_cell)
        row_number = _seq_number(seq) if seq_numbers_tasks and seq else None
        if row_number is not None and len(pieces) == 1 and pieces[0][0] is None:
            pieces = [(row_number, pieces[0][1])]
        shares = {role: _share(values[role], len(pieces)) for role in values}
        for n, (number, text) in enumerate(pieces):
            fields = Fields()
            for role in values:
                fields.add(role, shares[role][n])
            owners = resolve(fields.merged(defaults), lead_rule, stars)
            tasks.append(
                TableTask(
                    section=stack.path(),
                    group_index=len(groups) - 1,
                    seq=group.seq if not seq_numbers_tasks else seq,
                    task_no=number,
                    text=text,
                    departments=owners.departments,
                    lead_departments=owners.lead_departments,
                    areas=owners.areas,
                    leaders=split_names(owners.leaders_cell, lexicon),
                    deadline=owners.deadline,
                    target=target_table,
                )
            )
    names = [g.name for g in groups]
    for task in tasks:
        name = names[task.group_index] if task.group_index is not None else ""
        if name:
            task.section = task.section + (name,)
    return tasks


def _join_continuations(rows: list[list[str] | str], cell) -> list[list[str] | str]:
    """Rows of a table whose 序号 numbers tasks, with a row cut by a page break joined to the
    row it continues: it has no number while the rows around it have one."""
    out: list[list[str] | str] = []
    for row in rows:
        prev = out[-1] if out and isinstance(out[-1], list) else None
        if isinstance(row, list) and prev is not None and not cell(row, "seq").strip() and cell(prev, "seq").strip():
            if not _TASK_MARK.match(cell(row, "task").strip()):
                out[-1] = [_glue(a, b) for a, b in zip(prev, row, strict=False)] + prev[len(row) :]
                continue
        out.append(row)
    return out


def _glue(a: str, b: str) -> str:
    if not b.strip() or b.strip() == a.strip():
        return a
    if not a.strip():
        return b
    return f"{a} {b}"
