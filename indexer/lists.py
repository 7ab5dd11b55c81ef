"""List-style 分解方案: numbered items, each carrying its owners in a line or a bracket.

The layout many provinces publish instead of a table:

    二、重点工作任务
    （一）加快产业转型升级（分管领导：李明）
    1. 推进 12 个省级重点项目建设……。
    牵头单位：区发改局；责任单位：区财政局、各街道
    完成时限：2024年12月底前

or the same owners at the end of the item, "……。（牵头单位：区发改局；完成时限：6月底前）".
An item is a task because owners follow it, whatever its numbering level; a numbered
line without owners is a heading (and owners in a heading hold for its whole group);
everything else is running text and goes to the narrative parser under its heading.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .headings import HeadingStack, item_number, numbered_level
from .narrative import is_heading
from .owners import (
    DEADLINE,
    DEPARTMENTS,
    FIELD_LINE,
    LEAD,
    LEADERS,
    PARTNERS,
    Fields,
    heading_owners,
    inline_fields,
    inline_phrase,
    parse_fields,
    phrase_fields,
)
from .textnorm import clean_line, clean_text, ends_thought, join_cjk

MIN_TASKS = 2  # fewer items with owners than this, and the text is not a list-style 分解方案
_UNIT_ROLES = (LEAD, DEPARTMENTS, PARTNERS)


@dataclass
class ListTask:
    section: tuple[str, ...]
    number: int | None
    text: str
    fields: Fields


@dataclass
class Prose:
    section: tuple[str, ...]
    lines: list[str] = field(default_factory=list)


def list_items(lines: list[str], top: tuple[str, ...] = ()) -> list[ListTask | Prose] | None:
    """Tasks and the running text between them, or None when the lines hold no list of tasks."""
    blocks = [join_cjk(clean_line(line)) for line in lines]
    blocks = [b for b in blocks if b]
    stack = HeadingStack()
    for heading in top:
        stack.push(heading)
    group_fields: dict[str, Fields] = {}
    out: list[ListTask | Prose] = []
    tasks = 0
    i = 0
    while i < len(blocks):
        line = blocks[i]
        j, fields = i + 1, Fields()
        while j < len(blocks) and not FIELD_LINE.match(line):
            found = parse_fields(blocks[j]) if FIELD_LINE.match(blocks[j]) else phrase_fields(blocks[j])
            if not found:
                break
            for role, value in found.values.items():
                fields.add(role, value)
            j += 1
        text, inline = inline_fields(line)
        if not inline:
            text, inline = inline_phrase(text)
        for role, value in inline.values.items():
            fields.add(role, value)
        number, body = item_number(text)
        owns_units = any(role in fields.values for role in _UNIT_ROLES)
        sentence = ends_thought(text) or len(text) > 60
        if owns_units or (fields and sentence and (LEADERS in fields.values or DEADLINE in fields.values)):
            defaults = Fields()
            for heading in stack.path():
                defaults = group_fields.get(heading, Fields()).merged(defaults)
            stack.content()
            out.append(ListTask(stack.path(), number, clean_text(body if number is not None else text), fields.merged(defaults)))
            tasks += 1
            i = j
            continue
        if FIELD_LINE.match(line) and out and isinstance(out[-1], ListTask):
            for role, value in parse_fields(line).values.items():  # a field line after another one
                out[-1].fields.add(role, value)
            i += 1
            continue
        heading, owners = heading_owners(line)
        if is_heading(heading) or (numbered_level(heading) is not None and owners and not ends_thought(heading)):
            stack.push(heading)
            for role, value in fields.values.items():  # owner lines right under a heading hold for its group
                owners.add(role, value)
            if owners:
                group_fields[heading] = owners
            i = j
            continue
        stack.content()
        if not out or not isinstance(out[-1], Prose) or out[-1].section != stack.path():
            out.append(Prose(stack.path()))
        out[-1].lines.append(line)
        i += 1
    return out if tasks >= MIN_TASKS else None
