"""The eval glue on hand-computed examples."""

from __future__ import annotations

import pytest

from eval.gold import GoldQuestion, is_relevant
from eval.metrics import aggregate, per_query, ranked_run


def test_metrics_on_a_hand_computed_run():
    qrels = {"q1": {"a": 1, "b": 1}, "q2": {"c": 1}, "q3": {"d": 1}}
    run = ranked_run({"q1": ["x", "a", "b"], "q2": ["c", "y"], "q3": []})
    values = aggregate(qrels, run)
    assert values["hit@1"] == pytest.approx(1 / 3)
    assert values["hit@3"] == pytest.approx(2 / 3)
    assert values["mrr@10"] == pytest.approx((1 / 2 + 1 + 0) / 3)
    assert per_query(qrels, run)["hit@1"] == {"q1": 0.0, "q2": 1.0, "q3": 0.0}


def _hit(**kw):
    base = {"id": "p", "doc_id": "d", "text": "", "task_no": None, "section": [], "citation": "", "departments": [], "leaders": [], "areas": []}
    return base | kw


def test_relevance_rule():
    q = GoldQuestion("x", "?", "d", "(35)", None, "新增高标准农田 5800 亩", "number", "lexical")
    assert is_relevant(q, _hit(text="严格耕地保护，新增高标准农田5800亩。", task_no="(35)"))
    assert not is_relevant(q, _hit(text="新增高标准农田 5800 亩", task_no="(36)"))
    assert not is_relevant(q, _hit(doc_id="other", text="新增高标准农田 5800 亩", task_no="(35)"))
    target = GoldQuestion("t", "?", "d", "目标2", None, "增长 6%以上", "target", "lexical")
    assert is_relevant(target, _hit(text="一般公共预算收入增长 6%以上", task_no="目标2", section=["一、主要预期目标"]))
    assert not is_relevant(target, _hit(text="一般公共预算收入增长 6%以上", task_no="(2)", section=["二、工作任务分解"]))
    part = GoldQuestion("p", "?", "d", "(3)", "打好三场硬仗", "周学斌", "leader", "lexical")
    assert is_relevant(part, _hit(task_no="(3)", section=["二、工作任务分解", "打好三场硬仗"], leaders=["周学斌"]))
    assert not is_relevant(part, _hit(task_no="(3)", section=["二、工作任务分解", "(一) 实施产业强区工程"], leaders=["周学斌"]))
    owners = GoldQuestion("r", "?", "d", None, None, "水务局、城投集团", "responsibility", "lexical")
    assert is_relevant(owners, _hit(departments=["水务局", "城管局", "城投集团"]))
    assert not is_relevant(owners, _hit(departments=["水务局"]))
    assert not is_relevant(GoldQuestion("n", "?", None, None, None, "", "unanswerable", "lexical"), _hit())
