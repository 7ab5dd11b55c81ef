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
