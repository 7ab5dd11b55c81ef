"""Report files in every state, through a real `govqa index`: each is indexed correctly or skipped
with its reason in the summary; the run never crashes and never drops a good file; a run with
nothing usable leaves the published index as it was."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

from indexer.build import parse_files
from indexer.index.folder import load_index
from tests.conftest import REPORTS, ROOT, SHORT_REPORT, SHORT_TITLE, WUJIANG_2022, WUZHONG_2023, XIANGCHENG_2023


def _govqa_index(folder, index):
    return subprocess.run(
        [sys.executable, "-m", "govqa", "index", str(folder), "--index", str(index), "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip


def _ragged(lines: list[str], seed: int) -> list[str]:
    """A table export gone wrong: cells lost, rows cut short, lines dropped."""
    rng = random.Random(seed)
    out = []
    for line in lines:
        roll = rng.random()
        if roll < 0.1:
            continue
        if roll < 0.3:
            line = line[: rng.randint(0, len(line))]
        out.append(line)
    return out


def _bad_folder(folder):
    table_2023 = (REPORTS / f"{WUZHONG_2023}.txt").read_text(encoding="utf-8")
    table_2022 = (REPORTS / f"{WUJIANG_2022}.txt").read_text(encoding="utf-8").splitlines()
    folder.mkdir()
    # Good files, one of them GBK with no declaration anywhere.
    (folder / "liuyang_gbk.txt").write_bytes(SHORT_REPORT.read_text(encoding="gb18030").encode("gbk"))
    # Broken tables: still reports, parsed as far as they go.
    (folder / "table_cut_mid_row.txt").write_text(table_2023[: len(table_2023) * 2 // 5 - 7], encoding="utf-8")
    (folder / "table_ragged.txt").write_text("\n".join(_ragged(table_2022, seed=3)), encoding="utf-8")
    # Files to refuse, each with its reason.
    (folder / "empty.txt").write_bytes(b"")
    (folder / "only_whitespace.txt").write_text(" \n\t\r\n\u3000\u3000\n" * 50, encoding="utf-8")
    (folder / "binary.txt").write_bytes(random.Random(1).randbytes(4096))
    (folder / "huge.txt").write_bytes(("全面推进乡村振兴，新增高标准农田。\n" * 1_100_000).encode()[: 50 * 1024 * 1024])
    (folder / "not_really.docx").write_bytes(b"PK\x03\x04 this is not a zip")
    (folder / "not_really.pdf").write_bytes(b"%PDF-1.7 and then nothing")
    (folder / "spreadsheet.xlsx").write_bytes(b"PK\x03\x04")
    os.symlink(folder / "moved_away.txt", folder / "vanished.txt")  # listed, gone when read


REASONS = {
    "empty.txt": "空文件",
    "only_whitespace.txt": "没有文字内容",
    "binary.txt": "二进制",
    "huge.txt": "文件过大（50.0 MB",
    "not_really.docx": ".docx",
    "not_really.pdf": "PDF",
    "spreadsheet.xlsx": "不支持的文件类型",
    "vanished.txt": "已被删除或移动",
}


def test_every_bad_file_is_skipped_with_its_reason_and_good_ones_are_indexed(tmp_path):
    folder = tmp_path / "reports"
    _bad_folder(folder)
    run = _govqa_index(folder, tmp_path / "index")
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    skipped = {os.path.basename(s["file"]): s["reason"] for s in summary["skipped"]}
    assert set(skipped) == set(REASONS), skipped
    for name, reason in REASONS.items():
        assert reason in skipped[name], (name, skipped[name])

    index = load_index(tmp_path / "index")
    docs = {d.doc_id: d for d in index.documents}
    assert set(docs) == {"liuyang_gbk", "table_cut_mid_row", "table_ragged"}
    assert docs["liuyang_gbk"].title == SHORT_TITLE
    farmland = [p for p in index.passages if p.doc_id == "liuyang_gbk" and "4.5万亩" in p.text]
    assert farmland and farmland[0].lead_departments == ("市农业农村局",), "the GBK report's text and owners were read correctly"
    cut = [p for p in index.passages if p.doc_id == "table_cut_mid_row"]
    assert any(p.task_no == "(1)" and "★" not in p.text and p.lead_departments for p in cut)  # rows before the cut are whole tasks
    assert sum(p.doc_id == "table_ragged" for p in index.passages) > 20


def test_a_run_with_nothing_usable_keeps_the_published_index(tmp_path, sample_index):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    path, _ = sample_index
    index = tmp_path / "index"
    os.symlink(path.resolve(), index)
    run = _govqa_index(folder, index)
    assert run.returncode == 1 and "没有可索引的内容" in run.stderr and "empty.txt" in run.stderr and "binary.txt" in run.stderr
    assert os.readlink(index) == str(path.resolve()) and len(load_index(index).passages) == len(load_index(path).passages)


def test_a_file_deleted_between_listing_and_reading(tmp_path):
    good, gone = tmp_path / "good.txt", tmp_path / "gone.txt"
    good.write_bytes((REPORTS / f"{XIANGCHENG_2023}.txt").read_bytes())
    gone.write_bytes(good.read_bytes())
    listed = [gone, good]
    gone.unlink()
    parsed, skipped = parse_files(listed)
    assert [p.document.doc_id for p in parsed] == ["good"]
    assert skipped == [{"file": str(gone), "reason": "文件在读取前已被删除或移动"}]
