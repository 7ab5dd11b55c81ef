"""Retrieval on real questions: the right task first, filters read from the question, no neighbours' answers."""

from __future__ import annotations

import pytest

from tests.conftest import WUJIANG_2022, WUZHONG_2023, WUZHONG_2025, XIANGCHENG_2023

# (question, doc, a piece of the citation of the right passage)
RANK_ONE = [
    # lexical
    ("吴中区2023年新增多少高标准农田", WUZHONG_2023, "· (35)"),
    ("吴中区2023年举办首届中国洞庭山碧螺春茶文化节由哪个部门牵头", WUZHONG_2023, "· (36)"),
    ("吴江区2022年新增停车泊位多少个", WUJIANG_2022, "· 第57项"),
    ("相城区2023年新建屋顶光伏多少兆瓦", XIANGCHENG_2023, "始终坚持绿色发展"),
    # paraphrased (shorthand, other words)
    ("吴中 2023 保租房 建几套", WUZHONG_2023, "· (75)"),
    ("吴中区2023年太阳能并网要新增多少", WUZHONG_2023, "· (60)"),
    ("吴江2022年农村厕所新建改建多少座", WUJIANG_2022, "· 第67项"),
    ("吴中2023年退伍军人服务管理归谁管", WUZHONG_2023, "· (85)"),
    ("相城的惠企通是个什么平台", XIANGCHENG_2023, "名词解释 · 惠企通"),
    ("什么是双中心", XIANGCHENG_2023, "名词解释 · 双中心"),
    # the same topic in several districts and years: only the named one decides
    ("吴中区2023年新辟优化公交线路多少条", WUZHONG_2023, "· (27)"),
    ("吴中区2025年新辟优化公交线路多少条", WUZHONG_2025, "提升运营效能"),
    ("相城区2023年新辟优化几条公交线路", XIANGCHENG_2023, "精致构筑配套功能"),
    ("吴江区2022年一般公共预算收入预期增长多少", WUJIANG_2022, "· 第2项"),
    ("吴中区2023年一般公共预算收入预期增长多少", WUZHONG_2023, "· 目标2"),
    ("相城区2022年改造老旧小区住宅多少套", XIANGCHENG_2023, "这一年，民生情怀依然"),
]


@pytest.mark.parametrize(("question", "doc", "cite"), RANK_ONE)
def test_right_passage_first(searcher, question, doc, cite):
    top = searcher.search(question, k=5).hits[0].passage
    assert top.doc_id == doc and cite in top.citation, [h.passage.citation for h in searcher.search(question, k=5).hits]


def test_twice_used_numbers_are_found_in_their_part(searcher):
    top = searcher.search("吴中区2023年打好三场硬仗中基础设施四方缝合由哪位区领导分管", k=3).hits[0].passage
    assert top.citation.endswith("打好三场硬仗 (3)") and top.leaders == ("周学斌",)
    top = searcher.search("吴中区2023年做精特色产业检验检测认证产业营业收入增长多少", k=3).hits[0].passage
    assert top.citation.endswith("(一) 实施产业强区工程 (3)")


@pytest.mark.parametrize(
    ("question", "filters"),
    [
        ("吴中区2023年一般公共预算收入预期增长多少？", {"district": "吴中区", "year": 2023}),
        ("吴中 2023 社零 增长目标", {"district": "吴中区", "year": 2023}),
        ("吴中区今年要新增多少家国家级旅游民宿？", {"district": "吴中区", "year": 2025}),
        ("相城 2022 新增学位 多少", {"district": "相城区", "year": 2022}),
        ("相城报告里的“三项机制”指什么？", {"district": "相城区", "kind": "work_report"}),
        ("新增停车泊位2000个以上", {}),
    ],
)
def test_filters_are_read_from_the_question(searcher, question, filters):
    shown = searcher.search(question).public()["filters"]
    assert {k: v for k, v in shown.items() if k != "from_question"} == filters
    assert set(shown.get("from_question", [])) == set(filters)


@pytest.mark.parametrize("district", ["吴中区", "吴江区", "相城区"])
def test_a_named_district_is_never_answered_by_another(searcher, district):
    for topic in ("高标准农田", "公交线路", "口袋公园", "保障性租赁住房", "新增学位", "光伏"):
        hits = searcher.search(f"{district[:2]} {topic}", k=10).hits
        assert hits and {h.passage.district for h in hits} == {district}


def test_year_of_a_review_is_the_year_it_reviews(searcher):
    hits = searcher.search("相城区2022年新增学位多少个", k=10).hits
    assert hits[0].passage.doc_id == XIANGCHENG_2023 and "新增学位 7214 个" in hits[0].passage.text
    assert all(h.passage.section[0] == "一、2022年工作总结" for h in hits)


def test_filter_that_matches_nothing_says_so(searcher):
    result = searcher.search("姑苏区2023年新增多少口袋公园")
    assert result.hits == [] and "姑苏区" in result.message
    assert result.public()["filters"]["district"] == "姑苏区"


def test_explicit_parameters_override_the_question(searcher):
    hits = searcher.search("吴中区 公交线路", district="吴江区", k=5).hits
    assert {h.passage.district for h in hits} == {"吴江区"}
    anywhere = searcher.search("吴中区 公交线路", district="", k=10).hits
    assert len({h.passage.district for h in anywhere}) > 1
    any_year = searcher.search("吴中区2023年 公交线路", year=0, k=10).public()["filters"]
    assert "year" not in any_year and any_year["district"] == "吴中区"
    only = searcher.search("公交线路", doc_id=WUZHONG_2025, k=5).hits
    assert {h.passage.doc_id for h in only} == {WUZHONG_2025}


def test_hits_are_distinct_and_owned(searcher):
    from indexer.passage import KIND_TASK_TABLE, KIND_WORK_REPORT

    # question → (citation of a task among its hits, its lead department(s), other responsible departments, words of its text)
    owned = {
        "高标准农田": ("吴中区2023年主要工作任务分解方案 · (35)", ("农业农村局",), {"资规分局", "农发集团"}, "新增高标准农田 5800 亩"),
        "吴中 公交": ("吴中区2023年主要工作任务分解方案 · (27)", ("交运局",), {"城投集团"}, "优化公交线路 12 条"),
        "吴江 2022 养老服务": ("吴江区2022年重点工作目标任务分解落实方案 · 第93项", ("区民政局",), {"卫健委"}, "养老服务中心"),
        "相城 2023 学校": (None, (), set(), "学校"),  # a work report: its passages name no owner
    }
    for question, (citation, lead, others, words) in owned.items():
        hits = searcher.search(question, k=20).hits
        assert hits, question
        assert len({h.passage.citation for h in hits}) == len(hits)
        assert len({h.passage.text for h in hits}) == len(hits)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        for h in hits:
            p = h.passage
            assert set(p.lead_departments) <= set(p.departments), p.citation  # a lead department is a responsible one
            if p.kind == KIND_WORK_REPORT:
                assert p.departments == p.lead_departments == (), p.citation
        if citation is None:
            assert hits[0].passage.doc_id == XIANGCHENG_2023 and words in hits[0].passage.text
            assert all(not h.passage.departments for h in hits if h.passage.doc_id == XIANGCHENG_2023)
            continue
        task = next((h for h in hits if h.passage.citation == citation), None)
        assert task is not None, (question, [h.passage.citation for h in hits])
        assert task.passage.kind == KIND_TASK_TABLE and words in task.passage.text
        assert task.passage.lead_departments == lead and task.passage.departments[: len(lead)] == lead
        assert others <= set(task.passage.departments), task.passage.departments
        shown = task.public()  # what /api/search returns for the hit
        assert shown["lead_departments"] == list(lead) and set(shown["departments"]) == set(task.passage.departments)


def test_modes_and_cache(searcher):
    for mode in ("dense", "keyword", "fused"):
        assert searcher.search("吴中区2023年新增多少高标准农田", mode=mode, k=3).hits[0].passage.citation.endswith("(35)")
    before = searcher.cache.hits
    searcher.search("吴中区2023年新增多少高标准农田")
    assert searcher.cache.hits == before + 1


def test_passages_found_again_are_not_read_again(sample_index, embedder):
    from indexer.engines.local import LocalEngine
    from service.search import Searcher

    engine = LocalEngine.open(sample_index[0], embedder.name)
    searcher = Searcher(engine, embedder)
    read: list[list[str]] = []
    passages = engine.passages
    engine.passages = lambda ids: read.append(list(ids)) or passages(ids)  # counts, then reads for real
    question = "吴中区2023年新增多少高标准农田"
    first = searcher.search(question, k=5).hits
    assert read and len(first) == 5
    read.clear()
    again = searcher.search(question, k=5).hits
    assert not read  # every passage came from those kept
    assert [(h.passage, h.score) for h in again] == [(h.passage, h.score) for h in first]
    assert first[0].passage.citation.endswith("(35)") and "5800" in first[0].passage.text
