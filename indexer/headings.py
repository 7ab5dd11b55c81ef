"""The heading hierarchy of Chinese official documents.

Numbered headings say their own level: 一、 > （一） > 1. > (1). An unnumbered
heading ("打好三场硬仗", "全面建设人民满意政府") has to get its level from where
it stands: directly under a heading that has no content yet it is that
heading's child; after content it is a sibling of the deepest numbered
heading open at that point; with nothing open it is the top of the document.
"""

from __future__ import annotations

import re

from .textnorm import join_cjk

_LEVELS = [
    (1, re.compile(r"^[一二三四五六七八九十百]+\s*[、．.]")),
    (2, re.compile(r"^[（(]\s*[一二三四五六七八九十百]+\s*[)）]")),
    (3, re.compile(r"^\d{1,2}\s*[、．.](?!\d)")),
    (4, re.compile(r"^[（(]\d{1,2}[)）](?!\s*\d)")),
]
LEAD_LEVEL = 10  # a bold lead sentence that opens a paragraph
GLOSSARY_TITLES = {"名词解释", "名词注释", "名词说明", "术语解释", "注释"}


def numbered_level(text: str) -> int | None:
    for level, pattern in _LEVELS:
        if pattern.match(text):
            return level
    return None


_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
_ITEM = re.compile(
    r"^\s*(?:第\s*)?[（(]?\s*([一二三四五六七八九十百零〇\d]{1,4})\s*[*＊※]?\s*(?:[)）]|[、．.](?!\d)|项)\s*[*＊※]?\s*"
)


def chinese_number(text: str) -> int | None:
    """'十二' → 12, '二十三' → 23, '一百零五' → 105, '12' → 12."""
    if text.isdigit():
        return int(text)
    text = text.replace("〇", "零")
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def item_number(text: str) -> tuple[int | None, str]:
    """The number an item prints before its text, and the text after it:
    '（十二）加快…' → (12, '加快…'); '16*、推进…' → (16, '推进…'); no number → (None, text)."""
    m = _ITEM.match(text)
    if not m:
        return None, text
    return chinese_number(m.group(1)), text[m.end() :]


def is_glossary_title(text: str) -> bool:
    return join_cjk(text).replace(" ", "").strip("：:") in GLOSSARY_TITLES


def short_label(heading: str, limit: int = 20) -> str:
    """A heading short enough for a citation: its first clause, at most `limit` characters."""
    head = re.split(r"[，,：:；;。]", heading, maxsplit=1)[0]
    if len(head) < 4:
        head = heading
    return head if len(head) <= limit else head[:limit] + "…"


class HeadingStack:
    def __init__(self) -> None:
        self._items: list[tuple[float, str]] = []
        self._fresh = False  # the last heading has no content under it yet

    def push(self, text: str, level: float | None = None) -> None:
        """Open a heading; `level` None means: work it out from the text and the position."""
        if level is None:
            level = numbered_level(text)
        if level is None:
            if self._fresh and self._items:
                level = self._items[-1][0] + 1
            else:
                numbered = [lv for lv, _ in self._items if 1 <= lv < LEAD_LEVEL]
                level = max(numbered) if numbered else 0
        while self._items and self._items[-1][0] >= level:
            self._items.pop()
        self._items.append((level, text))
        self._fresh = level < LEAD_LEVEL

    def reset(self, text: str | None = None) -> None:
        self._items = [(0, text)] if text else []
        self._fresh = bool(text)

    def content(self) -> None:
        self._fresh = False

    def path(self) -> tuple[str, ...]:
        return tuple(text for _, text in self._items)

    def drop_lead(self) -> None:
        if self._items and self._items[-1][0] >= LEAD_LEVEL:
            self._items.pop()
