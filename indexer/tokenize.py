"""The one tokenizer that indexing and querying share.

jieba splits Chinese text into words; a user dictionary of terms taken from
the corpus itself (department names, leaders, places, glossary terms, group
names) keeps those whole, so "保障性租赁住房" or "农业农村局" match as units.
Search-mode cutting also emits the shorter words inside a long one, so a
query for "农田" still meets "高标准农田".
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from pathlib import Path

import jieba

jieba.setLogLevel(logging.WARNING)

_KEEP = re.compile(r"[\u4e00-\u9fff]|[A-Za-z0-9]")
STOPWORDS = frozenset(
    "的 了 和 与 及 等 在 是 为 对 把 将 有 也 就 都 而 之 其 或 并 以 于 由 从 向 被 "
    "要 哪 哪些 哪个 哪位 什么 多少 几 吗 呢 啊 吧 今年 请问 一下 是否 怎么 如何".split()
)
_lock = threading.Lock()


class Tokenizer:
    def __init__(self, terms: Iterable[str] = ()) -> None:
        self._jieba = jieba.Tokenizer()
        self.terms = sorted({t.strip() for t in terms if 2 <= len(t.strip()) <= 20 and " " not in t.strip()})
        with _lock:  # jieba builds its prefix dictionary lazily and not thread-safely
            self._jieba.initialize()
            for term in self.terms:
                self._jieba.add_word(term, freq=20000)

    def __call__(self, text: str) -> list[str]:
        tokens = []
        for token in self._jieba.cut_for_search(text.lower()):
            token = token.strip()
            if token and token not in STOPWORDS and _KEEP.search(token):
                tokens.append(token)
        return tokens

    def save_terms(self, path: Path) -> None:
        path.write_text("\n".join(self.terms) + "\n", encoding="utf-8")

    @classmethod
    def from_file(cls, path: Path) -> Tokenizer:
        return cls(path.read_text(encoding="utf-8").splitlines() if path.exists() else ())
