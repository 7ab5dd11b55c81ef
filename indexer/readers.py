"""Turn a report file of any supported format into lines of text.

Every format ends up in one shape, so one structure parser serves them all:
running text is one line per paragraph, and a table row is one line with its
cells separated by tabs (the way a copy from Word or a PDF export already
looks). A file that cannot be read raises `SkipFile` with a reason in plain
words; the build reports it and goes on.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

TEXT_SUFFIXES = {".txt", ".text", ".md", ".csv", ".tsv"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".docx", ".pdf"}
MAX_BYTES = 20 * 1024 * 1024

_CJK = re.compile(r"[\u4e00-\u9fff]")


class SkipFile(Exception):
    """A file that is left out of the index, with the reason a person can act on."""


@dataclass(frozen=True, slots=True)
class Source:
    doc_id: str
    path: Path
    sha256: str
    encoding: str
    lines: list[str]


def doc_id_for(path: Path) -> str:
    return path.stem


def read_source(path: Path, max_bytes: int = MAX_BYTES) -> Source:
    """Read one file; raise SkipFile when it is not a report we can use."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise SkipFile(f"不支持的文件类型 {suffix or '(无扩展名)'}（支持 {', '.join(sorted(SUPPORTED_SUFFIXES))}）")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise SkipFile(f"文件过大（{size / 1048576:.1f} MB，上限 {max_bytes / 1048576:.0f} MB）")
        data = path.read_bytes()
    except FileNotFoundError:
        raise SkipFile("文件在读取前已被删除或移动") from None
    except OSError as exc:
        raise SkipFile(f"无法读取文件：{exc.strerror or exc}") from None
    if not data.strip():
        raise SkipFile("空文件")
    sha = hashlib.sha256(data).hexdigest()

    if suffix == ".docx":
        lines, encoding = _docx_lines(data), "docx"
    elif suffix == ".pdf":
        lines, encoding = _pdf_lines(data), "pdf"
    else:
        text, encoding = decode_text(data)
        lines = _html_lines(text) if suffix in HTML_SUFFIXES else text.splitlines()
    if not any(line.strip() for line in lines):
        raise SkipFile("文件中没有文字内容")
    if not any(_CJK.search(line) for line in lines):
        raise SkipFile("文件中没有中文内容，不像是一份报告")
    return Source(doc_id=doc_id_for(path), path=path, sha256=sha, encoding=encoding, lines=lines)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes of unknown encoding: BOMs, UTF-8, then GB18030/GBK and others.

    Binary files are refused here: a NUL byte outside UTF-16 text never
    occurs in a report.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[2:].decode(codec, errors="replace"), "utf-16"
    if b"\x00" in data[:65536]:
        raise SkipFile("二进制文件（不是文本）")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _mostly_cjk(text):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise SkipFile("无法识别文件编码")
    text = str(best)
    if not _mostly_cjk(text):
        raise SkipFile(f"无法可靠识别文件编码（猜测为 {best.encoding}，但解码后不是中文）")
    return text, best.encoding


def _mostly_cjk(text: str) -> bool:
    non_ascii = [c for c in text if ord(c) > 127 and not c.isspace()]
    if not non_ascii:
        return False
    cjk = sum(1 for c in non_ascii if _CJK.match(c) or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef")
    return cjk / len(non_ascii) >= 0.8


def _docx_lines(data: bytes) -> list[str]:
    """Paragraphs and table rows of a .docx, in document order.

    A vertically merged cell comes back from python-docx once per row it
    spans, with its text: it applies to each of those rows, so it is written
    into each. A horizontally merged cell is written once.
    """
    import io
    import zipfile

    try:
        import docx  # python-docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:  # pragma: no cover - python-docx is a dependency
        raise SkipFile("缺少 python-docx，无法读取 .docx") from None
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise SkipFile(f"不是有效的 .docx 文件（{exc}）") from None
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            table = Table(child, document)
            for row in table.rows:
                cells, seen = [], []
                for cell in row.cells:
                    if cell._tc in seen:  # horizontally merged: the same cell again
                        continue
                    seen.append(cell._tc)
                    cells.append(" ".join(cell.text.split()))
                lines.append("\t".join(cells))
            lines.append("")
    return lines


def _pdf_lines(data: bytes) -> list[str]:
    import io

    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - pypdf is a dependency
        raise SkipFile("缺少 pypdf，无法读取 .pdf") from None
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise SkipFile(f"无法解析 PDF（{exc}）") from None
    if not "".join(pages).strip():
        raise SkipFile("PDF 中没有可提取的文字（可能是扫描件，需要先做文字识别）")
    lines: list[str] = []
    for page in pages:
        lines.extend(page.splitlines())
        lines.append("")
    return lines


def _html_lines(text: str) -> list[str]:
    """Visible block text of a web page; tables become tab-separated rows."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "form", "iframe", "button", "select"]):
        tag.decompose()
    for table in soup.find_all("table"):
        rows = []
        for tr in table.find_all("tr"):
            cells = [" ".join(td.get_text(" ").split()) for td in tr.find_all(["td", "th"])]
            rows.append("\t".join(cells))
        table.replace_with(soup.new_string("\n" + "\n".join(rows) + "\n"))
    for br in soup.find_all("br"):
        br.replace_with("\n")
    blocks = ["p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article"]
    for tag in soup.find_all(blocks):
        tag.insert_before("\n")
        tag.insert_after("\n")
    return soup.get_text().splitlines()
