"""Canonical names: the forms documents and people use for one office map to one name, and
different offices stay apart."""

from __future__ import annotations

import pytest

from indexer.names import Names

NAMES = Names.default()


@pytest.mark.parametrize(
    ("forms", "canonical"),
    [
        (["区发改委", "发改委", "发展和改革委员会", "发 改 委", "吴江区发展和改革委员会"], "发改委"),
        (["卫健委", "区卫健委", "卫生健康委员会"], "卫健委"),
        (["财政局", "区财政局（国资办）", "财政局(国资办)"], "财政局"),
        (["资规分局", "自然资源和规划局", "区自然资源和规划局"], "资规局"),
        (["公安局", "吴中公安分局", "区公安局"], "公安局"),
        (["李 烨", "李烨", " 李\u3000烨 "], "李烨"),
    ],
)
def test_the_forms_of_one_name_meet(forms, canonical):
    assert {NAMES.key(f) for f in forms} == {canonical}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("市发改委", "发改委"),  # the city's office is not the district's
        ("区委办", "政府办"),
        ("度假区消防救援大队", "吴中消防救援大队"),
        ("吴江开发区", "开发区"),  # a place keeps its own name
    ],
)
def test_different_offices_stay_apart(a, b):
    assert NAMES.key(a) != NAMES.key(b)


def test_names_that_start_with_the_district_level_keep_their_words():
    assert NAMES.key("区级各预算单位") == "区级各预算单位"
    assert NAMES.key("区委宣传部") == NAMES.key("宣传部") == "区委宣传部"


def test_suggestions_for_a_name_that_matches_nothing():
    known = ["教育局", "科技局", "商务局", "卫健委"]
    assert NAMES.suggest("教育", known)[0] == "教育局"
    assert NAMES.suggest("商物局", known)[0] == "商务局"  # a slip of the keyboard
    assert NAMES.suggest("", known) == []
