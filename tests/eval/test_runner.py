"""`govqa eval` end to end: in-process and against a real uvicorn server, with its HTML report."""

from __future__ import annotations

import json
from argparse import Namespace

import pytest

from eval.evaluate import evaluate_searcher, score_answers
from eval.gold import load_gold
from eval.runner import GOLD_DIR, main
from govqa.server import running_server
from service.answer import ExtractiveAnswerer

TYPES = {"number", "target", "responsibility", "leader", "what", "review", "glossary", "unanswerable"}
STYLES = {"lexical", "paraphrase", "colloquial", "confusable"}


def test_gold_files_are_well_formed():
    ids = set()
    main_set = load_gold(GOLD_DIR / "main.jsonl")
    assert len(main_set) >= 200
    assert sum(not q.answerable for q in main_set) >= 10
    for path in sorted(GOLD_DIR.glob("*.jsonl")):
        for q in load_gold(path):
            assert q.id not in ids and q.type in TYPES and q.style in STYLES, q.id
            ids.add(q.id)
            assert q.question.strip() and (q.answer.strip() or not q.answerable)


def _args(tmp_path, **kw):
    base = dict(gold=[GOLD_DIR / "dev.jsonl"], index=None, reports=None, systems="fused,answers", url=None, api_key=None,
                fusion=None, report_dir=tmp_path, no_html=False, breakdown=True, json=True)
    return Namespace(**{**base, **kw})


def test_eval_over_http_matches_in_process(sample_index, searcher, tmp_path, capsys):
    path, _ = sample_index
    gold = load_gold(GOLD_DIR / "dev.jsonl")
    (local,) = evaluate_searcher(searcher, gold, ["fused"])
    answers = score_answers("local", gold, lambda q: ExtractiveAnswerer(searcher).ask(q.question).public())
    with running_server(path) as (port, _):
        assert main(_args(tmp_path, url=f"http://127.0.0.1:{port}")) == 0
    data = json.loads(capsys.readouterr().out)
    remote = data["dev.jsonl"]["retrieval"][0]
    assert remote["system"] == "service"
    for metric in ("hit@1", "hit@5", "mrr@10"):
        assert remote["metrics"][metric] == pytest.approx(local.metrics[metric], abs=1e-6)
    assert remote["citation_accuracy"] == pytest.approx(local.citation_accuracy)
    assert data["dev.jsonl"]["answers"][0]["answer_accuracy"] == pytest.approx(answers.accuracy)
    assert set(remote["breakdown"]) == {"doc", "type", "style"}
    html = open(data["report"], encoding="utf-8").read()
    assert "data:image/png;base64," in html and "dev.jsonl" in html


def test_eval_of_an_unreachable_service_is_a_clear_error(tmp_path, capsys):
    assert main(_args(tmp_path, url="http://127.0.0.1:9", no_html=True)) == 1
    assert "cannot reach" in capsys.readouterr().err
