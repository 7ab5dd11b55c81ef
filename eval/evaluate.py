"""Run gold questions through the systems and score them side by side.

Systems: our searcher in its three modes (fused, dense-only, keyword-only)
and the baselines a user would build instead (chunks + the same embedder +
FAISS; chunks + BM25). Each system yields a run; qrels come from the gold
rule (eval.gold.is_relevant) applied to every unit that system indexes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .gold import GoldQuestion, cites_gold, get, is_relevant
from .metrics import DEFAULT_METRICS, Qrels, aggregate, per_query, ranked_run

OURS = ("fused", "dense", "keyword")
BASELINES = ("baseline-dense", "baseline-bm25")


@dataclass
class SystemResult:
    name: str
    metrics: dict[str, float]
    citation_accuracy: float | None
    questions: int
    per_question: dict[str, dict[str, float]] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)
    mean_ms: float = 0.0

    def public(self) -> dict[str, Any]:
        return {
            "system": self.name,
            "questions": self.questions,
            "metrics": {k: round(v, 4) for k, v in self.metrics.items()},
            "citation_accuracy": None if self.citation_accuracy is None else round(self.citation_accuracy, 4),
            "mean_ms": round(self.mean_ms, 2),
            "failures": self.failures,
        }


def qrels_for(gold: Sequence[GoldQuestion], pool: Sequence[Any]) -> Qrels:
    return {q.id: {get(p, "id"): 1 for p in pool if is_relevant(q, p)} for q in gold if q.answerable}


def score_system(
    name: str,
    gold: Sequence[GoldQuestion],
    pool: Sequence[Any],
    search: Callable[[GoldQuestion], list[Any]],
    with_citations: bool = True,
) -> SystemResult:
    answerable = [q for q in gold if q.answerable]
    ranked: dict[str, list[Any]] = {}
    clock = time.perf_counter()
    for q in answerable:
        ranked[q.id] = search(q)
    elapsed = (time.perf_counter() - clock) * 1000 / max(1, len(answerable))
    qrels = qrels_for(answerable, pool)
    run = ranked_run({qid: [get(h, "id") for h in hits] for qid, hits in ranked.items()})
    values = per_query(qrels, run, DEFAULT_METRICS)
    per_q = {q.id: {m: values[m][q.id] for m in DEFAULT_METRICS} for q in answerable}
    citation = None
    if with_citations:
        citation = sum(bool(ranked[q.id]) and cites_gold(q, ranked[q.id][0]) for q in answerable) / max(1, len(answerable))
    failures = []
    for q in answerable:
        if per_q[q.id]["hit@1"] < 1:
            hits = ranked[q.id]
            rank = next((i for i, h in enumerate(hits, start=1) if get(h, "id") in qrels[q.id]), None)
            failures.append(
                {
                    "id": q.id,
                    "question": q.question,
                    "gold": f"{q.doc} {q.task or q.part or ''}".strip(),
                    "answer": q.answer,
                    "rank": rank,
                    "top3": [get(h, "citation") or get(h, "id") for h in hits[:3]],
                }
            )
    return SystemResult(
        name=name,
        metrics=aggregate(qrels, run, DEFAULT_METRICS),
        citation_accuracy=citation,
        questions=len(answerable),
        per_question=per_q,
        failures=failures,
        mean_ms=elapsed,
    )


def evaluate_searcher(searcher, gold: Sequence[GoldQuestion], modes: Sequence[str] = OURS, k: int = 10) -> list[SystemResult]:
    pool = searcher.passages
    return [score_system(mode, gold, pool, lambda q, m=mode: searcher.search(q.question, k=k, mode=m).hits_passages()) for mode in modes]


def evaluate_baselines(baseline, gold: Sequence[GoldQuestion], k: int = 10) -> list[SystemResult]:
    results = []
    if baseline.vectors is not None:
        results.append(score_system("baseline-dense", gold, baseline.chunks, lambda q: baseline.search_dense(q.question, k), with_citations=False))
    results.append(score_system("baseline-bm25", gold, baseline.chunks, lambda q: baseline.search_bm25(q.question, k), with_citations=False))
    return results


def format_table(results: Sequence[SystemResult]) -> str:
    metrics = list(DEFAULT_METRICS)
    header = f"{'system':<16}" + "".join(f"{m:>9}" for m in metrics) + f"{'cite@1':>9}{'ms/q':>8}"
    lines = [header, "-" * len(header)]
    for r in results:
        cite = "-" if r.citation_accuracy is None else f"{r.citation_accuracy:.3f}"
        lines.append(f"{r.name:<16}" + "".join(f"{r.metrics[m]:>9.3f}" for m in metrics) + f"{cite:>9}{r.mean_ms:>8.1f}")
    return "\n".join(lines)
