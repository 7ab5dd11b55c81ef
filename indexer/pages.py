"""Lines of printed pages, from a PDF's text layer or from OCR boxes alike.

A line knows where it sat on its page: whether it ran to the right margin (its
sentence wraps on to the next line) and whether it started at the left margin
(it continues rather than opening an indented paragraph). That is enough to
remove what repeats on every page (running headers, page numbers) and to join
the lines of a paragraph again, across page breaks too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass
class PdfLine:
    """A line of a page and where it sits: whether it runs to the right margin (the sentence
    wraps on) and whether it starts at the left margin (it continues, not a new indented paragraph)."""

    text: str
    wraps: bool = False
    flush_left: bool = False


def rejoin_wrapped(lines: list[PdfLine]) -> list[str]:
    """One line per paragraph again: a line that runs to the right margin continues on the next
    line that starts at the left margin, on the same page or after a page break."""
    out: list[str] = []
    joinable = False
    for line in lines:
        if not line.text.strip():
            if not joinable:
                out.append("")
            continue
        if joinable and line.flush_left and out:
            out[-1] += line.text.strip()
        else:
            out.append(line.text)
        joinable = line.wraps or (joinable and line.flush_left and line.wraps)
    return out


_PAGE_NUMBER = re.compile(r"^[-—–－一\s]*\d{1,4}[-—–－一\s]*$|^第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?$|^\d{1,4}\s*/\s*\d{1,4}$")
_EDGE = 3  # running headers and footers sit in the first and last lines of a page


def strip_page_furniture(pages: list[list[PdfLine]]) -> list[list[PdfLine]]:
    """Remove page numbers and the running header and footer lines repeated across pages."""
    def key(line: PdfLine) -> str:
        return re.sub(r"\d+", "#", "".join(line.text.split()))

    def places(page: list[PdfLine]) -> dict[int, tuple[str, int, str]]:
        """Each edge line's place: from the top or from the bottom of the page, and its text."""
        filled = [i for i, line in enumerate(page) if line.text.strip()]
        found = {i: ("top", n, key(page[i])) for n, i in enumerate(filled[:_EDGE])}
        found.update({i: ("bottom", n, key(page[i])) for n, i in enumerate(reversed(filled[-_EDGE:]))})
        return found

    counts: dict[tuple[str, int, str], int] = {}
    for page in pages:
        for place in set(places(page).values()):
            counts[place] = counts.get(place, 0) + 1
    repeated = {p for p, n in counts.items() if len(pages) >= 3 and n >= max(3, len(pages) // 2) and p[2]}
    out = []
    for page in pages:
        edge = places(page)
        kept = []
        for i, line in enumerate(page):
            text = line.text.strip()
            furniture = i in edge and (_PAGE_NUMBER.match(text) or edge[i] in repeated)
            if text and "\t" not in text and furniture:
                continue
            kept.append(line)
        out.append(kept)
    return out
