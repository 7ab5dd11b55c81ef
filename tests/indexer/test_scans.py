"""Scanned documents read by OCR, checked against structure written by hand.

tests/fixtures/scans/docs/ holds image-only PDFs and pictures made from pages a
helper wrote (rendered with Chromium, then greyed, tilted, speckled and stamped
as a scanner and an office would); truth/<doc_id>.json says, from the source
pages alone, every task with its number, owners, leader and deadline. Each page
is read once per test session (the OCR cache is shared by the tests).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.readers import SkipFile, read_source
from tests.indexer.test_layouts import FIELDS, score

SCANS = Path(__file__).resolve().parents[1] / "fixtures" / "scans"
TRUTHS = sorted((SCANS / "truth").glob("*.json"))


@pytest.mark.parametrize("path", TRUTHS, ids=[p.stem for p in TRUTHS])
def test_scanned_structure(path, ocr_cache):
    truth = json.loads(path.read_text(encoding="utf-8"))
    s = score(truth, ocr_cache=ocr_cache)
    detail = "\n".join(s.problems[:30])
    assert s.recall >= 0.98 and s.precision >= 0.98, f"recall {s.recall:.3f} precision {s.precision:.3f}\n{detail}"
    for name in FIELDS:
        assert s.field_accuracy(name) >= 0.98, f"{name} {s.field_accuracy(name):.3f}\n{detail}"
    assert not [p for p in s.problems if p.split(":")[0] in ("district", "year", "kind")], detail
    assert not [p for p in s.problems if p.startswith(("glossary", "paragraph", "furniture"))], detail


def test_a_scan_says_it_was_read_by_ocr(ocr_cache):
    from indexer.parse import parse_source

    path = next((SCANS / "docs").glob("S02_*"))
    parsed = parse_source(read_source(path, ocr_cache=ocr_cache))
    assert any(note.startswith("扫描件：1 页由 OCR 识别") for note in parsed.document.notes)
    assert all(p.ocr_confidence is not None and 0.5 < p.ocr_confidence <= 1 for p in parsed.passages)


def test_a_rebuild_reads_each_page_from_the_cache(ocr_cache, monkeypatch):
    import indexer.ocr as ocr

    path = next((SCANS / "docs").glob("S02_*"))
    first = read_source(path, ocr_cache=ocr_cache)
    monkeypatch.setattr(ocr, "engine", lambda: pytest.fail("the page was read again"))
    assert read_source(path, ocr_cache=ocr_cache).lines == first.lines


def test_blank_pages_and_pictures_that_are_not_documents_are_skipped_with_a_reason(tmp_path):
    import numpy as np
    from PIL import Image

    blank = tmp_path / "blank.png"
    Image.new("RGB", (1240, 1754), "white").save(blank)
    photo = tmp_path / "photo.jpg"
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (600, 800, 3), dtype=np.uint8)).save(photo)
    for path in (blank, photo):
        with pytest.raises(SkipFile, match="没有识别出文字|没有中文"):
            read_source(path)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with pytest.raises(SkipFile, match="图片无法解码"):
        read_source(broken)


def _chinese(n: int) -> str:
    digits = "零一二三四五六七八九"
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    text = (digits[hundreds] + "百") if hundreds else ""
    if tens:
        text += ("" if tens == 1 and not hundreds else digits[tens]) + "十"
    elif hundreds and ones:
        text += "零"
    return text + (digits[ones] if ones else "")


def test_a_300_page_scan_is_read_page_by_page_in_bounded_memory(tmp_path):
    """300 scanned pages in one PDF: every page read, one at a time — the process's peak memory
    grows by far less than the pages, rendered for OCR, would take together."""
    import json
    import subprocess
    import sys

    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 20)
    pages = []
    for n in range(1, 301):  # each page its own words: a line repeated on every page is a running header
        page = Image.new("L", (320, 60), 255)
        ImageDraw.Draw(page).text((12, 16), f"第{_chinese(n)}项 新建公园", font=font, fill=0)
        pages.append(page)
    path = tmp_path / "long_scan.pdf"
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=72)
    script = (
        "import json, resource, sys; from pathlib import Path; from indexer.readers import read_source; "
        "read_source(Path(sys.argv[2]));"  # the OCR engine loaded and its buffers set up by a first page
        "warm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; s = read_source(Path(sys.argv[1])); "
        "print(json.dumps({'lines': s.lines, 'notes': s.notes, 'warm_kb': warm, 'peak_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))"
    )
    first = tmp_path / "one_page.pdf"
    pages[0].save(first, resolution=72)
    out = subprocess.run([sys.executable, "-c", script, str(path), str(first)], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    text = "".join(result["lines"])
    assert result["notes"][0].startswith("扫描件：300 页由 OCR 识别")
    assert sum(f"第{_chinese(n)}项" in text for n in range(1, 301)) >= 294
    rendered_mb = 300 * (320 / 72 * 200) * (60 / 72 * 200) * 3 / 2**20  # all pages rendered at 200 dpi, held at once
    assert (result["peak_kb"] - result["warm_kb"]) / 1024 < rendered_mb / 2
