"""Running text (政府工作报告 and the notes around a task table) into clause-level units.

Lines broken by page breaks are joined back ("相\\n\\n城建设" → "相城建设"): a
line that does not end a thought continues on the next line. Headings are
recognised by numbering or by being short lines without punctuation; a short
first sentence that opens a paragraph ("全力做强重点产业集群。") is a lead
heading for that paragraph. Paragraphs are cut at sentence ends into pieces
of a few sentences. A 名词解释 section becomes one unit per numbered entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from .headings import LEAD_LEVEL, HeadingStack, is_glossary_title, numbered_level
from .textnorm import cjk_count, clean_line, clean_text, ends_thought, join_cjk

CHUNK_CHARS = 200
MIN_CJK = 8  # shorter paragraphs ("各位代表：", "(此件公开发布)") carry no content
HEADING_MAX = 60
PLAIN_HEADING_MAX = 25
_INNER_PUNCT = re.compile(r"[，,。；;：:！？!?、]")
_LEAD = re.compile(r"^(.{4,24}?[。：:！])(?=\S)")
_GLOSSARY_ENTRY = r"^\s*{n}\s*[.．、]\s*"

_splitter = RecursiveCharacterTextSplitter(
    chunk_size=CHUNK_CHARS,
    chunk_overlap=0,
    separators=["\n", "。", "！", "？", "；", "!", "?", ";", "，", ","],
    keep_separator="end",
)


@dataclass
class Unit:
    role: str  # "paragraph" or "glossary"
    section: tuple[str, ...]
    text: str
    term: str | None = None  # the glossary term
    number: int | None = None  # the glossary entry's own number


def is_heading(line: str) -> bool:
    if ends_thought(line) or not line:
        return False
    if line[0] in "（(" and line[-1] in "）)" and numbered_level(line) is None and cjk_count(line) >= MIN_CJK:
        return False  # a note in brackets ("（责任单位中标注★的为牵头单位）") is not a heading
    if numbered_level(line) is not None:
        return len(line) <= HEADING_MAX
    return len(line) <= PLAIN_HEADING_MAX and not _INNER_PUNCT.search(line) and cjk_count(line) >= 2


def _join(left: str, right: str) -> str:
    """Glue two pieces of one sentence; a blank only between Latin letters or digits."""
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return left + " " + right
    if left and right and (left[-1].isdigit() or right[0].isdigit()):
        return left + " " + right
    return left + right


def _term_split(text: str) -> tuple[str, str, str]:
    """'双中心：指……' → ('双中心', '：', '指……'); no colon → (first words, '', text)."""
    m = re.match(r"^(.{1,30}?)([：:])(.+)$", text)
    if m:
        return m.group(1).strip(), m.group(2), m.group(3).strip()
    return text[:12], "", text


def split_units(lines: list[str], top: str | tuple[str, ...] | None = None) -> list[Unit]:
    """Units of running text; `top` is the outer heading (or heading path) all of them sit under."""
    stack = HeadingStack()
    if isinstance(top, str):
        stack.reset(top)
    elif top:
        for heading in top:
            stack.push(heading)
    units: list[Unit] = []
    paragraph = ""
    glossary = False
    entry: list = []  # [number, text] of the glossary entry being read

    def flush_paragraph() -> None:
        nonlocal paragraph
        text = clean_text(paragraph)
        paragraph = ""
        if cjk_count(text) < MIN_CJK:
            return
        stack.drop_lead()
        lead = _LEAD.match(text)
        if lead and cjk_count(lead.group(1)) >= 4:
            stack.push(lead.group(1).rstrip("。：:！"), LEAD_LEVEL)
        stack.content()
        for chunk in _splitter.split_text(text):
            chunk = chunk.strip()
            if cjk_count(chunk) >= 2:
                units.append(Unit("paragraph", stack.path(), chunk))

    def flush_entry() -> None:
        nonlocal entry
        if entry:
            text = clean_text(entry[1])
            term, sep, definition = _term_split(text)
            if text:
                units.append(Unit("glossary", stack.path(), f"{term}：{definition}" if sep else text, term, entry[0]))
        entry = []

    for raw in lines:
        line = clean_line(raw)
        if not line:
            continue
        cells = [clean_line(cell) for cell in raw.split("\t") if cell.strip()]
        if len(cells) >= 2 and not glossary:
            flush_paragraph()  # a row of a table no header explains: its own unit, never a heading
            paragraph = "，".join(cells)
            flush_paragraph()
            continue
        if is_glossary_title(line):
            flush_paragraph()
            flush_entry()
            glossary = True
            stack.reset(join_cjk(line).replace(" ", "").strip("：:"))
            continue
        if glossary:
            expected = entry[0] + 1 if entry else None
            m = re.match(_GLOSSARY_ENTRY.format(n=expected if expected else r"(\d{1,3})"), line)
            if m:
                flush_entry()
                entry = [expected or int(m.group(1)), line[m.end():]]
                continue
            if entry and not (numbered_level(line) == 1 and is_heading(line)):
                entry[1] = _join(entry[1], line)
                continue
            flush_entry()
            glossary = False
        if paragraph and not ends_thought(paragraph) and not paragraph.startswith("附件"):
            if not (numbered_level(line) is not None and is_heading(line)):
                paragraph = _join(paragraph, line)  # a sentence broken by a page break
                continue
        if is_heading(line):
            flush_paragraph()
            stack.push(join_cjk(line))
            continue
        flush_paragraph()
        paragraph = line
    flush_paragraph()
    flush_entry()
    return units
