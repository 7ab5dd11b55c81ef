"""Task tables: one passage per task, with the document's own numbers and owners."""

from __future__ import annotations

from collections import Counter

from tests.conftest import WUJIANG_2022, WUZHONG_2023


def _by_citation(doc):
    return {p.citation.split(" · ", 1)[1]: p for p in doc.passages}


def test_wuzhong_2023_has_108_tasks_and_11_targets(parsed):
    doc = parsed[WUZHONG_2023]
    roles = Counter(p.role for p in doc.passages)
    assert roles["task"] == 108
    assert roles["target"] == 11
    numbers = Counter(p.task_no for p in doc.passages if p.role == "task")
    assert sorted(numbers, key=lambda n: int(n.strip("()"))) == [f"({n})" for n in range(1, 101)]
    assert all(numbers[f"({n})"] == 2 for n in range(1, 9))
    assert all(numbers[f"({n})"] == 1 for n in range(9, 101))


def test_task_35_keeps_figure_lead_department_and_leader(parsed):
    p = _by_citation(parsed[WUZHONG_2023])["(35)"]
    assert "新增高标准农田 5800 亩" in p.text
    assert p.lead_departments == ("农业农村局",)
    assert p.departments == ("农业农村局", "资规分局", "农发集团")
    assert p.leaders == ("周学斌",)
    assert p.section[-1] == "提升乡村振兴美誉度"
    assert p.citation == "吴中区2023年主要工作任务分解方案 · (35)"


def test_numbers_used_twice_are_told_apart_by_their_part(parsed):
    cites = _by_citation(parsed[WUZHONG_2023])
    first, second = cites["打好三场硬仗 (3)"], cites["(一) 实施产业强区工程 (3)"]
    assert "四方缝合" in first.text and first.leaders == ("周学斌",)
    assert "打好三场硬仗" in first.section
    assert "做精特色产业" in second.text
    assert second.section[1].startswith("(一) 实施产业强区工程")


def test_targets_are_numbered_and_sit_under_the_targets_heading(parsed):
    cites = _by_citation(parsed[WUZHONG_2023])
    target = cites["目标2"]
    assert target.role == "target" and target.task_no == "目标2"
    assert target.text == "一般公共预算收入增长 6%以上"
    assert target.lead_departments == ("财政局",) and target.departments == ("财政局", "税务局")
    assert "主要预期目标" in target.section[0]


def test_row_holding_two_tasks_becomes_two_passages(parsed):
    cites = _by_citation(parsed[WUZHONG_2023])
    p70, p71 = cites["(70)"], cites["(71)"]
    assert "疫情防控" in p70.text and "<p>" not in p70.text and "(71)" not in p70.text
    assert "教育综合改革" in p71.text and "</p>" not in p71.text
    assert p70.lead_departments == ("卫健委",) and p71.lead_departments == ("教育局",)
    assert p70.leaders == ("朱筱菁",) and p71.leaders == ("朱筱菁",)


def test_names_with_stray_spaces_are_mended(parsed):
    cites = _by_citation(parsed[WUZHONG_2023])
    assert cites["打好三场硬仗 (6)"].leaders == ("周学斌", "李烨")
    assert cites["(42)"].leaders == ("李烨",)
    assert cites["(61)"].leaders == ("张伟",)
    # "张伟 烨": a lone character that ends exactly one known name is that name.
    assert cites["(一) 实施产业强区工程 (7)"].leaders == ("张伟", "李烨")
    assert cites["打好三场硬仗 (6)"].lead_departments == ("污防攻坚办", "水务局", "资规分局")


def test_repeated_page_headers_never_become_passages(parsed):
    for doc in (parsed[WUZHONG_2023], parsed[WUJIANG_2022]):
        assert not any("主要责任部门" in p.text or p.text.startswith("序号") for p in doc.passages)


def test_wujiang_2022_counts_its_108_items(parsed):
    doc = parsed[WUJIANG_2022]
    items = [p for p in doc.passages if p.role in ("task", "target")]
    assert len(items) == 108
    assert [p.task_no for p in items] == [f"第{n}项" for n in range(1, 109)]
    assert sum(p.role == "target" for p in items) == 11
    assert not doc.document.notes  # the declared 共108项 matched


def test_wujiang_merged_cells_carry_down_and_split_names_rejoin(parsed):
    items = {p.task_no: p for p in parsed[WUJIANG_2022].passages}
    assert items["第1项"].leaders == ("钱宇",)
    assert items["第2项"].leaders == ("钱宇",)  # empty cell under a merged one: same as above
    assert items["第2项"].lead_departments == ("区财政局",)
    assert items["第2项"].departments == ("区财政局", "吴江税务局")
    assert items["第6项"].leaders == ("季恒义", "吉伟")
    assert items["第28项"].leaders == ("陈建忠", "吉伟", "许诺")
    groups = {p.section[-1] for p in parsed[WUJIANG_2022].passages if p.role == "task"}
    assert {"提升城市品质", "推进乡村振兴", "汇聚整合创新资源", "强化民生基本保障", "维护社会安全稳定"} <= groups
    assert not groups & {"提升城", "市品质", "推进乡", "村振兴"}
    assert "新建219座、改建131座农村公厕" in items["第67项"].text
    assert items["第67项"].section == ("四、推进城乡融合发展，更美呈现江南水乡风貌", "推进乡村振兴")
    assert items["第60项"].leaders == ("陈建忠",) and "双拥模范城" in items["第60项"].text


def test_table_footnote_is_not_glued_to_the_last_task(parsed):
    last = [p for p in parsed[WUJIANG_2022].passages if p.role == "task"][-1]
    assert "注：" not in last.text and all("注：" not in d for d in last.departments)
