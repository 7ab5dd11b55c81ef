"""Ranking metrics over qrels/run dictionaries, computed by ir-measures (pytrec_eval).

Names follow the field's usage: "hit@k" (success: a relevant hit in the top
k), "mrr@10" (reciprocal rank of the first relevant hit, 0 beyond 10),
"ndcg@10" (binary gains). Every gold question counts: a question whose run is
empty scores 0 rather than dropping out of the mean.
"""

from __future__ import annotations

import ir_measures
from ir_measures import RR, Success, nDCG

Qrels = dict[str, dict[str, int]]
Run = dict[str, dict[str, float]]

DEFAULT_METRICS = ("hit@1", "hit@3", "hit@5", "hit@10", "mrr@10", "ndcg@10")


def _measure(name: str):
    kind, _, cutoff = name.partition("@")
    k = int(cutoff)
    return {"hit": Success, "mrr": RR, "ndcg": nDCG}[kind] @ k


def per_query(qrels: Qrels, run: Run, metrics: tuple[str, ...] = DEFAULT_METRICS) -> dict[str, dict[str, float]]:
    """{metric: {qid: value}} with 0 for questions that have no relevant hit in the run."""
    measures = {name: _measure(name) for name in metrics}
    out: dict[str, dict[str, float]] = {name: dict.fromkeys(qrels, 0.0) for name in metrics}
    judged = {q: r for q, r in run.items() if qrels.get(q) and r}
    if not judged:
        return out
    by_measure = {str(m): name for name, m in measures.items()}
    known = {q: rel for q, rel in qrels.items() if q in judged}
    for result in ir_measures.iter_calc(list(measures.values()), known, judged):
        out[by_measure[str(result.measure)]][result.query_id] = float(result.value)
    return out


def aggregate(qrels: Qrels, run: Run, metrics: tuple[str, ...] = DEFAULT_METRICS) -> dict[str, float]:
    values = per_query(qrels, run, metrics)
    return {name: (sum(v.values()) / len(v) if v else 0.0) for name, v in values.items()}


def ranked_run(ranked_ids: dict[str, list[str]]) -> Run:
    """A run from ranked lists: scores 1/rank, so ties never reorder what the system returned."""
    return {qid: {pid: 1.0 / rank for rank, pid in enumerate(ids, start=1)} for qid, ids in ranked_ids.items()}
