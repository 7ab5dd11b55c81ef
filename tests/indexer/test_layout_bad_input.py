"""Documents the layout parsers cannot fully understand: indexed as far as they go, or skipped
with a reason a person can act on, never a crash."""

from __future__ import annotations

import io

import pytest

from indexer.parse import parse_file
from indexer.readers import SkipFile, read_source


def test_docx_without_tables_is_read_as_running_text(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("宜昌市西陵区2024年政府工作报告")
    document.add_paragraph("一、2023年工作回顾")
    document.add_paragraph("全年地区生产总值增长6.1%，新建改造城市道路23条，新增城镇就业1.6万人。")
    path = tmp_path / "report.docx"
    document.save(path)
    doc = parse_file(path)
    assert doc.document.kind == "work_report" and doc.document.district == "西陵区" and doc.document.year == 2024
    assert any("新建改造城市道路23条" in p.text for p in doc.passages)


def test_table_without_a_recognisable_header_keeps_its_text(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text(
        "西陵区2024年民生实事清单\n甲\t乙\t丙\n新建口袋公园12个\t区园林局\t6月底\n改造老旧小区45个\t区住建局\t12月底\n",
        encoding="utf-8",
    )
    doc = parse_file(path)
    assert doc.document.kind == "work_report"
    assert any("新建口袋公园12个" in p.text for p in doc.passages)


def test_html_page_without_a_body_is_skipped_with_its_reason(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>西陵区人民政府</title></head><body><script>var a='正文';</script></body></html>", encoding="utf-8")
    with pytest.raises(SkipFile, match="没有正文"):
        read_source(path)


def test_scanned_pdf_without_a_text_layer_says_it_needs_ocr(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    path = tmp_path / "scan.pdf"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(SkipFile, match="OCR"):
        read_source(path)


def test_broken_pdf_is_skipped_with_its_reason(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\nxref\n0 1\ngarbage\n%%EOF")
    with pytest.raises(SkipFile):
        read_source(path)
