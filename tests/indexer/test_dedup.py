"""A degraded copy of a report never reaches the index when the good copy is there."""

from __future__ import annotations

import random

from indexer.build import resolve_corpus
from indexer.dedup import find_duplicates, ordered_containment
from tests.conftest import WUJIANG_2022, WUZHONG_2023, WUZHONG_2023_DEGRADED


def test_degraded_copy_of_001_is_dropped_for_001(parsed):
    kept, duplicates = resolve_corpus(list(parsed.values()))
    assert [d.dropped for d in duplicates] == [WUZHONG_2023_DEGRADED]
    assert duplicates[0].kept == WUZHONG_2023
    assert "断字率" in duplicates[0].reason
    assert WUZHONG_2023_DEGRADED not in {p.document.doc_id for p in kept}


def test_unrelated_reports_are_not_duplicates(parsed):
    docs = [(k, v.plain, v.broken_rate) for k, v in parsed.items() if k != WUZHONG_2023_DEGRADED]
    assert find_duplicates(docs) == []


def test_a_new_degradation_of_another_report_is_caught(parsed):
    """Drop a fifth of the characters of 002 at random and break words with spaces."""
    good = parsed[WUJIANG_2022]
    rng = random.Random(7)
    damaged = "".join(ch for ch in good.plain if rng.random() > 0.2)
    docs = [(WUJIANG_2022, good.plain, good.broken_rate), ("copy", damaged, 0.2)]
    (duplicate,) = find_duplicates(docs)
    assert (duplicate.dropped, duplicate.kept) == ("copy", WUJIANG_2022)
    assert ordered_containment(damaged, good.plain) > 0.95


def test_identical_files_keep_the_first(parsed):
    good = parsed[WUJIANG_2022]
    (duplicate,) = find_duplicates([("a", good.plain, good.broken_rate), ("b", good.plain, good.broken_rate)])
    assert (duplicate.dropped, duplicate.kept) == ("b", "a")
