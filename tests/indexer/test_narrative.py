"""Work reports: headings, mended page breaks, no web furniture, one passage per glossary entry."""

from __future__ import annotations

import re

from indexer.narrative import split_units
from indexer.textnorm import ends_thought
from tests.conftest import REPORTS, WUZHONG_2025, XIANGCHENG_2023


def test_glossary_has_its_33_entries(parsed):
    entries = [p for p in parsed[XIANGCHENG_2023].passages if p.role == "glossary"]
    assert len(entries) == 33
    assert all(p.section == ("名词解释",) for p in entries)
    first = entries[0]
    assert first.text == "双中心：指把高铁新城建设成为长三角区域枢纽中心，把相城区建设成为现代化高科技中心城区。"
    assert first.citation == "相城区2023年政府工作报告 · 名词解释 · 双中心"
    by_term = {p.citation.rsplit(" · ", 1)[1]: p for p in entries}
    # Entry numbers glued to a number in the term ("9.2 个特色示范区") and entries broken over lines.
    assert "2 个特色示范区" in by_term
    assert "23 个“三年行动计划”" in by_term
    assert by_term["惠企通"].text.startswith("惠企通：是相城区打造的企业全生命周期服务平台，提供政策申报")
    assert "三项机制" in by_term and "能上能下" in by_term["三项机制"].text


def test_page_breaks_are_mended(parsed):
    texts = "".join(p.text for p in parsed[XIANGCHENG_2023].passages)
    assert "标定了相城建设“双中心”的发展坐标" in texts
    raw = (REPORTS / f"{XIANGCHENG_2023}.txt").read_text(encoding="utf-8").splitlines()
    lines = [line.strip() for line in raw if line.strip()]
    glossary_at = next(i for i, line in enumerate(lines) if line.replace(" ", "") == "名词解释")
    joins = 0
    for left, right in zip(lines[:glossary_at], lines[1:glossary_at], strict=False):
        if len(left) > 40 and not ends_thought(left):
            seam = left[-3:] + right[:3]
            assert re.sub(r"\s", "", seam) in re.sub(r"\s", "", texts), seam
            joins += 1
    assert joins >= 10


def test_heading_path_of_a_report(parsed):
    passages = parsed[XIANGCHENG_2023].passages
    hit = next(p for p in passages if "新（续）建学校 12 所、竣工 5 所" in p.text)
    assert hit.section[:2] == ("二、2023 年主要任务", "（四）丝发必兴，倾心绘就“全景式”的幸福画卷")
    assert hit.section[-1] == "引育并举优供给"
    lead = next(p for p in passages if p.text.startswith("落好“项目子”"))
    assert lead.section[-1] == "落好“项目子”，筑牢发展支撑点"


def test_scraped_page_loses_menu_and_footer(parsed):
    doc = parsed[WUZHONG_2025]
    texts = [p.text for p in doc.passages]
    for junk in ("导航菜单", "本站", "本文地址", "留言与评论", "验证码", "昵称", "/baogao/"):
        assert not any(junk in t for t in texts), junk
    assert doc.document.title == "吴中区2025年政府工作报告"
    targets = next(p for p in doc.passages if "规上工业产值增长4%以上" in p.text)
    assert targets.section[0] == "2025年主要目标和任务"
    assert any(p.section[-2:] == ("2025年主要目标和任务", "全面建设人民满意政府") for p in doc.passages)


def test_passages_are_clause_level(parsed):
    for doc_id in (WUZHONG_2025, XIANGCHENG_2023):
        for p in parsed[doc_id].passages:
            assert len(p.text) <= 220, p.citation
            assert p.text.strip() == p.text and "\n" not in p.text


def test_no_broken_words_in_narrative_passages(parsed):
    for doc_id in (WUZHONG_2025, XIANGCHENG_2023):
        for p in parsed[doc_id].passages:
            assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", p.text), p.text


def test_unnumbered_headings_take_their_level_from_position():
    lines = [
        "一、总体要求",
        "打好三场硬仗",
        "第一段内容，说明情况。",
        "（一）实施产业强区工程",
        "第二段内容，说明情况。",
        "全面建设人民满意政府",
        "第三段内容，说明情况。",
    ]
    units = split_units(lines)
    assert [u.section for u in units] == [
        ("一、总体要求", "打好三场硬仗"),
        ("一、总体要求", "（一）实施产业强区工程"),
        ("一、总体要求", "全面建设人民满意政府"),
    ]


def test_a_report_sentence_mentioning_a_message_board_is_not_a_footer():
    from indexer.boilerplate import strip_boilerplate

    body = [f"第{i}项工作扎实推进，完成年度目标任务。" for i in range(12)]
    tail = [
        "12345 热线接通率、领导留言板受理诉求满意率持续提升，群众获得感不断增强。",
        "名 词 解 释",
        "1. 双中心：指高铁新城和相城区两个中心。",
        "本文仅代表作者观点，不代表本站立场，未经许可不得转载。",
        "留言与评论",
    ]
    kept, removed = strip_boilerplate(body + tail)
    assert kept == body + tail[:3] and removed == 2
