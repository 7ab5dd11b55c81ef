"""A build killed with SIGKILL, while embedding or while writing, leaves the published index serving."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from indexer.build import build_index
from indexer.index.folder import load_index
from indexer.index.publish import builds_dir
from tests.conftest import REPORTS, ROOT, SHORT_REPORT, WUZHONG_2025


def _small_index(tmp_path, embedder):
    target = tmp_path / "index"
    build_index([SHORT_REPORT], target, embedder=embedder, progress=False)
    return target, os.readlink(target), len(load_index(target).passages)


def test_killed_while_embedding(tmp_path, embedder):
    target, published, count = _small_index(tmp_path, embedder)
    proc = subprocess.Popen(
        [sys.executable, "-m", "govqa", "index", str(REPORTS), "--index", str(target)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 120
    while time.time() < deadline and "向量化" not in (line := proc.stderr.readline()):
        assert line or proc.poll() is None
    # The line is logged as embedding starts: killing now kills the build inside it, no sleep needed.
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert os.readlink(target) == published and len(load_index(target).passages) == count
    # The next build succeeds (a short report and a sample one: what matters is that it publishes over the dead one).
    report = build_index([SHORT_REPORT, REPORTS / f"{WUZHONG_2025}.txt"], target, embedder=embedder, progress=False)
    assert len(load_index(target).passages) == report.passages > count


def test_killed_while_writing_the_new_build(tmp_path, embedder):
    target, published, count = _small_index(tmp_path, embedder)
    script = textwrap.dedent(
        f"""
        import os, signal
        import indexer.index.rows as store
        from indexer.build import build_index

        real_save = store.RowTable.save

        def die_half_way(self, path):
            real_save(self, path)  # passages, offsets and rows are on disk; the rest is not
            os.kill(os.getpid(), signal.SIGKILL)

        store.RowTable.save = die_half_way
        build_index([{str(SHORT_REPORT)!r}], {str(target)!r}, progress=False)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == -signal.SIGKILL
    unfinished = [p for p in builds_dir(target).iterdir() if not (p / "manifest.json").exists()]
    assert len(unfinished) == 1 and (unfinished[0] / "passages.jsonl").exists()
    assert os.readlink(target) == published and len(load_index(target).passages) == count
    build_index([SHORT_REPORT], target, embedder=embedder, progress=False)
    assert not any(p.exists() for p in unfinished)  # the next build removed the dead one
