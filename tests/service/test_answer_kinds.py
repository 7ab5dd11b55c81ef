"""/api/ask for the questions a 督查室 asks, on the real index: lists and counts from the ledger,
comparisons, follow-ups with history, field questions, 繁體, progress — and bad history."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from tests.conftest import WUZHONG_2023

EXPECTED = {c["name"]: c for c in json.loads((Path(__file__).parents[1] / "fixtures" / "ledger" / "expected.json").read_text(encoding="utf-8"))["cases"]}


@pytest.fixture(scope="module")
def client(sample_index):
    path, _ = sample_index
    with TestClient(create_app(Settings(index=path, rate_limit=0))) as c:
        yield c


def ask(client, q, history=None, status=200):
    response = client.post("/api/ask", json={"q": q, **({"history": history} if history is not None else {})})
    assert response.status_code == status, response.text
    return response.json()


def cited(body) -> list[tuple[str, str]]:
    return [(c["doc_id"], c["task_no"]) for c in body["citations"]]


def hand(case: str) -> list[tuple[str, str]]:
    """The hand-written list (tests/fixtures/ledger) as (doc, task number as our citations write it)."""
    out = []
    for t in EXPECTED[case]["tasks"]:
        number = re.sub(r"\D", "", t["no"])
        no = t["no"] if t["doc"] == WUZHONG_2023 else f"第{number}项"
        out.append((t["doc"], no))
    return out


def test_a_list_question_cites_exactly_the_listed_tasks(client):
    body = ask(client, "吴中区2023年商务局牵头哪些任务？")
    assert body["kind"] == "list" and body["found"]
    assert sorted(cited(body)) == sorted(hand("001_lead_department_商务局"))
    assert body["answer"].startswith("吴中区2023年商务局牵头的任务共 7 项")
    assert body["ledger_url"].startswith("/?view=tasks&") and "lead_department=" in body["ledger_url"]


def test_a_leaders_work_with_merged_cells_carried_down(client):
    body = ask(client, "吴江区2022年李红分管哪些工作？")
    assert sorted(cited(body)) == sorted(hand("002_leader_李红_with_carry_down"))


def test_a_count_states_the_number_and_cites_every_task(client):
    body = ask(client, "吴中区2023年甪直镇涉及的任务有几项？")
    assert body["kind"] == "count" and body["answer"].startswith("共 6 项")
    assert sorted(cited(body)) == sorted(hand("001_area_甪直镇"))
    body = ask(client, "吴中区2023年打好三场硬仗有几项任务？")
    assert body["answer"].startswith("共 8 项") and all("三场硬仗" in c["citation"] for c in body["citations"])


def test_a_department_named_another_way_gives_the_same_list(client):
    full = ask(client, "吴中区2023年住房和城乡建设局参与哪些任务？")
    assert sorted(cited(full)) == sorted(hand("001_alias_住建局_full_name"))


def test_a_comparison_answers_each_side_with_its_citation(client):
    body = ask(client, "吴中区2023年和2025年的地区生产总值增长目标分别是多少？")
    assert body["kind"] == "compare" and body["found"]
    lines = body["answer"].splitlines()
    assert lines[0].startswith("1. 吴中区2023年：") and "6%左右" in lines[0]
    assert lines[1].startswith("2. 吴中区2025年：") and "5%以上" in lines[1]
    assert {c["doc_id"] for c in body["citations"]} == {WUZHONG_2023, "003_bd8c3feacaafed51"}


def test_a_side_the_index_lacks_is_named_not_dropped(client):
    body = ask(client, "吴江区2022年和2023年一般公共预算收入增长目标对比")
    lines = body["answer"].splitlines()
    assert "5%以上" in lines[0] and lines[1].startswith("2. 吴江区2023年：") and "没有" in lines[1]


@pytest.mark.parametrize(
    ("history", "q", "must"),
    [
        (["吴中区2023年举办首届中国洞庭山碧螺春茶文化节由哪个部门牵头？"], "配合单位有哪些？", "配合单位：市场监管局、农发集团"),
        (["吴中区2023年举办首届中国洞庭山碧螺春茶文化节由哪个部门牵头？"], "分管领导是谁？", "周学斌"),
        (["吴中区2023年的地区生产总值增长目标是多少？"], "那2025年呢？", "5%以上"),
        (["吴中区2023年李烨分管的主要预期目标有哪些？"], "那张华谦呢？", "张华谦"),
        (["吴中区2023年打好三场硬仗包括哪些任务？"], "其中周学斌分管的是哪几项？", "共 4 项"),
    ],
)
def test_a_follow_up_is_answered_about_the_previous_question(client, history, q, must):
    body = ask(client, q, history)
    assert body["found"] and must in body["answer"], body["answer"]
    assert body["resolved"] != q


def test_history_never_changes_a_self_contained_question(client):
    alone = ask(client, "吴中区2023年新增多少高标准农田？")
    after = ask(client, "吴中区2023年新增多少高标准农田？", ["吴江区2022年区人社局牵头哪些工作？", "那相城区呢？"])
    assert after["answer"] == alone["answer"] and cited(after) == cited(alone) and "resolved" not in after


@pytest.mark.parametrize(
    ("q", "must", "task"),
    [
        ("吴中区2023年实施碧螺春茶产业振兴三年行动涉及哪些镇？", "责任板块：东山镇、金庭镇", "(36)"),
        ("吴江区2022年新改扩建学校12个属于哪个分项？", "加大优质服务供给", "第97项"),
        ("吴中区2023年推动太湖新城形成21栋百米以上商务楼宇群，除住建局外还有哪些部门参与？", "商务局", None),
    ],
)
def test_field_questions(client, q, must, task):
    body = ask(client, q)
    assert body["found"] and must in body["answer"], body["answer"]
    if task:
        assert body["citations"][0]["task_no"] == task


def test_traditional_characters_and_full_width_digits_are_read_as_simplified(client):
    body = ask(client, "吳中區２０２３年新增多少高標準農田？")
    assert "新增高标准农田 5800 亩" in body["answer"] and body["citations"][0]["task_no"] == "(35)"
    assert body["filters"]["district"] == "吴中区" and body["filters"]["year"] == 2023


def test_a_progress_question_says_the_reports_hold_plans(client):
    body = ask(client, "吴中区2023年新增高标准农田完成了吗？")
    assert body["kind"] == "progress" and "未记录完成情况" in body["answer"] and "5800" in body["answer"]


def test_a_how_much_question_without_a_figure_in_the_evidence_is_declined(client):
    body = ask(client, "吴江区2022年人均GDP要达到多少？")
    assert body["found"] is False


@pytest.mark.parametrize(
    "history",
    ["配合单位有哪些", [1, 2], ["x"] * 11, ["农" * 501], [""], [["嵌套"]], {"q": "x"}],
)
def test_bad_history_is_a_422_in_the_envelope(client, history):
    body = ask(client, "分管领导是谁？", history, status=422)
    assert set(body) == {"error"} and "history" in body["error"]["message"]
