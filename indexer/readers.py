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
from dataclasses import dataclass, field
from pathlib import Path

from .pages import PdfLine, rejoin_wrapped, strip_page_furniture
from .textnorm import join_pieces, normalize_chars, to_simplified

TEXT_SUFFIXES = {".txt", ".text", ".md", ".csv", ".tsv"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | IMAGE_SUFFIXES | {".docx", ".pdf"}
MAX_BYTES = 20 * 1024 * 1024
MAX_SCAN_BYTES = 200 * 1024 * 1024  # a scanned PDF or picture: pages of pixels, read one page at a time
MIN_TEXT_LAYER = 20  # a page with fewer characters in its text layer is a picture: it is read by OCR

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
    notes: tuple[str, ...] = ()
    title_hint: str | None = None  # the file's own Title property, beside its text
    ocr_confidence: float | None = None  # mean OCR confidence where pages were read from a scan


def doc_id_for(path: Path) -> str:
    return path.stem


@dataclass
class ScanLog:
    """What OCR did for one file: pages read, their confidences, the words read with little."""

    pages: int = 0
    confidences: list[float] = field(default_factory=list)
    low: list[str] = field(default_factory=list)
    cache: Path | None = None
    progress: bool = False

    def note(self) -> str | None:
        if not self.pages:
            return None
        mean = sum(self.confidences) / len(self.confidences) if self.confidences else 0.0
        low = f"；低置信度文字 {len(self.low)} 处（{'、'.join(self.low[:5])}{'……' if len(self.low) > 5 else ''}）" if self.low else ""
        return f"扫描件：{self.pages} 页由 OCR 识别，平均置信度 {mean:.2f}{low}"

    @property
    def confidence(self) -> float | None:
        return round(sum(self.confidences) / len(self.confidences), 3) if self.confidences else None


def read_source(path: Path, max_bytes: int = MAX_BYTES, ocr_cache: Path | None = None, progress: bool = False) -> Source:
    """Read one file; raise SkipFile when it is not a report we can use.

    Pages without a text layer (scanned PDFs, pictures) are read by OCR, one page at a
    time; `ocr_cache` keeps each page's result so that a rebuild does not read it again.
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise SkipFile(f"不支持的文件类型 {suffix or '(无扩展名)'}（支持 {', '.join(sorted(SUPPORTED_SUFFIXES))}）")
    if suffix in IMAGE_SUFFIXES or suffix == ".pdf":
        max_bytes = max(max_bytes, MAX_SCAN_BYTES)
    scans = ScanLog(cache=ocr_cache, progress=progress)
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
    hint = None

    if suffix == ".docx":
        lines, encoding = _docx_lines(data), "docx"
        hint = _docx_title(data)
    elif suffix == ".pdf":
        lines, encoding = _pdf_lines(data, scans), "pdf"
        hint = _pdf_title(data)
    elif suffix in IMAGE_SUFFIXES:
        lines, encoding = _image_lines(data, scans, path.name), "ocr"
    else:
        text, encoding = decode_text(data)
        lines = _html_lines(text) if suffix in HTML_SUFFIXES else text.splitlines()
        hint = _html_title(text) if suffix in HTML_SUFFIXES else None
    if not any(line.strip() for line in lines):
        raise SkipFile("扫描件中没有识别出文字（空白页或不是文档的图片）" if scans.pages else "文件中没有文字内容")
    text, traditional = to_simplified(normalize_chars("\n".join(lines)))
    lines = text.split("\n")
    if not any(_CJK.search(line) for line in lines):
        raise SkipFile("文件中没有中文内容，不像是一份报告")
    notes = tuple(n for n in (scans.note(), "繁体文字已转换为简体" if traditional else None) if n)
    if hint:
        hint = to_simplified(normalize_chars(hint))[0] if traditional else normalize_chars(hint)
    return Source(
        doc_id=doc_id_for(path),
        path=path,
        sha256=sha,
        encoding=encoding,
        lines=lines,
        notes=notes,
        title_hint=hint,
        ocr_confidence=scans.confidence,
    )


def _docx_title(data: bytes) -> str | None:
    import io

    import docx

    try:
        return docx.Document(io.BytesIO(data)).core_properties.title or None
    except Exception:  # the text was read; a broken property part costs only the hint
        return None


def _pdf_title(data: bytes) -> str | None:
    import io

    try:
        from pypdf import PdfReader

        info = PdfReader(io.BytesIO(data)).metadata
        return str(info.title) if info and info.title else None
    except Exception:  # the text was read; a broken info dictionary costs only the hint
        return None


def _html_title(text: str) -> str | None:
    m = re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S)
    return " ".join(m.group(1).split()) if m else None


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


MAX_UNZIPPED = 200 * 1024 * 1024
MAX_ZIP_RATIO = 200


def check_zip(data: bytes) -> None:
    """Refuse a .docx that is no zip, or would unpack to far more than it weighs (a zip bomb):
    python-docx reads every part it needs into memory."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise SkipFile(f"不是有效的 .docx 文件（不是 zip 压缩包：{exc}）") from None
    unpacked = sum(max(i.file_size, 0) for i in infos)
    if unpacked > MAX_UNZIPPED or unpacked > MAX_ZIP_RATIO * max(len(data), 1) + 10 * 1024 * 1024:
        raise SkipFile(f"不是正常的 .docx 文件：解压后有 {unpacked / 1048576:.0f} MiB，远大于文件本身（疑似压缩炸弹）")


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
    check_zip(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise SkipFile(f"不是有效的 .docx 文件（{exc}）") from None
    numbering = _DocxNumbering(document)
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(numbering.text(Paragraph(child, document)))
        elif tag == "tbl":
            table = Table(child, document)
            for row in table.rows:
                cells, seen = [], []
                for cell in row.cells:
                    if cell._tc in seen:  # horizontally merged: the same cell again
                        continue
                    seen.append(cell._tc)
                    text = " ".join(numbering.text(p) for p in cell.paragraphs)
                    cells.append(" ".join(text.split()))
                lines.append("\t".join(cells))
            lines.append("")
    return lines


_CN_DIGITS = "零一二三四五六七八九"


def _chinese(n: int) -> str:
    if n < 10:
        return _CN_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")
    return str(n)


class _DocxNumbering:
    """The numbers Word draws in front of list paragraphs ("1." "（一）"), which are not part of
    their text: counted here in document order from numbering.xml, so an auto-numbered task
    keeps its number."""

    _FORMATS = {
        "decimal": str,
        "decimalZero": lambda n: f"{n:02d}",
        "chineseCounting": _chinese,
        "chineseCountingThousand": _chinese,
        "ideographTraditional": lambda n: "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10],
        "decimalEnclosedCircle": lambda n: chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n),
        "decimalEnclosedParen": lambda n: f"({n})",
        "lowerLetter": lambda n: chr(ord("a") + (n - 1) % 26),
        "upperLetter": lambda n: chr(ord("A") + (n - 1) % 26),
    }

    def __init__(self, document) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId → level → (format, text, start)
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        q = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for node in root.iter(q + "abstractNum"):
            levels = {}
            for lvl in node.iter(q + "lvl"):
                fmt, text, start = lvl.find(q + "numFmt"), lvl.find(q + "lvlText"), lvl.find(q + "start")
                levels[int(lvl.get(q + "ilvl", 0))] = (
                    fmt.get(q + "val") if fmt is not None else "decimal",
                    text.get(q + "val") if text is not None else "",
                    int(start.get(q + "val")) if start is not None else 1,
                )
            abstract[node.get(q + "abstractNumId")] = levels
        for node in root.iter(q + "num"):
            ref = node.find(q + "abstractNumId")
            if ref is not None:
                self.levels[node.get(q + "numId")] = abstract.get(ref.get(q + "val"), {})

    def text(self, paragraph) -> str:
        text = paragraph.text
        if not self.levels:
            return text
        num = self._num_pr(paragraph)
        if num is None:
            return text
        num_id, level = num
        levels = self.levels.get(num_id)
        if not levels or level not in levels or levels[level][0] in ("bullet", "none"):
            return text
        counters = self.counters.setdefault(num_id, {})
        counters[level] = counters.get(level, levels[level][2] - 1) + 1
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]
        label = levels[level][1]
        for k in range(level + 1):
            fmt = levels.get(k, ("decimal", "", 1))[0]
            value = counters.get(k, levels.get(k, ("", "", 1))[2])
            label = label.replace(f"%{k + 1}", self._FORMATS.get(fmt, str)(value))
        return label + text if label and not text.startswith(label) else text

    @staticmethod
    def _num_pr(paragraph) -> tuple[str, int] | None:
        for ppr in (paragraph._p.pPr, getattr(getattr(paragraph.style, "element", None), "pPr", None)):
            num_pr = getattr(ppr, "numPr", None) if ppr is not None else None
            if num_pr is not None and num_pr.numId is not None:
                level = num_pr.ilvl.val if num_pr.ilvl is not None else 0
                return str(num_pr.numId.val), int(level)
        return None


def _pdf_lines(data: bytes, scans: ScanLog | None = None) -> list[str]:
    """Lines of a PDF's text layer, page by page, with its tables read as tables.

    pdfplumber sees a table's ruling lines, so a printed task table comes back
    as rows of cells (a cell's wrapped lines stay one cell) instead of lines to
    re-assemble. A page without a text layer (a scan) is rendered and read by OCR.
    Running headers and page numbers are removed afterwards.
    """
    import io
    import logging

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font warnings of ordinary PDFs, not ours to act on
    try:
        import pdfplumber
        from pdfminer.pdfparser import PDFSyntaxError
    except ImportError:  # pragma: no cover - pdfplumber is a dependency
        raise SkipFile("缺少 pdfplumber，无法读取 .pdf") from None
    scans = scans or ScanLog()
    pages: list[list[PdfLine]] = []
    bar = None
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                lines = _pdf_page_lines(page)
                if sum(len(line.text.strip()) for line in lines) < MIN_TEXT_LAYER:
                    if bar is None and scans.progress:
                        from tqdm import tqdm

                        bar = tqdm(total=len(pdf.pages), initial=number - 1, desc="文字识别", unit="页")
                    lines = _ocr_page(page.to_image(resolution=200).original, scans, number)
                if bar is not None:
                    bar.update(1)
                pages.append(lines)
                page.flush_cache()
                page.close()
    except SkipFile:
        raise
    except (PDFSyntaxError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SkipFile(f"无法解析 PDF（{exc or type(exc).__name__}）") from None
    except Exception as exc:  # pdfminer raises many kinds of its own on damaged files
        raise SkipFile(f"无法解析 PDF（{type(exc).__name__}: {exc}）") from None
    finally:
        if bar is not None:
            bar.close()
    if not any(line.text.strip() for page in pages for line in page):
        raise SkipFile("PDF 中没有文字：空白页，或扫描件经文字识别（OCR）也没有读出文字")
    return rejoin_wrapped([line for page in strip_page_furniture(pages) for line in [*page, PdfLine("")]])


def _ocr_page(image, scans: ScanLog, number: int) -> list[PdfLine]:
    from .ocr import OcrUnavailable, read_page

    try:
        scan = read_page(image, scans.cache)
    except OcrUnavailable as exc:
        raise SkipFile(str(exc)) from None
    scans.pages += 1
    if scan.confidence is not None:
        scans.confidences.append(scan.confidence)
    scans.low += [f"第{number}页“{word}”" for word in scan.low]
    return scan.lines


def _image_lines(data: bytes, scans: ScanLog, name: str) -> list[str]:
    """A picture of a document (a multi-page TIFF is several pages), read by OCR page by page."""
    import io

    from PIL import Image, ImageSequence, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = 120_000_000  # a 600 dpi A3 page fits; a decompression bomb does not
    pages: list[list[PdfLine]] = []
    try:
        with Image.open(io.BytesIO(data)) as image:
            for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
                frame.load()
                pages.append(_ocr_page(frame.copy(), scans, number))
    except SkipFile:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise SkipFile(f"图片无法解码（{type(exc).__name__}）：{name}") from None
    return rejoin_wrapped([line for page in strip_page_furniture(pages) for line in [*page, PdfLine("")]])


def _pdf_page_lines(page) -> list[PdfLine]:
    tables = [t for t in page.find_tables() if len(t.rows) >= 2 and len(t.rows[0].cells) >= 2]
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(outside) if boxes else page
    found = text_page.extract_text_lines(layout=False, strip=True, return_chars=False)
    left = min((line["x0"] for line in found), default=0)
    right = max((line["x1"] for line in found), default=0)
    placed: list[tuple[float, list[PdfLine]]] = []
    for line in found:
        size = max(line["bottom"] - line["top"], 1.0)
        wraps = line["x1"] >= right - 1.5 * size and line["x1"] - line["x0"] > 8 * size
        placed.append((line["top"], [PdfLine(line["text"], wraps, line["x0"] <= left + 0.5 * size)]))
    for table in tables:
        placed.append((table.bbox[1], [PdfLine(row) for row in _pdf_table_rows(table.extract())]))
    placed.sort(key=lambda item: item[0])
    return [line for _, block in placed for line in block]


def _pdf_table_rows(rows: list[list[str | None]]) -> list[str]:
    """pdfplumber marks a spanned cell None: in a row of one cell it spans the columns (a heading);
    otherwise it spans down from the row above, whose text it takes."""
    lines, above = [], []
    for row in rows:
        cells = [None if c is None else _unwrap(c) for c in row]
        filled = [c for c in cells if c is not None]
        if len(filled) <= 1:
            if filled and filled[0]:
                lines.append(filled[0])
            continue
        cells = [above[i] if c is None and i < len(above) else (c or "") for i, c in enumerate(cells)]
        above = cells
        lines.append("\t".join(cells))
    return ["", *lines, ""]


def _unwrap(cell: str) -> str:
    """A PDF cell's text with its visual line wraps undone: a name or a number cut at the cell's
    edge ("各街道办\n事处") is one again."""
    return join_pieces(cell.split("\n"))


_FURNITURE_CLASS = re.compile(
    r"(^|[-_\s])(nav|navbar|menu|footer|breadcrumbs?|crumbs?|share|sharebox|toolbar|sidebar|"
    r"friendlinks?|copyright|qrcode|ewm|login|search|top[-_]?bar|relate|related|xgwz|xgjd)([-_\s]|$)|^(header|head|top|bottom|foot|position|location|links)$",
    re.I,
)


def _html_lines(text: str) -> list[str]:
    """Visible block text of a web page; data tables become tab-separated rows.

    Page furniture goes by what it is: navigation, header and footer elements,
    and blocks whose class or id names them (nav, menu, breadcrumb, share,
    footer …). Tables are read innermost first; a table that holds another
    table, or long blocks of text, lays out the page and is unwrapped.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "footer", "form", "iframe", "button", "select", "template"]):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed or tag.name in ("html", "body", "table", "tr", "td", "th", "tbody", "thead"):
            continue
        names = [tag.get("id") or "", *(tag.get("class") or [])]
        if any(name and _FURNITURE_CLASS.search(name) for name in names):
            tag.decompose()
    while (table := _innermost_table(soup)) is not None:
        rows = _html_grid(table)
        if rows is None:  # a layout table: keep its content as blocks
            for cell in table.find_all(["td", "th"]):
                cell.name = "div"
            table.unwrap()
            continue
        block = soup.new_tag("pre")
        block["data-govqa-table"] = "1"
        block.string = "\n" + "\n".join(rows) + "\n"
        table.replace_with(block)
    body = soup.body or soup
    if not body.get_text(strip=True):
        raise SkipFile("网页没有正文（只有标题或页面框架）")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    blocks = ["p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "pre", "dd", "dt", "ul", "ol"]
    for tag in soup.find_all(blocks):
        tag.insert_before("\n")
        tag.insert_after("\n")
    return soup.get_text().splitlines()


def _innermost_table(soup):
    for table in soup.find_all("table"):
        if table.find("table") is None:
            return table
    return None


def _html_grid(table) -> list[str] | None:
    """Rows of an HTML table with rowspan and colspan resolved, as tab-separated lines.

    A cell spanning rows applies to each of them (its text is written into
    each, as Word's merged cells are); a cell spanning all columns is a row
    of one cell, a heading. None for a table that lays out a page.
    """
    trs = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    if not trs or table.find("pre", attrs={"data-govqa-table": True}) is not None:
        return None
    grid: dict[tuple[int, int], tuple[int, str]] = {}  # (row, col) → (cell id, text)
    cell_id = 0
    for r, tr in enumerate(trs):
        c = 0
        for td in tr.find_all(["td", "th"], recursive=False):
            while (r, c) in grid:
                c += 1
            text = " ".join(td.get_text(" ").split())
            if len(text) > 2000 or td.find(["p", "div"]) and len(td.find_all(["p", "div"])) > 8:
                return None  # page layout, not a table of data
            span_r, span_c = _span(td.get("rowspan")), _span(td.get("colspan"))
            for dr in range(span_r):
                for dc in range(span_c):
                    grid[(r + dr, c + dc)] = (cell_id, text)
            cell_id += 1
            c += span_c
    lines = []
    for r in range(len(trs)):
        cols = sorted(c for (row, c) in grid if row == r)
        cells, seen = [], set()
        for c in cols:
            ident, text = grid[(r, c)]
            if ident in seen:
                continue  # the same cell spanning columns
            seen.add(ident)
            cells.append(text)
        if any(cells):
            lines.append("\t".join(cells))
    return lines


def _span(value) -> int:
    try:
        return max(1, min(int(str(value).strip() or 1), 200))
    except ValueError:
        return 1
