"""The synthetic corpus: deterministic, and read by the real parser as the reports it imitates."""

from __future__ import annotations

import random
import re

from eval.synth import generate_documents, harvest, main, synth_passages, vary, write_corpus
from indexer.parse import parse_file
from indexer.passage import KIND_TASK_TABLE, KIND_WORK_REPORT, Passage

PARSED_SEED = 1  # its first six documents come from districts and counties (区, 县); see the 县级市 test below


def _identity(text: str) -> tuple[str, int]:
    """The district and year a generated text names in its title or its address."""
    return re.search(r"苏州市(\S+?)人民政府", text).group(1), int(re.search(r"(20\d{2})\s*年", text).group(1))


def test_same_seed_gives_the_same_bytes_and_another_seed_another_corpus():
    first = generate_documents(10, seed=3)
    assert first == generate_documents(10, seed=3)
    other = generate_documents(10, seed=4)
    assert [text for _, text in first] != [text for _, text in other]
    assert not {text for _, text in first} & {text for _, text in other}  # no document shared between seeds
    assert [name for name, _ in first] == [f"synth_3_{i:05d}.txt" for i in range(10)]
    tables = sum("分解方案" in text for _, text in first)
    assert tables == 6  # 60 % task tables, 40 % work reports


def test_vary_changes_figures_and_keeps_units_and_names():
    text = "新增高标准农田 5800 亩"
    out = vary(text, random.Random(7))
    assert out != text and re.fullmatch(r"新增高标准农田 \d+ 亩", out)
    assert vary(text, random.Random(7)) == out
    for seed in range(200):
        rng = random.Random(seed)
        value = int(re.search(r"\d+", vary(text, rng)).group())
        assert value != 5800 and 0.6 * 5800 - 50 <= value <= 1.4 * 5800 + 50
        share = vary("道路环卫机械化清扫率超 95%，增长 6%左右，占比 3.8%", rng)
        assert re.fullmatch(r"道路环卫机械化清扫率超 \d+%，增长 \d+%左右，占比 \d\.\d%", share), share
        assert int(re.search(r"超 (\d+)%", share).group(1)) <= 100
    kept = "2023—2025 年，“3+3+3”产业、“纾困解难 45 条”、PM2.5、每月 25 日前、12345 热线、第1次常务会议"
    assert vary(kept, random.Random(1)) == kept


def test_harvest_templates_the_samples_own_district():
    pools = harvest()
    assert len(pools.tasks) >= 150 and len(pools.sentences) >= 300 and len(pools.glossary) >= 20
    assert len(pools.departments) >= 50 and len(pools.leaders) >= 10 and pools.headings and pools.groups and pools.leads
    texts = pools.tasks + pools.sentences + pools.headings + pools.departments
    assert any("{d}" in t or "{D}" in t for t in texts)
    assert not any(name in t for t in texts for name in ("吴中", "吴江", "相城"))
    assert harvest() is pools  # parsed once


def test_parser_reads_synthetic_documents(tmp_path):
    paths = write_corpus(tmp_path, 6, seed=PARSED_SEED)
    assert [p.name for p in paths] == [f"synth_{PARSED_SEED}_{i:05d}.txt" for i in range(6)]
    kinds = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        district, year = _identity(text)
        assert district.endswith(("区", "县")), "choose a seed whose first documents are 区 or 县"
        parsed = parse_file(path)
        doc, passages = parsed.document, parsed.passages
        assert (doc.district, doc.year) == (district, year), path.name
        assert doc.notes == ()
        kinds.append(doc.kind)
        if doc.kind == KIND_TASK_TABLE:
            assert doc.title == f"{district}{year}年主要工作任务分解方案"
            tasks = [p for p in passages if p.role == "task"]
            assert len(tasks) >= 40
            assert [p.task_no for p in tasks] == [f"({n})" for n in range(1, len(tasks) + 1)]
            assert sum(bool(p.lead_departments) for p in tasks) >= 0.8 * len(tasks)
            assert all(p.leaders and p.departments and len(p.section) == 3 for p in tasks)
            assert sum(p.role == "target" for p in passages) >= 8
        else:
            assert doc.title == f"{district}{year}年政府工作报告"
            paragraphs = [p for p in passages if p.role == "paragraph"]
            assert len(paragraphs) >= 30
            assert all(p.section for p in paragraphs if not p.text.startswith("现在，我代表"))
            assert sum(p.role == "glossary" for p in passages) >= 5
        assert len({p.citation for p in passages}) == len(passages)
    assert kinds == [KIND_TASK_TABLE, KIND_WORK_REPORT, KIND_TASK_TABLE, KIND_WORK_REPORT, KIND_TASK_TABLE, KIND_TASK_TABLE]


def test_county_level_cities_and_every_district_are_recognised(tmp_path):
    docs = generate_documents(60, seed=0)
    assert any(_identity(t)[0].endswith("市") for _, t in docs)
    for name, text in docs:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert parse_file(path).document.district == _identity(text)[0], name


def test_synth_passages_are_unique_and_deterministic():
    passages = synth_passages(2000, seed=1)
    assert len(passages) == 2000 and all(isinstance(p, Passage) for p in passages)
    assert len({p.id for p in passages}) == 2000
    assert len({p.citation for p in passages}) == 2000
    assert passages == synth_passages(2000, seed=1)
    assert passages != synth_passages(2000, seed=2)
    docs = {p.doc_id for p in passages}
    assert 14 <= len(docs) <= 26  # about 100 passages a document
    for p in passages:
        assert p.id.startswith(p.doc_id + "-") and p.text and p.section and p.district and 2019 <= p.year <= 2026
        if p.kind == KIND_TASK_TABLE:
            assert p.role == "task" and re.fullmatch(r"\(\d+\)", p.task_no) and p.citation == f"{p.title} · {p.task_no}"
            assert p.departments and p.leaders
        else:
            assert p.kind == KIND_WORK_REPORT and p.role == "paragraph" and p.task_no is None and "段" in p.citation


def test_command_line_writes_the_corpus(tmp_path, capsys):
    out = tmp_path / "corpus"
    assert main([str(out), "--docs", "3", "--seed", "2"]) == 0
    summary = capsys.readouterr().out
    assert summary.count("\n") == 1 and "3 documents" in summary
    written = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(out.iterdir())]
    assert written == generate_documents(3, seed=2)
