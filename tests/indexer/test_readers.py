"""Reading files of every kind a deployment brings: encodings, formats, and files to refuse."""

from __future__ import annotations

import pytest

from indexer.build import parse_files
from indexer.readers import SkipFile, read_source

REPORT = (
    "苏州市吴中区人民政府2023年主要工作任务分解方案\n"
    "一、总体要求\n"
    "全面提升农业园区发展质量，新增高标准农田 5800 亩。\n"
)
TABLE_ROWS = [
    ["序号", "名称", "工作任务", "主要责任部门", "分管区领导"],
    ["1", "提升乡村振兴美誉度", "(35)新增高标准农田 5800 亩。", "★农业农村局、资规分局", "周学斌"],
    ["", "", "(36)举办首届中国洞庭山碧螺春茶文化节。", "★农业农村局、市场监管局", "周学斌"],
]


@pytest.mark.parametrize(
    ("encoding", "prefix", "label"),
    [("utf-8", b"", "utf-8"), ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"), ("gbk", b"", "gb18030"), ("gb18030", b"", "gb18030")],
)
def test_text_encodings_are_detected(tmp_path, encoding, prefix, label):
    path = tmp_path / "report.txt"
    path.write_bytes(prefix + REPORT.encode(encoding))
    source = read_source(path)
    assert source.encoding == label
    assert "新增高标准农田 5800 亩" in "\n".join(source.lines)
    assert not source.lines[0].startswith("\ufeff")


def test_utf16_with_bom(tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes(REPORT.encode("utf-16"))
    assert "高标准农田" in "\n".join(read_source(path).lines)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "空文件"),
        ("blank.txt", b"   \n\t\n  ", "空文件"),
        ("binary.txt", bytes(range(256)) * 4, "二进制"),
        ("english.txt", b"Quarterly report\nNothing in Chinese here.\n", "没有中文"),
        ("image.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "图片无法解码"),  # a picture is read by OCR now; this one cannot be decoded
        ("broken.docx", b"PK\x03\x04 not really a zip", ".docx"),
    ],
)
def test_files_we_cannot_use_are_refused_with_a_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SkipFile, match=reason):
        read_source(path)


def test_missing_file_is_a_reason_not_a_crash(tmp_path):
    with pytest.raises(SkipFile, match="删除"):
        read_source(tmp_path / "gone.txt")


def test_build_skips_bad_files_and_keeps_good_ones(tmp_path):
    (tmp_path / "good.txt").write_text(REPORT, encoding="gbk")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    parsed, skipped = parse_files(sorted(tmp_path.iterdir()))
    assert [p.document.doc_id for p in parsed] == ["good"]
    assert {s["file"].rsplit("/", 1)[1]: s["reason"] for s in skipped} == {"binary.txt": "二进制文件（不是文本）", "empty.txt": "空文件"}


def test_docx_tables_and_paragraphs(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("苏州市吴中区人民政府2023年主要工作任务分解方案")
    table = document.add_table(rows=len(TABLE_ROWS), cols=5)
    for r, row in enumerate(TABLE_ROWS):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    table.cell(1, 4).merge(table.cell(2, 4))  # one leader cell spanning both tasks
    path = tmp_path / "wuzhong.docx"
    document.save(path)
    parsed, skipped = parse_files([path])
    assert not skipped
    tasks = {p.task_no: p for p in parsed[0].passages}
    assert tasks["(35)"].text == "新增高标准农田 5800 亩。"
    assert tasks["(35)"].lead_departments == ("农业农村局",)
    assert tasks["(36)"].leaders == ("周学斌",)
    assert tasks["(36)"].section == ("提升乡村振兴美誉度",)
    assert parsed[0].document.title == "吴中区2023年主要工作任务分解方案"


def test_html_page_with_table_and_scripts(tmp_path):
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in TABLE_ROWS)
    page = (
        "<html><head><meta charset='gbk'><script>var menu = '导航';</script></head><body>"
        "<nav>首页 &gt; 政务公开</nav><h1>苏州市吴中区人民政府2023年主要工作任务分解方案</h1>"
        f"<table>{rows}</table><footer>版权所有 本站</footer></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_bytes(page.encode("gbk"))
    parsed, skipped = parse_files([path])
    assert not skipped
    tasks = {p.task_no: p for p in parsed[0].passages}
    assert set(tasks) == {"(35)", "(36)"}
    assert not any("var menu" in p.text or "版权" in p.text for p in parsed[0].passages)


def test_pdf_without_text_is_refused(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(SkipFile, match="文字识别"):
        read_source(path)
