"""List-style 分解方案: the ways an item states its owners, each read into the same fields."""

from __future__ import annotations

from indexer.parse import parse_file


def _tasks(tmp_path, text: str):
    path = tmp_path / "plan.txt"
    path.write_text(text, encoding="utf-8")
    parsed = parse_file(path)
    assert parsed.document.kind == "task_list"
    return {p.task_no: p for p in parsed.passages if p.role == "task"}


def test_owner_lines_under_a_heading_hold_for_its_group(tmp_path):
    tasks = _tasks(
        tmp_path,
        "海沧区2024年重点工作任务分解方案\n各镇街，区直各部门：\n现将任务分解如下，请抓好落实。\n一、推动产业升级\n"
        "（一）优化营商环境\n责任领导：李明\n1. 新增市场主体1.2万户。\n牵头单位：区市场监管局；配合单位：区商务局\n"
        "2. 政务服务事项网办率达到98%。\n牵头单位：区数据局\n（二）扩大有效投资\n责任领导：王强\n"
        "3. 实施重点项目120个。\n牵头单位：区发改局；配合单位：区财政局\n完成时限：2024年12月底\n",
    )
    assert tasks["(1)"].leaders == ("李明",) and tasks["(2)"].leaders == ("李明",) and tasks["(3)"].leaders == ("王强",)
    assert tasks["(1)"].lead_departments == ("区市场监管局",) and tasks["(1)"].departments == ("区市场监管局", "区商务局")
    assert tasks["(3)"].deadline == "2024年12月底" and tasks["(2)"].deadline is None
    assert "优化营商环境" in tasks["(1)"].section[-1]


def test_owners_said_as_a_phrase_or_marked_in_a_list(tmp_path):
    tasks = _tasks(
        tmp_path,
        "江北区2024年重点工作任务分解方案\n各街道，区直各部门：\n现将任务分解如下，请抓好落实。\n一、推动产业升级\n"
        "1. 新增市场主体1.2万户，其中企业4500户。（区市场监管局牵头，区商务局、各街道配合）\n"
        "2. 实施重点项目120个，完成投资260亿元。\n区发改局牵头，区财政局配合，2024年12月底前完成。\n"
        "3. 新建口袋公园15个。\n责任单位：区住建局（牵头）、区城管局、各街道\n",
    )
    assert tasks["(1)"].text == "新增市场主体1.2万户，其中企业4500户。"
    assert tasks["(1)"].lead_departments == ("区市场监管局",) and tasks["(1)"].departments == ("区市场监管局", "区商务局", "各街道")
    assert tasks["(2)"].lead_departments == ("区发改局",) and tasks["(2)"].deadline == "2024年12月底前"
    assert tasks["(3)"].lead_departments == ("区住建局",) and tasks["(3)"].departments == ("区住建局", "区城管局", "各街道")


def test_a_preamble_with_numbered_paragraphs_is_not_a_task(tmp_path):
    tasks = _tasks(
        tmp_path,
        "宁乡市2023年重点工作任务分工\n各镇街，市直各部门：\n"
        "一、各牵头单位要于每季度末月25日前报送进展情况。\n二、请认真抓好落实。\n"
        "（一）扩大有效投资\n1. 实施重点项目98个。\n牵头单位：市发改局\n2. 新增专项债券资金20亿元。\n牵头单位：市财政局\n",
    )
    assert sorted(tasks) == ["(1)", "(2)"]


def test_word_auto_numbering_gives_the_items_their_numbers(tmp_path):
    """Word draws "1." in front of a List Number paragraph; it is not in the paragraph's text."""
    import docx

    document = docx.Document()
    document.add_paragraph("西陵区2024年重点工作任务分解方案")
    document.add_paragraph("各街道，区直各部门：")
    document.add_paragraph("一、推动产业升级")
    for text, owners in (("新增市场主体1.2万户。", "牵头单位：区市场监管局"), ("实施重点项目120个。", "牵头单位：区发改局；配合单位：区财政局")):
        document.add_paragraph(text, style="List Number")
        document.add_paragraph(owners)
    path = tmp_path / "numbered.docx"
    document.save(path)
    tasks = {p.task_no: p for p in parse_file(path).passages if p.role == "task"}
    assert sorted(tasks) == ["(1)", "(2)"]
    assert tasks["(2)"].text == "实施重点项目120个。" and tasks["(2)"].departments == ("区发改局", "区财政局")
