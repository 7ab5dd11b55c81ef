"""Find documents that are copies of each other and keep the better copy.

A degraded copy (characters dropped by a bad OCR or export, a row lost)
shares few exact n-grams with its original, so n-gram Jaccard misses it. What
survives is order: almost every character of the copy appears, in the same
order, in the original. Candidates are pairs whose character-bigram sets
overlap much more than unrelated reports do; each candidate is confirmed by
aligning the two texts (difflib) and measuring how much of the smaller one
is found in order in the larger. Of a confirmed pair, the copy with more
broken words (Chinese characters standing alone) is dropped, then the
shorter one.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

CANDIDATE_CONTAINMENT = 0.35  # bigram containment; unrelated reports of one genre reach about 0.3
DUPLICATE_CONTAINMENT = 0.85  # share of the smaller text found, in order, in the larger


@dataclass(frozen=True, slots=True)
class Duplicate:
    dropped: str  # doc_id
    kept: str
    containment: float
    reason: str


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def ordered_containment(small: str, large: str) -> float:
    """Share of `small` that appears in `large` in the same order."""
    if not small:
        return 0.0
    matcher = difflib.SequenceMatcher(None, small, large, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(small)


def find_duplicates(docs: list[tuple[str, str, float]]) -> list[Duplicate]:
    """docs: (doc_id, plain text, broken-word rate). Returns the documents to drop."""
    grams = {doc_id: _bigrams(plain) for doc_id, plain, _ in docs}
    info = {doc_id: (plain, broken) for doc_id, plain, broken in docs}
    dropped: dict[str, Duplicate] = {}
    ids = [d[0] for d in docs]
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if a in dropped or b in dropped:
                continue
            small, large = (a, b) if len(info[a][0]) <= len(info[b][0]) else (b, a)
            if not grams[small]:
                continue
            overlap = len(grams[small] & grams[large]) / len(grams[small])
            if overlap < CANDIDATE_CONTAINMENT:
                continue
            contained = ordered_containment(info[small][0], info[large][0])
            if contained < DUPLICATE_CONTAINMENT:
                continue
            loser, winner = _worse(small, large, info)
            reason = (
                f"与 {winner} 内容重复（{contained:.0%} 的文字按顺序出现在 {winner} 中），"
                f"且质量较差（断字率 {info[loser][1]:.1%}，对方 {info[winner][1]:.1%}；"
                f"字数 {len(info[loser][0])}，对方 {len(info[winner][0])}）"
            )
            dropped[loser] = Duplicate(dropped=loser, kept=winner, containment=contained, reason=reason)
    return list(dropped.values())


def _worse(x: str, y: str, info: dict[str, tuple[str, float]]) -> tuple[str, str]:
    """(worse, better): more broken words loses; on a tie, the shorter text loses."""
    bx, by = info[x][1], info[y][1]
    if abs(bx - by) > 0.01:
        return (x, y) if bx > by else (y, x)
    return (x, y) if len(info[x][0]) < len(info[y][0]) else (y, x)
