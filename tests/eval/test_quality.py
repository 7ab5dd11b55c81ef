"""Quality regression: the gold sets through the real searcher and the baseline, in one run.

Floors are set from measured results (README) and raised as the system improves.
"""

from __future__ import annotations

import pytest

from eval.baseline import ChunkBaseline
from eval.evaluate import evaluate_baselines, evaluate_searcher, score_answers
from eval.gold import load_gold
from eval.runner import GOLD_DIR
from tests.conftest import REPORTS

FLOORS = {
    "dev.jsonl": {"hit@1": 0.95, "hit@5": 0.97, "cite": 0.95, "answers": 0.95},
    "main.jsonl": {"hit@1": 0.95, "hit@5": 0.98, "cite": 0.95, "answers": 0.97, "declined": 0.95},
}


@pytest.fixture(scope="module")
def baseline(embedder):
    return ChunkBaseline.build(REPORTS, embedder)


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_fused_search_meets_its_floors_and_beats_the_baseline(searcher, baseline, name):
    gold = load_gold(GOLD_DIR / name)
    fused, dense, keyword = evaluate_searcher(searcher, gold)
    floors = FLOORS[name]
    assert fused.metrics["hit@1"] >= floors["hit@1"], fused.failures
    assert fused.metrics["hit@5"] >= floors["hit@5"], fused.failures
    assert fused.citation_accuracy >= floors["cite"]
    assert fused.metrics["hit@5"] >= max(dense.metrics["hit@5"], keyword.metrics["hit@5"]) - 0.02
    for other in evaluate_baselines(baseline, gold):
        assert fused.metrics["hit@1"] >= other.metrics["hit@1"] + 0.4, other.name
        assert fused.metrics["mrr@10"] >= other.metrics["mrr@10"] + 0.4, other.name


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_answers_meet_their_floors(searcher, name):
    from service.answer import ExtractiveAnswerer

    answerer = ExtractiveAnswerer(searcher)
    result = score_answers("extractive", load_gold(GOLD_DIR / name), lambda q: answerer.ask(q.question).public())
    assert result.accuracy >= FLOORS[name]["answers"], result.failures
    assert result.confidently_wrong == 0, [f for f in result.failures if f["found"]]
    if result.declined is not None:
        assert result.declined >= FLOORS[name]["declined"], result.failures


def test_every_gold_answer_is_in_its_gold_passage(searcher):
    """Each line of the gold sets: the answer span occurs in the gold document within the gold task."""
    from eval.gold import is_relevant

    for path in sorted(GOLD_DIR.glob("*.jsonl")):
        for q in load_gold(path):
            if q.answerable:
                assert any(is_relevant(q, p) for p in searcher.engine.by_row), f"{path.name} {q.id}: {q.answer}"
            else:
                assert q.task is None and q.part is None
