"""A document's title, district and year come from the document, never from its file name."""

from __future__ import annotations

from indexer.parse import parse_file


def test_title_from_the_covering_notice(tmp_path):
    path = tmp_path / "a1b2c3.txt"
    path.write_text(
        "宁波市江北区人民政府办公室关于印发《江北区2024年政府工作报告重点工作任务分解方案》的通知\n"
        "各街道办事处，区政府各部门：\n现印发给你们，请认真贯彻执行。\n"
        "序号\t工作任务\t牵头单位\t完成时限\n1\t新建口袋公园15个。\t区住建局\t2024年10月底前\n",
        encoding="utf-8",
    )
    doc = parse_file(path).document
    assert (doc.title, doc.district, doc.year) == ("江北区2024年政府工作报告重点工作任务分解方案", "江北区", 2024)


def test_title_from_the_word_file_title_property_when_the_text_names_none(tmp_path):
    import docx

    document = docx.Document()
    document.core_properties.title = "天心区2023年重点民生实事项目责任分解表"
    document.add_paragraph("一、教育")
    document.add_paragraph("新建、改扩建中小学5所，新增学位6000个，由区教育局负责实施，年底前完成。")
    path = tmp_path / "scan0001.docx"
    document.save(path)
    doc = parse_file(path).document
    assert (doc.title, doc.district, doc.year) == ("天心区2023年重点民生实事项目责任分解表", "天心区", 2023)
