"""`govqa eval`: gold sets in, one table (or JSON) of systems side by side out."""

from __future__ import annotations

import json
import sys
from argparse import Namespace
from pathlib import Path

from .evaluate import OURS, evaluate_baselines, evaluate_searcher, format_table
from .gold import load_gold

GOLD_DIR = Path(__file__).resolve().parent / "gold"


def default_gold() -> list[Path]:
    return sorted(GOLD_DIR.glob("*.jsonl"))


def main(args: Namespace) -> int:
    from indexer.embedders import EmbedderError, load_embedder
    from indexer.store import IndexLoadError, load_index
    from service.search import Searcher

    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    try:
        embedder = load_embedder(None)
        index = load_index(args.index, embedder_name=embedder.name)
    except (IndexLoadError, EmbedderError) as exc:
        print(f"govqa eval: {exc}", file=sys.stderr)
        return 1
    searcher = Searcher(index, embedder, cache_size=0, **({"fusion": args.fusion} if args.fusion else {}))
    baseline = None
    if "baseline" in systems:
        from .baseline import ChunkBaseline

        baseline = ChunkBaseline.build(args.reports, embedder)
    report = {}
    for path in args.gold or default_gold():
        gold = load_gold(path)
        results = evaluate_searcher(searcher, gold, [m for m in OURS if m in systems])
        if baseline is not None:
            results += evaluate_baselines(baseline, gold)
        report[path.name] = [r.public() for r in results]
        if not args.json:
            print(f"\n{path.name}: {sum(q.answerable for q in gold)} answerable questions")
            print(format_table(results))
    if args.json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    return 0
