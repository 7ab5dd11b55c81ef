"""/api/ask on the real index: each kind of question answered from the documents' own words."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings


@pytest.fixture(scope="module")
def client(sample_index):
    path, _ = sample_index
    with TestClient(create_app(Settings(index=path))) as c:
        yield c


def ask(client, q, **filters):
    response = client.post("/api/ask", json={"q": q, **filters})
    assert response.status_code == 200, response.text
    return response.json()


def test_shape(client):
    body = ask(client, "吴中区2023年新增多少高标准农田？")
    assert {"query", "answer", "citations", "took_ms"} <= set(body)
    assert body["citations"][0]["citation"] == "吴中区2023年主要工作任务分解方案 · (35)"


@pytest.mark.parametrize(
    ("question", "must_contain", "citation"),
    [
        ("吴中区2023年新增多少高标准农田？", "新增高标准农田 5800 亩", "吴中区2023年主要工作任务分解方案 · (35)"),
        ("吴江区2022年新建和改建多少座农村厕所？", "新建219座、改建131座农村公厕", "吴江区2022年重点工作目标任务分解落实方案 · 第67项"),
        ("相城区2023年新（续）建学校多少所？", "新（续）建学校 12 所", "相城区2023年政府工作报告 · 引育并举优供给 第1段"),
        ("吴中区2023年一般公共预算收入预期增长多少？", "一般公共预算收入增长 6%以上", "吴中区2023年主要工作任务分解方案 · 目标2"),
    ],
)
def test_how_much_gives_the_figure_with_its_citation(client, question, must_contain, citation):
    body = ask(client, question)
    assert must_contain in body["answer"] and f"【{citation}】" in body["answer"]
    assert body["citations"][0]["citation"] == citation and body["found"] is True
    assert len(body["answer"]) < 120  # the clause, not a wall of text


def test_who_leads_gives_the_starred_departments_first(client):
    body = ask(client, "碧螺春茶文化节谁牵头？")
    assert body["answer"].startswith("牵头单位：★农业农村局；配合单位：市场监管局、农发集团")
    assert "【吴中区2023年主要工作任务分解方案 · (36)】" in body["answer"]
    body = ask(client, "吴江区争取用好中央、省预算内投资资金和专项债的牵头单位是哪个？")
    assert body["answer"].startswith("牵头单位：★区财政局；配合单位：发改委")


def test_which_leader(client):
    body = ask(client, "加快实现基础设施“四方缝合”由哪位区领导分管？")
    assert body["answer"].startswith("分管区领导：周学斌")
    assert "打好三场硬仗 (3)】" in body["answer"]
    assert ask(client, "吴江 双拥模范城 牵头领导")["answer"].startswith("分管区领导：陈建忠")


def test_what_is_a_glossary_term(client):
    body = ask(client, "什么是双中心？")
    assert body["answer"] == "双中心：指把高铁新城建设成为长三角区域枢纽中心，把相城区建设成为现代化高科技中心城区。【相城区2023年政府工作报告 · 名词解释 · 双中心】"


def test_other_questions_get_cited_clauses(client):
    body = ask(client, "吴中区2025年十大文旅新IP有哪些？")
    assert "林渡暖村、青靛甪直、碧螺春茶文化园" in body["answer"] and "【吴中区2025年政府工作报告" in body["answer"]
    assert 1 <= len(body["citations"]) <= 3


def test_no_report_for_the_district_is_said_plainly(client):
    body = ask(client, "姑苏区2023年新增多少口袋公园？")
    assert body["answer"].startswith("未找到姑苏区2023年的相关内容") and body["found"] is False
    assert body["citations"]  # the nearest passages are shown, each cited
    assert all(f"【{c['citation']}】" in body["answer"] for c in body["citations"])


def test_weak_evidence_in_the_asked_year_shows_other_years(client):
    body = ask(client, "吴中区今年要新增多少高标准农田？")
    assert body["answer"].startswith("未找到吴中区2025年报告中与该问题直接相关的内容")
    assert body["found"] is False and "新增高标准农田 5800 亩" in body["answer"]
    assert body["citations"][0]["citation"] == "吴中区2023年主要工作任务分解方案 · (35)"


def test_a_report_that_names_no_owner_says_so(client):
    body = ask(client, "相城区2023年新增停车泊位由哪位区领导分管？")
    assert body["answer"].startswith("未找到该项工作的分管领导") and body["found"] is False


def test_ask_validation(client):
    assert client.post("/api/ask", json={"q": ""}).status_code == 422
    assert client.post("/api/ask", json={"q": "农田", "k": 3}).status_code == 422
    assert client.post("/api/ask", content=b"{not json", headers={"content-type": "application/json"}).status_code == 422
