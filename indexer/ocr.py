"""Scanned pages: offline OCR (RapidOCR, PP-OCR models shipped in its wheel) and the page's
structure rebuilt from the boxes it finds.

The page is straightened first (a scanner tilts it by a degree or two) and its red
ink, an official seal, is turned white. OCR then gives text boxes, each a run of
characters with its corners and a confidence. From them this module rebuilds
what a text layer would have given: table rows, from the ruled cells found in
the image (every box falls into the cell that holds it, so a cell wrapped over
several lines stays one cell; without rules, from the header words and the 序号
column), and lines of text with their margins. The rows go on as tab-separated
lines to the same table logic as Word, HTML and PDF tables.

A page is read once: results are cached by the hash of its pixels, so a rebuild
does not OCR again.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import statistics
import threading
from dataclasses import dataclass
from pathlib import Path

from .headings import numbered_level
from .pages import PdfLine
from .tables import header_roles
from .textnorm import join_pieces

MIN_CONFIDENCE = 0.5  # below this a box is noise (speckle, a stamp's curved text), not a word
LOW_CONFIDENCE = 0.8  # kept, but reported in the index summary
ENGINE_VERSION = "rapidocr-onnxruntime-1.4-det-max2000"
_NUMBER_CELL = re.compile(r"^[（(]?\d{1,3}[)）]?[*＊]?[、.．]?$")

_engine = None
_engine_lock = threading.Lock()


class OcrUnavailable(RuntimeError):
    """The OCR package is not installed."""


@dataclass
class Box:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    confidence: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class PageScan:
    """One page read by OCR: its lines, the mean confidence and the words read with little."""

    lines: list[PdfLine]
    confidence: float | None
    low: list[str]
    boxes: int


def engine():
    global _engine
    with _engine_lock:
        if _engine is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:  # pragma: no cover - a dependency
                raise OcrUnavailable("缺少 rapidocr-onnxruntime，无法识别扫描件") from exc
            # "max": a page is never enlarged for detection (the default "min" blows a strip of a page
            # up to 736 pixels high, five times the work for nothing); large pages shrink to 2000.
            _engine = RapidOCR(det_limit_type="max", det_limit_side_len=2000)
        return _engine


def read_page(image, cache: Path | None = None) -> PageScan:
    """OCR one page image (PIL) and rebuild its lines and table rows."""
    import numpy as np
    from PIL import Image

    rgb = image.convert("RGB")
    angle = _skew_angle(np.asarray(rgb.convert("L")))
    if abs(angle) >= 0.1:  # a scanner's tilt: straighten the page so lines and ruled cells are level
        rgb = rgb.rotate(angle, resample=Image.BICUBIC, fillcolor=(255, 255, 255))
    pixels = _without_seal(np.asarray(rgb))
    key = hashlib.sha256(pixels.tobytes() + repr(pixels.shape).encode() + ENGINE_VERSION.encode()).hexdigest()
    raw = _cached(cache, key)
    grid = _grid(np.asarray(Image.fromarray(pixels).convert("L")))
    if raw is None:
        result, _ = engine()(pixels)
        raw = [[[list(map(float, p)) for p in quad], text, float(conf)] for quad, text, conf in (result or [])]
        raw = _split_across_borders(raw, pixels, grid)
        _store(cache, key, raw)
    boxes = []
    for quad, text, conf in raw:
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        box = Box(min(xs), min(ys), max(xs), max(ys), text.strip(), conf)
        if box.text and conf >= MIN_CONFIDENCE and not _is_seal(pixels, box):
            boxes.append(box)
    if not boxes:
        return PageScan([], None, [], 0)
    lines = _rebuild(boxes, grid)
    confidence = sum(b.confidence * len(b.text) for b in boxes) / sum(len(b.text) for b in boxes)
    low = [b.text for b in boxes if b.confidence < LOW_CONFIDENCE]
    return PageScan(lines, confidence, low, len(boxes))


def _skew_angle(gray) -> float:
    """The page's tilt in degrees: the rotation that makes its rows of ink most even
    (the variance of the row sums peaks when text lines and ruling lines are level)."""
    import numpy as np
    from PIL import Image

    height, width = gray.shape
    scale = 800 / max(width, 1)
    small = Image.fromarray(((gray < 160) * 255).astype("uint8")).resize((800, max(1, int(height * scale))))

    def score(angle: float) -> float:
        rows = np.asarray(small.rotate(angle, resample=Image.NEAREST)).sum(axis=1).astype(float)
        return float(rows.var())

    best = max((a / 10 for a in range(-30, 31, 2)), key=score)
    return max((best + a / 100 for a in range(-20, 21, 5)), key=score)


@dataclass
class Grid:
    """The ruled cells of a table on a page: bands of rows between horizontal rules,
    each cut into cells by the vertical rules that cross it."""

    bands: list[tuple[float, float, list[tuple[float, float]]]]  # (top, bottom, [(left, right) per cell])

    @property
    def borders(self) -> list[float]:
        return sorted({x for _, _, cells in self.bands for left, right in cells for x in (left, right)})

    def cell_of(self, box: Box) -> tuple[int, int] | None:
        for r, (top, bottom, cells) in enumerate(self.bands):
            if top <= box.cy <= bottom:
                for c, (left, right) in enumerate(cells):
                    if left <= box.cx <= right:
                        return r, c
        return None


def _grid(gray) -> Grid | None:
    """Ruling lines found by morphology: long horizontal and vertical runs of ink."""
    import cv2
    import numpy as np

    height, width = gray.shape
    ink = (gray < 170).astype(np.uint8)
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(30, width // 12), 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(15, height // 90))))
    rows = np.where(horizontal.sum(axis=1) > 0.3 * width)[0]
    rules = _runs(rows.tolist())
    if len(rules) < 3:
        return None
    xs = np.where(horizontal[int(rules[0])] > 0)[0]
    left, right = float(xs.min()), float(xs.max())
    bands = []
    for top, bottom in zip(rules, rules[1:], strict=False):
        if bottom - top < 12:
            continue
        inner = vertical[int(top) + 3 : int(bottom) - 2, :]
        crossing = _runs(np.where(inner.sum(axis=0) > 0.6 * inner.shape[0])[0].tolist())
        if not (any(abs(x - left) <= 6 for x in crossing) and any(abs(x - right) <= 6 for x in crossing)):
            continue  # not closed by the table's outer borders: text between rules (a letterhead's red line)
        borders = [x for x in crossing if left + 6 < x < right - 6]
        edges = [left, *borders, right]
        bands.append((float(top), float(bottom), [(a, b) for a, b in zip(edges, edges[1:], strict=False) if b - a > 8]))
    return Grid(bands) if bands else None


def _runs(values: list[int]) -> list[float]:
    """Centres of runs of consecutive integers: [3, 4, 5, 40, 41] → [4.0, 40.5]."""
    out, start, prev = [], None, None
    for v in values:
        if start is None:
            start = prev = v
        elif v == prev + 1:
            prev = v
        else:
            out.append((start + prev) / 2)
            start = prev = v
    if start is not None:
        out.append((start + prev) / 2)
    return out


def _split_across_borders(raw: list, pixels, grid: Grid | None) -> list:
    """A box the detector ran across a cell border ("2 82%以上" from 序号 and the task) is cut at
    the border and each part read again (recognition only)."""
    if grid is None:
        return raw
    borders = grid.borders
    out = []
    for quad, text, conf in raw:
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        cuts = [b for b in borders if x0 + 6 < b < x1 - 6]
        if not cuts:
            out.append([quad, text, conf])
            continue
        for a, b in zip([x0, *cuts], [*cuts, x1], strict=True):
            crop = pixels[int(max(y0, 0)) : int(y1) + 1, int(max(a, 0)) + 2 : int(b) - 1]
            if crop.size == 0 or crop.shape[1] < 4:
                continue
            result, _ = engine()(crop, use_det=False, use_cls=False, use_rec=True)
            for piece, score in result or []:
                if piece.strip():
                    out.append([[[a, y0], [b, y0], [b, y1], [a, y1]], piece, float(score)])
    return out


def _cached(cache: Path | None, key: str):
    if cache is None:
        return None
    path = cache / f"{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _store(cache: Path | None, key: str, raw) -> None:
    if cache is None:
        return
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = cache / f".{key}.tmp"
        tmp.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
        tmp.replace(cache / f"{key}.json")
    except OSError:
        pass  # a cache that cannot be written only costs time


def _without_seal(pixels):
    """The page with its red ink (an official seal over the signature and date) turned white,
    so the black text under the seal is found and the seal's own words are not."""
    rgb = pixels.astype(int)
    red = (rgb[..., 0] - (rgb[..., 1] + rgb[..., 2]) / 2 > 50) & (rgb[..., 0] > 120)
    if not red.any():
        return pixels
    clean = pixels.copy()
    clean[red] = 255
    return clean


def _is_seal(pixels, box: Box) -> bool:
    """An official seal is red: most of the ink in the box is far redder than it is green or blue."""
    region = pixels[int(max(box.y0, 0)) : int(box.y1) + 1, int(max(box.x0, 0)) : int(box.x1) + 1].astype(int)
    if region.size == 0:
        return False
    r, g, b = region[..., 0], region[..., 1], region[..., 2]
    ink = (r + g + b) < 600
    if ink.sum() < 10:
        return False
    red = ink & (r - (g + b) / 2 > 60)
    black = ink & (r < 110) & (g < 110) & (b < 110)  # printed text stays black where a seal lies over it
    return red.sum() > 0.5 * ink.sum() and black.sum() < 0.2 * ink.sum()


def _visual_lines(boxes: list[Box]) -> list[list[Box]]:
    """Boxes whose heights overlap by half form a line, read left to right."""
    lines: list[list[Box]] = []
    for box in sorted(boxes, key=lambda b: b.cy):
        if lines:
            last = lines[-1]
            top, bottom = min(b.y0 for b in last), max(b.y1 for b in last)
            overlap = min(bottom, box.y1) - max(top, box.y0)
            if overlap > 0.5 * min(box.height, bottom - top):
                last.append(box)
                continue
        lines.append([box])
    return [sorted(line, key=lambda b: b.x0) for line in lines]


def _rebuild(boxes: list[Box], grid: Grid | None = None) -> list[PdfLine]:
    """Lines of text and rows of the ruled table, in reading order."""
    in_grid: dict[tuple[int, int], list[Box]] = {}
    loose = []
    for box in boxes:
        cell = grid.cell_of(box) if grid else None
        if cell is None:
            loose.append(box)
        else:
            in_grid.setdefault(cell, []).append(box)
    placed: list[tuple[float, list[PdfLine]]] = []
    if grid:
        for r, (top, _, cells) in enumerate(grid.bands):
            texts = [_cell_text(in_grid.get((r, c), [])) for c in range(len(cells))]
            if not any(texts):
                continue
            line = texts[0] if len(cells) == 1 else "\t".join(texts)
            placed.append((top, [PdfLine(line)]))
    if loose:
        placed += _loose_lines(loose)
    placed.sort(key=lambda item: item[0])
    lines = [line for _, block in placed for line in block]
    return lines


def _cell_text(boxes: list[Box]) -> str:
    return join_pieces([b.text for line in _visual_lines(boxes) for b in line])


def _loose_lines(boxes: list[Box]) -> list[tuple[float, list[PdfLine]]]:
    """Text outside ruled tables: lines, with a table known by its header words where no rules are drawn."""
    rows = _visual_lines(boxes)
    height = statistics.median(b.height for b in boxes)
    left = min(b.x0 for b in boxes)
    right = max(b.x1 for b in boxes)
    out: list[tuple[float, list[PdfLine]]] = []
    i = 0
    while i < len(rows):
        line = rows[i]
        roles = header_roles([b.text for b in line]) if len(line) >= 2 else None
        if roles:
            table, end = _table(rows, i, roles, height)
            out.append((min(b.y0 for b in line), [PdfLine(""), *[PdfLine(r) for r in table], PdfLine("")]))
            i = end
            continue
        text = join_pieces(b.text for b in line)
        wraps = line[-1].x1 >= right - 1.5 * height
        out.append((min(b.y0 for b in line), [PdfLine(text, wraps=wraps, flush_left=line[0].x0 <= left + 0.6 * height)]))
        i += 1
    return out


def _table(rows: list[list[Box]], start: int, roles: list[str | None], height: float) -> tuple[list[str], int]:
    """Rows of a table from the header at rows[start] on; returns the rows and the next line's index."""
    header = rows[start]
    bounds = [-math.inf] + [(a.x1 + b.x0) / 2 for a, b in zip(header, header[1:], strict=False)] + [math.inf]
    seq = roles.index("seq") if "seq" in roles else None
    width = len(header)
    out: list[str] = [("\t".join(b.text for b in header))]
    cells: list[list[str]] | None = None
    last_bottom = max(b.y1 for b in header)
    i = start + 1

    def flush() -> None:
        nonlocal cells
        if cells is not None:
            out.append("\t".join(join_pieces(c) for c in cells))
        cells = None

    while i < len(rows):
        line = rows[i]
        top = min(b.y0 for b in line)
        if top - last_bottom > 3.0 * height:
            break  # a wide gap: the table is over
        texts = [b.text for b in line]
        if len(line) >= 2 and header_roles(texts) == roles:  # the header repeated on a new page
            flush()
            last_bottom = max(b.y1 for b in line)
            i += 1
            continue
        column = [_column(b, bounds) for b in line]
        widest = max(bounds[n + 1] - bounds[n] for n in range(1, width - 1)) if width > 2 else math.inf
        if len(line) == 1 and not _NUMBER_CELL.match(texts[0]) and (numbered_level(texts[0]) in (1, 2) or line[0].x1 - line[0].x0 > widest):
            flush()
            out.append(texts[0])  # a group heading across the table
            last_bottom = max(b.y1 for b in line)
            i += 1
            continue
        opens = seq is not None and any(c == seq and _NUMBER_CELL.match(b.text) for c, b in zip(column, line, strict=True))
        if cells is None or opens or (seq is None and 0 in column):
            flush()
            cells = [[] for _ in range(width)]
        for c, b in zip(column, line, strict=True):
            cells[c].append(b.text)
        last_bottom = max(b.y1 for b in line)
        i += 1
    flush()
    return out, i


def _column(box: Box, bounds: list[float]) -> int:
    for n in range(len(bounds) - 1):
        if bounds[n] <= box.cx < bounds[n + 1]:
            return n
    return len(bounds) - 2
