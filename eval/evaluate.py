"""Run gold questions through the systems and score them side by side.

Systems: our searcher in its three modes (fused, dense-only, keyword-only),
or a running service over HTTP, and the baselines a user would build instead
(chunks + the same embedder + FAISS; chunks + BM25). Each system yields a
run; qrels come from the gold rule (eval.gold.is_relevant) applied to every
unit that system indexes (over HTTP, to the units it returned). Answers are
scored separately: the answer text must contain the gold span and cite the
gold task; an unanswerable question must be declined.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .gold import LIST_TYPES, GoldQuestion, cites_gold, get, is_relevant, item_matches, squash
from .metrics import DEFAULT_METRICS, Qrels, per_query, ranked_run

OURS = ("fused", "dense", "keyword")
BASELINES = ("baseline-dense", "baseline-bm25")
BREAKDOWN_METRICS = ("hit@1", "hit@5", "mrr@10")
GROUPS = ("doc", "type", "style")


@dataclass
class SystemResult:
    name: str
    metrics: dict[str, float]
    citation_accuracy: float | None
    questions: int
    per_question: dict[str, dict[str, float]] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)
    breakdown: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    mean_ms: float = 0.0

    def public(self) -> dict[str, Any]:
        return {
            "system": self.name,
            "questions": self.questions,
            "metrics": {k: round(v, 4) for k, v in self.metrics.items()},
            "citation_accuracy": None if self.citation_accuracy is None else round(self.citation_accuracy, 4),
            "mean_ms": round(self.mean_ms, 2),
            "breakdown": self.breakdown,
            "failures": self.failures,
        }


@dataclass
class AnswerResult:
    name: str
    accuracy: float  # answerable questions answered with the gold span and the gold citation
    declined: float | None  # unanswerable questions said to be unanswerable
    answerable: int
    unanswerable: int
    confidently_wrong: int = 0  # found=true, yet wrong (or an answer where the corpus has none)
    breakdown: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)
    mean_ms: float = 0.0

    def public(self) -> dict[str, Any]:
        return {
            "system": self.name,
            "answer_accuracy": round(self.accuracy, 4),
            "declined_correctly": None if self.declined is None else round(self.declined, 4),
            "answerable": self.answerable,
            "unanswerable": self.unanswerable,
            "confidently_wrong": self.confidently_wrong,
            "mean_ms": round(self.mean_ms, 2),
            "breakdown": self.breakdown,
            "failures": self.failures,
        }


def group_of(q: GoldQuestion, by: str) -> str:
    return {"doc": q.doc or "none", "type": q.type, "style": q.style}[by]


def breakdown(gold: Sequence[GoldQuestion], values: dict[str, dict[str, float]], metrics: Sequence[str]) -> dict[str, dict[str, dict[str, float]]]:
    """{group kind: {group: {metric: mean, "n": count}}} over the questions `values` has."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for by in GROUPS:
        buckets: dict[str, list[GoldQuestion]] = defaultdict(list)
        for q in gold:
            if q.id in values:
                buckets[group_of(q, by)].append(q)
        out[by] = {
            name: {"n": len(qs), **{m: round(sum(values[q.id][m] for q in qs) / len(qs), 4) for m in metrics}}
            for name, qs in sorted(buckets.items())
        }
    return out


def qrels_for(gold: Sequence[GoldQuestion], pool: Sequence[Any]) -> Qrels:
    return {q.id: {get(p, "id"): 1 for p in pool if is_relevant(q, p)} for q in gold if q.answerable}


def score_system(
    name: str,
    gold: Sequence[GoldQuestion],
    pool: Sequence[Any] | None,
    search: Callable[[GoldQuestion], list[Any]],
    with_citations: bool = True,
) -> SystemResult:
    """`pool` is everything the system indexes; None (a service over HTTP) judges what it returned."""
    answerable = [q for q in gold if q.single]
    ranked: dict[str, list[Any]] = {}
    clock = time.perf_counter()
    for q in answerable:
        ranked[q.id] = search(q)
    elapsed = (time.perf_counter() - clock) * 1000 / max(1, len(answerable))
    if pool is None:
        qrels = {q.id: {get(h, "id"): 1 for h in ranked[q.id] if is_relevant(q, h)} for q in answerable}
    else:
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
    means = {m: (sum(v[m] for v in per_q.values()) / len(per_q) if per_q else 0.0) for m in DEFAULT_METRICS}
    return SystemResult(
        name=name,
        metrics=means,
        citation_accuracy=citation,
        questions=len(answerable),
        per_question=per_q,
        failures=failures,
        breakdown=breakdown(answerable, per_q, BREAKDOWN_METRICS),
        mean_ms=elapsed,
    )


_CN = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}


def chinese_numbers(text: str) -> str:
    """Numbers written in characters, as digits ("七方面" → "7方面", "二十三个" → "23个"), so a count
    stated either way is found."""

    def value(m: re.Match) -> str:
        s = m.group(0)
        if "十" not in s:
            return "".join(str(_CN[c]) for c in s)
        tens, _, ones = s.partition("十")
        return str((_CN[tens] if tens else 1) * 10 + (_CN[ones] if ones else 0))

    return re.sub(r"[一二三四五六七八九两]?十[一二三四五六七八九]?(?=[个项条方面件家类])|[一二三四五六七八九两](?=[个项条方面件家类])", value, text)


def _parts(gold: Sequence[GoldQuestion]) -> dict[str, set[str]]:
    """The parts each document is split into by the gold set (a number used twice is told apart by them)."""
    parts: dict[str, set[str]] = defaultdict(set)
    for q in gold:
        for item in q.items or ({"doc": q.doc, "part": q.part, "task": q.task},):
            if item.get("doc") and item.get("part") and item.get("task"):
                parts[item["doc"]].add(item["part"])
    return parts


def _cites(item: dict[str, Any], citations: list[dict[str, Any]], parts: dict[str, set[str]]) -> bool:
    return any(item_matches(item, c, parts.get(item.get("doc"), set())) for c in citations)


def answer_is_right(q: GoldQuestion, answer: dict[str, Any], parts: dict[str, set[str]] | None = None) -> bool:
    """Single facts: the answer contains the gold span (item by item for owners and leaders) and cites
    the gold task. A list cites exactly the gold items; a count states the number first; a comparison
    states each side's span with its citation, and says a side the corpus lacks is missing."""
    parts = parts or {}
    if not answer.get("found", True):
        return False
    text = squash(answer["answer"])
    citations = answer["citations"]
    if q.type == "count" or (q.count is not None):
        first = chinese_numbers(answer["answer"].split("\n", 1)[0])
        return bool(re.search(rf"(?<![\d.]){q.count}(?![\d.])", first)) and (not q.items or all(_cites(i, citations, parts) for i in q.items))
    if q.items and (q.type == "list" or (q.type == "followup" and len(q.items) > 1)):
        matched = [c for c in citations if any(item_matches(i, c, parts.get(i.get("doc"), set())) for i in q.items)]
        return all(_cites(i, citations, parts) for i in q.items) and len(matched) == len(citations)
    if q.type == "compare":
        spans = q.answer if isinstance(q.answer, list) else [q.answer]
        for item, span in zip(q.items or (), spans, strict=False):
            if item.get("doc") is None:
                if not re.search(r"没有|未找到|未收录|缺少", answer["answer"]):
                    return False
            elif squash(span) not in text or not _cites(item, citations, parts):
                return False
        return True
    if q.type in LIST_TYPES:
        items = [squash(i) for i in re.split(r"[、，,；;/\s]+", q.answer) if i.strip()]
        contains = bool(items) and all(i in text for i in items)
    else:
        contains = squash(q.answer) in text
    if q.items:
        return contains and all(_cites(i, citations, parts) for i in q.items)
    return contains and any(cites_gold(q, c) for c in citations)


def declined(answer: dict[str, Any]) -> bool:
    return answer.get("found") is False or answer["answer"].startswith("未找到")


def score_answers(name: str, gold: Sequence[GoldQuestion], ask: Callable[[GoldQuestion], dict[str, Any]]) -> AnswerResult:
    answers: dict[str, dict[str, Any]] = {}
    clock = time.perf_counter()
    for q in gold:
        answers[q.id] = ask(q)
    elapsed = (time.perf_counter() - clock) * 1000 / max(1, len(gold))
    answerable = [q for q in gold if q.answerable]
    unanswerable = [q for q in gold if not q.answerable]
    parts = _parts(gold)
    right = {q.id: {"answer": float(answer_is_right(q, answers[q.id], parts))} for q in answerable}
    wrong = sum(1 for q in answerable if answers[q.id].get("found", True) and not right[q.id]["answer"])
    wrong += sum(1 for q in unanswerable if not declined(answers[q.id]))
    refused = {q.id: {"answer": float(declined(answers[q.id]))} for q in unanswerable}
    failures = [
        {
            "id": q.id,
            "question": q.question if not q.history else " → ".join((*q.history, q.question)),
            "gold": _gold_text(q),
            "got": answers[q.id]["answer"][:200],
            "found": answers[q.id].get("found", True),
        }
        for q in gold
        if (right.get(q.id) or refused.get(q.id))["answer"] < 1
    ]
    return AnswerResult(
        name=name,
        accuracy=sum(v["answer"] for v in right.values()) / max(1, len(right)),
        declined=(sum(v["answer"] for v in refused.values()) / len(refused)) if refused else None,
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        confidently_wrong=wrong,
        breakdown=breakdown(gold, {**right, **refused}, ("answer",)),
        failures=failures,
        mean_ms=elapsed,
    )


def _gold_text(q: GoldQuestion) -> str:
    if q.count is not None:
        return f"共 {q.count} 项"
    if q.items and len(q.items) > 1 and q.type != "compare":
        return "、".join(f"{i.get('task') or i.get('part') or ''}" for i in q.items)
    if isinstance(q.answer, list):
        return " | ".join(a or "（应说明没有）" for a in q.answer)
    return q.answer or "（应说明找不到）"


def evaluate_searcher(searcher, gold: Sequence[GoldQuestion], modes: Sequence[str] = OURS, k: int = 10) -> list[SystemResult]:
    pool = list(searcher.engine.by_row)
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


def format_breakdown(result: SystemResult | AnswerResult, metrics: Sequence[str]) -> str:
    lines = []
    for by, groups in result.breakdown.items():
        lines.append(f"  by {by}:")
        for name, values in groups.items():
            cells = "  ".join(f"{m} {values[m]:.3f}" for m in metrics)
            lines.append(f"    {name:<24} n={int(values['n']):<4} {cells}")
    return "\n".join(lines)
