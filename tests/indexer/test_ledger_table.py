"""The ledger table written with each build: rows, owners as canonical codes, texts, round trip."""

from __future__ import annotations

import numpy as np

from indexer.ledger import LedgerTable
from indexer.passage import Passage


def passage(n: int, role: str, text: str, **owners) -> Passage:
    return Passage(
        id=f"d-{n}", doc_id="d", title="某区2024年任务分解方案", district="某区", year=2024, kind="task_table", role=role,
        section=("二、重点任务", "（一）产业"), task_no=f"({n})" if role == "task" else None, citation=f"某区 · ({n})", text=text, **owners,
    )  # fmt: skip


PASSAGES = [
    passage(0, "paragraph", "各部门要抓好落实。"),  # not a ledger row
    passage(1, "task", "新增高标准农田 5000 亩", lead_departments=("区农业农村局",), departments=("区农业农村局", "区财政局"), leaders=("李 烨",)),
    passage(2, "task", "建设口袋公园 10 个", lead_departments=("住房和城乡建设局",), departments=("住房和城乡建设局", "木渎镇"), areas=("甪直镇",)),
    passage(3, "target", "地区生产总值增长 5%", lead_departments=("发展和改革委员会",), departments=("发展和改革委员会", "统计局")),
]


def test_round_trip_and_canonical_codes(tmp_path):
    LedgerTable.of(PASSAGES).save(tmp_path)
    loaded = LedgerTable.load(tmp_path)
    assert list(loaded.rows) == [1, 2, 3]
    assert set(loaded.vocab["lead"]) == {"农业农村局", "住建局", "发改委"}
    assert "李烨" in loaded.vocab["leader"]
    # a town named among the departments is an area too
    assert set(loaded.vocab["area"]) == {"甪直镇", "木渎镇"}
    code = loaded.vocab["department"].index("住建局")
    assert list(np.flatnonzero(loaded.having("department", code))) == [1]
    counts = loaded.counts("department", np.array([True, True, True]))
    assert counts[loaded.vocab["department"].index("农业农村局")] == 1


def test_words_are_found_in_one_task_text_never_across_two(tmp_path):
    LedgerTable.of(PASSAGES).save(tmp_path)
    loaded = LedgerTable.load(tmp_path)
    assert list(np.flatnonzero(loaded.containing("口袋公园"))) == [1]
    assert list(np.flatnonzero(loaded.containing("亩建设"))) == []  # the end of one text and the start of the next
    assert list(np.flatnonzero(loaded.containing("5"))) == [0, 2]
    assert not loaded.containing("").any()


def test_an_index_without_tasks_has_an_empty_ledger(tmp_path):
    LedgerTable.of(PASSAGES[:1]).save(tmp_path)
    loaded = LedgerTable.load(tmp_path)
    assert len(loaded) == 0 and not loaded.containing("落实").any()
