"""BM25 with bm25s: sparse matrices, fast, saved as plain numpy files.

bm25s keeps, for every token, its posting list: the passages (ascending) that
contain it and each one's precomputed BM25 share. Its own `get_scores` adds
the query tokens' lists into a dense array over every passage, which at 10^6
passages (lists of up to 10^6 entries for common words, then a partition of
the whole array) made keyword search the slowest part of a search. `search`
below returns the same top k — same rows, same float32 scores, ties by row —
while reading the long lists of common words only where a passage can still
make the top k (MaxScore pruning).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import bm25s
import numpy as np

# Relative slack in the pruning tests: float32 sums of a few dozen shares err by far less,
# and a slightly looser bound only keeps a few more candidates.
_SLACK = 1e-4
# Add a whole posting list instead of looking the candidates up in it while it is at most
# this many times longer than the candidate list (a binary search costs about that much more).
_SCAN = 8


class BM25Index:
    kind = "bm25s"

    def __init__(self, model: bm25s.BM25, size: int) -> None:
        self._model = model
        self._size = size
        # Plain views of bm25s's (possibly memory-mapped) arrays: slicing a np.memmap costs more than the search.
        self._indptr, self._indices, self._shares = (np.asarray(model.scores[key]) for key in ("indptr", "indices", "data"))
        self._best: dict[int, float] = {}  # token id → its largest share, filled in as tokens are queried

    @classmethod
    def build(cls, corpus_tokens: list[list[str]]) -> BM25Index:
        model = bm25s.BM25()
        # An empty passage still needs a row, so that rows line up with the vector store.
        model.index([tokens or [""] for tokens in corpus_tokens], show_progress=False)
        return cls(model, len(corpus_tokens))

    def search(self, tokens: list[str], k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The k best passages as (scores, rows), score descending, ties by row ascending: exactly
        the top k of bm25s's `get_scores` (a repeated token counts again), restricted to `mask`.

        Tokens are taken by the most they can add to one passage (`bound`), largest first:
        1. their posting lists are added into `scores` until k passages of the last list score
           more than all the tokens left could add (`rest`); a passage in none of those lists
           cannot reach the top k;
        2. those k passages, scored in full, set a floor `theta` the top k's last score is at
           least; only passages whose partial score plus `rest` reaches it stay candidates, and
           the tokens left are added for them alone, dropping those that fall behind;
        3. the last candidates are scored in full, in bm25s's order of float32 additions.
        """
        vocab, indptr = self._model.vocab_dict, self._indptr
        ids = [vocab[t] for t in tokens if t in vocab]
        ids = [i for i in ids if i + 1 < len(indptr) and indptr[i + 1] > indptr[i]]
        if not ids or k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        postings = {i: self._postings(i) for i in ids}
        times = Counter(ids)
        bound = {i: times[i] * self._bound(i) for i in postings}
        order = sorted(postings, key=bound.__getitem__, reverse=True)
        rest = sum(bound.values())

        scores = np.zeros(self._size, dtype=np.float32)
        added = 0
        for i in order:
            rows, shares = postings[i]
            if mask is not None:
                allowed = mask[rows]
                rows, shares = rows[allowed], shares[allowed]
            np.add.at(scores, rows, shares * times[i])
            rest -= bound[i]
            added += 1
            ahead = rows[scores[rows] > rest * (1 + _SLACK)]
            if len(ahead) >= k:
                break
        else:  # every token added: the candidates are all passages that matched
            ahead, rest = np.flatnonzero(scores > 0), 0.0

        theta = 0.0
        if len(ahead) >= k:
            best = ahead[np.argpartition(scores[ahead], -k)[-k:]]
            theta = float(self._exact(ids, postings, best).min())
        floor = max(theta * (1 - _SLACK) - rest * (1 + _SLACK), 0.0)
        candidates = np.flatnonzero(scores > floor).astype(self._indices.dtype)
        for i in order[added:]:
            rows, shares = postings[i]
            if len(rows) <= _SCAN * len(candidates):
                np.add.at(scores, rows, shares * times[i])
            else:
                scores[candidates] += times[i] * _lookup(rows, shares, candidates)
            rest -= bound[i]
            if len(candidates) > k:  # partial scores are lower bounds too: the k-th best may raise theta
                theta = max(theta, _kth(scores[candidates], k))
            candidates = candidates[scores[candidates] + rest * (1 + _SLACK) >= theta * (1 - _SLACK)]

        exact = self._exact(ids, postings, candidates)
        top = np.lexsort((candidates, -exact))[:k]
        return exact[top], candidates[top].astype(np.int64)

    def _postings(self, token_id: int) -> tuple[np.ndarray, np.ndarray]:
        """The passages holding the token (ascending) and the token's share of each one's score."""
        start, end = self._indptr[token_id], self._indptr[token_id + 1]
        return self._indices[start:end], self._shares[start:end]

    def _bound(self, token_id: int) -> float:
        best = self._best.get(token_id)
        if best is None:
            best = self._best[token_id] = float(self._postings(token_id)[1].max())
        return best

    @staticmethod
    def _exact(ids: list[int], postings: dict, rows: np.ndarray) -> np.ndarray:
        """Full scores of `rows`, added token by token in query order as bm25s does, so equal to its own."""
        shares = {i: _lookup(*postings[i], rows) for i in postings}
        total = np.zeros(len(rows), dtype=np.float32)
        for i in ids:
            total += shares[i]
        return total

    @property
    def size(self) -> int:
        return self._size

    def doc_freq(self, token: str) -> int:
        row = self._model.vocab_dict.get(token)
        indptr = self._indptr
        if row is None or row + 1 >= len(indptr):
            return 0
        return int(indptr[row + 1] - indptr[row])

    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self._model.save(str(path), show_progress=False)
        (path / "size.txt").write_text(str(self._size))

    @classmethod
    def load(cls, path: Path) -> BM25Index:
        # Memory-mapped, like the vectors: a query reads only its tokens' postings.
        model = bm25s.BM25.load(str(path), mmap=True, show_progress=False)
        return cls(model, int((path / "size.txt").read_text()))


def _lookup(rows: np.ndarray, shares: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The share of each wanted row in one posting list (`rows` ascending, non-empty), 0 where absent."""
    at = np.searchsorted(rows, wanted.astype(rows.dtype, copy=False))  # a wider dtype would copy the whole list
    at[at == len(rows)] = 0
    return np.where(rows[at] == wanted, shares[at], np.float32(0))


def _kth(values: np.ndarray, k: int) -> float:
    """The k-th largest of `values` (at least k of them)."""
    return float(np.partition(values, -k)[-k])
