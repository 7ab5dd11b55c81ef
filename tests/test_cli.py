"""The `govqa` command as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT, WUZHONG_2023

HIT_KEYS = {
    "id", "doc_id", "title", "district", "year", "section", "task_no", "citation", "text",
    "departments", "lead_departments", "areas", "leaders", "deadline", "ocr_confidence",
}


def govqa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govqa", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_passages_prints_the_hit_shape(sample_index):
    path, _ = sample_index
    result = govqa("passages", "--doc", WUZHONG_2023, "--index", str(path))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 122
    assert all(set(r) == HIT_KEYS for r in rows)
    task = next(r for r in rows if r["citation"].endswith(" · (35)"))
    assert task["lead_departments"] == ["农业农村局"] and "5800 亩" in task["text"]


def test_passages_of_an_unknown_document_is_an_error(sample_index):
    path, _ = sample_index
    result = govqa("passages", "--doc", "nope", "--index", str(path))
    assert result.returncode == 1 and "nope" in result.stderr


def test_index_summary_names_skipped_files(tmp_path):
    (tmp_path / "good.txt").write_text(
        "苏州市吴中区人民政府2023年主要工作任务分解方案\n一、总体要求\n全面提升农业园区发展质量，新增高标准农田 5800 亩。\n", encoding="gbk"
    )
    (tmp_path / "empty.txt").write_bytes(b"")
    result = govqa("index", str(tmp_path), "--index", str(tmp_path / "idx"), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "1 份文档" in result.stdout and "empty.txt：空文件" in result.stdout


def test_search_json_is_the_api_shape(sample_index):
    path, _ = sample_index
    result = govqa("search", "吴中区2023年新增多少高标准农田", "-k", "3", "--json", "--index", str(path))
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert set(body) == {"query", "filters", "hits", "took_ms"}
    assert body["hits"][0]["citation"] == "吴中区2023年主要工作任务分解方案 · (35)"
    assert set(body["hits"][0]) == HIT_KEYS | {"score"}
    text = govqa("search", "吴中区2023年新增多少高标准农田", "-k", "1", "--index", str(path))
    assert "【吴中区2023年主要工作任务分解方案 · (35)】" in text.stdout and "牵头 农业农村局" in text.stdout


def test_tasks_lists_exports_and_prints_the_api_json(sample_index, tmp_path):
    import csv

    path, _ = sample_index
    result = govqa("tasks", "--leader", "李 烨", "--lead-department", "区商务局", "--index", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("共 7 项任务") and "· (68)" in result.stdout
    listed = govqa("tasks", "--section", "打好三场硬仗", "--json", "--index", str(path))
    body = json.loads(listed.stdout)
    assert body["total"] == 8 and [t["task_no"] for t in body["tasks"]] == [f"({i})" for i in range(1, 9)]
    assert all(set(t) == HIT_KEYS for t in body["tasks"]) and set(body["facets"]) >= {"lead_departments", "documents"}
    out = tmp_path / "tasks.csv"
    exported = govqa("tasks", "--section", "打好三场硬仗", "--csv", str(out), "--index", str(path))
    assert exported.returncode == 0 and "8" in exported.stderr
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert [r[1] for r in rows[1:]] == [t["task_no"] for t in body["tasks"]]
    nothing = govqa("tasks", "--department", "教育", "--index", str(path))
    assert nothing.returncode == 0 and "教育局" in nothing.stderr and nothing.stdout.startswith("共 0 项")
