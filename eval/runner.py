"""`govqa eval`: gold sets in; a table, JSON and an HTML report of systems side by side out."""

from __future__ import annotations

import json
import sys
from argparse import Namespace
from pathlib import Path

from .evaluate import (
    OURS,
    AnswerResult,
    SystemResult,
    evaluate_baselines,
    evaluate_searcher,
    format_breakdown,
    format_table,
    score_answers,
    score_system,
)
from .gold import load_gold

GOLD_DIR = Path(__file__).resolve().parent / "gold"


def default_gold() -> list[Path]:
    return sorted(GOLD_DIR.glob("*.jsonl"))


def _in_process(args: Namespace, systems: list[str]):
    from service.answer import ExtractiveAnswerer
    from service.search import open_searcher
    from service.settings import Settings

    searcher = open_searcher(Settings(index=args.index), cache_size=0, fusion=args.fusion)
    answerer = ExtractiveAnswerer(searcher)
    embedder = searcher.embedder
    baseline = None
    if "baseline" in systems:
        from .baseline import ChunkBaseline

        baseline = ChunkBaseline.build(args.reports, embedder)

    def run(gold):
        results = evaluate_searcher(searcher, gold, [m for m in OURS if m in systems])
        if baseline is not None:
            results += evaluate_baselines(baseline, gold)
        answers = [score_answers("extractive", gold, lambda q: answerer.ask(q.question, history=list(q.history or ())).public())] if "answers" in systems else []
        return results, answers

    return run


def _over_http(args: Namespace, systems: list[str]):
    from .http import ServiceClient

    client = ServiceClient(args.url, api_key=args.api_key)

    def run(gold):
        results = [score_system("service", gold, None, lambda q: client.search(q.question, 10))]
        answers = [score_answers("service", gold, lambda q: client.ask(q.question, history=list(q.history or ())))] if "answers" in systems else []
        return results, answers

    return run


def main(args: Namespace) -> int:
    from indexer.embedders import EmbedderError
    from indexer.engines import IndexLoadError

    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    try:
        run = _over_http(args, systems) if args.url else _in_process(args, systems)
        sections: dict[str, tuple[list[SystemResult], list[AnswerResult]]] = {}
        for path in args.gold or default_gold():
            gold = load_gold(path)
            sections[path.name] = run(gold)
    except (IndexLoadError, EmbedderError, RuntimeError, ValueError, OSError) as exc:
        print(f"govqa eval: {exc}", file=sys.stderr)
        return 1
    report_path = None
    if not args.no_html:
        from .report import write

        report_path = write(sections, args.report_dir, title=f"govqa evaluation ({args.url or 'in-process'})")
    if args.json:
        data = {
            name: {"retrieval": [r.public() for r in results], "answers": [a.public() for a in answers]}
            for name, (results, answers) in sections.items()
        }
        if report_path:
            data["report"] = str(report_path)
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        return 0
    for name, (results, answers) in sections.items():
        gold_n = results[0].questions if results else 0
        print(f"\n{name}: {gold_n} answerable questions")
        print(format_table(results))
        for a in answers:
            declined = "-" if a.declined is None else f"{a.declined:.3f} of {a.unanswerable}"
            print(
                f"answers ({a.name}): {a.accuracy:.3f} of {a.answerable} right; unanswerable declined {declined}; "
                f"confidently wrong (found, yet wrong) {a.confidently_wrong}"
            )
        if results and args.breakdown:
            print(f"retrieval breakdown ({results[0].name}):")
            print(format_breakdown(results[0], ("hit@1", "hit@5", "mrr@10")))
            for a in answers:
                print(f"answer breakdown ({a.name}):")
                print(format_breakdown(a, ("answer",)))
    if report_path:
        print(f"\nHTML report: {report_path}")
    return 0
