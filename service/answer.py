"""Answers written from the cited passages, so every statement can be traced.

No language model: the kind of question decides what to take from the best
passages — the clause with the figure, the ★ lead departments, the leader in
charge, a 名词解释 definition, or the most relevant sentences of up to three
tasks — and every piece carries its citation 【…】. When the question's
district or year has no report, or the best passage does not cover what the
question asks about, the answer says 未找到 plainly and shows the nearest
passages instead of guessing.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from typing import Protocol

from indexer.passage import ROLE_GLOSSARY, Hit, Passage

from .search import Searcher, SearchResult

KIND_NUMBER = "number"
KIND_DEADLINE = "deadline"
KIND_RESPONSIBILITY = "responsibility"
KIND_LEADER = "leader"
KIND_DEFINITION = "definition"
KIND_GENERAL = "general"

_KINDS = [
    (KIND_DEADLINE, re.compile(r"什么时候|什么时间|何时|啥时候|哪天|完成时限|完成时间|时间节点|截止|时限|期限|哪个月|几月份?(完成|前)|多久")),
    (KIND_LEADER, re.compile(r"分管|(哪位|哪个|哪些|谁是).{0,4}领导|[区县市]领导|牵头领导|责任领导|副区长|副县长|副市长|谁分管")),
    (KIND_RESPONSIBILITY, re.compile(r"谁负责|谁牵头|哪个部门|哪些部门|哪个单位|哪些单位|牵头单位|牵头部门|责任单位|责任部门|负责单位|主管部门|归谁|归哪|牵头|负责")),
    (KIND_DEFINITION, re.compile(r"什么是|指什么|是指|含义|什么意思|是个什么|是什么平台|是什么机制|是什么")),
    (KIND_NUMBER, re.compile(r"多少|几[个家条座所套项万亿亩人次辆张处批]?|目标|增长|增速|增幅|规模|比重|比例|达到|占比|面积|数量|总额|总量|金额")),
]
_CLAUSE_SPLIT = re.compile(r"(?<=[，,；;。！？!?])")
_SENTENCE_SPLIT = re.compile(r"(?<=[；;。！？!?])")
_DIGIT = re.compile(r"\d")
_NOISE = re.compile(r"[\s？?！!。，,、：:“”\"'（）()]")
MIN_COVERAGE = 0.4
MIN_SPECIFIC = 0.5
MAX_GENERAL = 3


@dataclass
class Answer:
    query: str
    answer: str
    citations: list[Hit]
    kind: str
    found: bool
    filters: dict[str, object] = field(default_factory=dict)
    took_ms: float = 0.0

    def public(self) -> dict[str, object]:
        return {
            "query": self.query,
            "answer": self.answer,
            "citations": [h.public() for h in self.citations],
            "took_ms": round(self.took_ms, 3),
            "kind": self.kind,
            "found": self.found,
            "filters": self.filters,
        }


class Answerer(Protocol):
    def ask(self, q: str, **filters: object) -> Answer: ...


def question_kind(question: str) -> str:
    for kind, pattern in _KINDS:
        if pattern.search(question):
            return kind
    return KIND_GENERAL


def cite(hit: Hit) -> str:
    return f"【{hit.passage.citation}】"


def _bigrams(text: str) -> set[str]:
    text = _NOISE.sub("", text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


class ExtractiveAnswerer:
    """Answers from the searcher's hits; the only Answerer, and the default."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher

    def ask(
        self,
        q: str,
        district: str | None = None,
        year: int | None = None,
        doc_id: str | None = None,
        kind: str | None = None,
        history: list[str] | None = None,
    ) -> Answer:
        started = time.perf_counter()
        result = self.searcher.search(q, k=10, district=district, year=year, doc_id=doc_id, kind=kind)
        answer = self._compose(q, result)
        answer.filters = result.parsed.filters()
        answer.took_ms = (time.perf_counter() - started) * 1000
        return answer

    # -- deciding whether there is evidence -------------------------------------------------

    def _key_terms(self, q: str, result: SearchResult) -> list[list[str]]:
        """What a passage must cover: the question's words, longest forms first, each with
        the shorter words jieba found inside it; not the district, the year or the asking."""
        places = [d for d in result.parsed.districts or []]
        for place in list(places):  # the city before a district ("合肥瑶海区", "青岛市市北区") is a place too
            m = re.search(rf"([\u4e00-\u9fff]{{2,3}}?[省市]?)(?={re.escape(place)})", q)
            if m:
                places.append(m.group(1))
        asked = re.sub(r"(20\d{2}\s*年)", r"\1 ", q)  # "2024年建学校": the year is not part of a word
        tokens = [t for t in dict.fromkeys(self.searcher.index.tokenizer(asked)) if len(t) >= 2]
        units = []
        for token in tokens:
            if any(token != other and token in other for other in tokens):
                continue  # a piece of a longer word: it rides along with that word
            if any(token in place or place[:-1] == token for place in places):
                continue
            if re.fullmatch(r"\d+|20\d{2}年?", token) or _KIND_WORDS.search(token):
                continue
            units.append([token] + [t for t in tokens if t != token and t in token and not _KIND_WORDS.search(t)])
        return units

    def coverage(self, q: str, result: SearchResult, passage: Passage) -> tuple[float, float]:
        """How much of what the question asks about the passage covers, by IDF weight:
        (over all its words, for its most specific word).

        Only words the corpus knows count: a word no passage contains ("家里")
        cannot tell passages apart, while a rare one ("农田") decides. A word
        counts as covered by itself or a synonym, or in part by the pieces it
        is made of, each by its own weight ("高标准农田" = 高标准 + 农田).
        """
        keyword = self.searcher.index.keyword
        text = passage.search_text().lower()
        asked = q.lower()
        groups = [{w.lower() for w in g} for g in self.searcher.synonyms.groups if any(w.lower() in asked for w in g)]

        def idf(form: str) -> float:
            df = keyword.doc_freq(form)
            return math.log((keyword.size - df + 0.5) / (df + 0.5) + 1.0) if df else 0.0

        total = covered = 0.0
        weighted: list[tuple[float, float]] = []  # (weight, share) of each word
        for forms in self._key_terms(q, result):
            main = {forms[0]}.union(*(g for g in groups if any(forms[0] in w or w in forms[0] for w in g)))
            parts = _tiling(forms[0], forms[1:])
            weight = max([idf(f) for f in main] + [idf(f) for f in parts])
            if weight == 0:
                continue
            share = 0.0
            if any(f in text for f in main):
                share = 1.0
            elif parts:
                part_weights = [idf(f) for f in parts]
                if sum(part_weights):
                    share = sum(w for f, w in zip(parts, part_weights, strict=True) if f in text) / sum(part_weights)
            total += weight
            covered += weight * share
            weighted.append((weight, share))
        if total == 0:
            return 1.0, 1.0
        # The most specific words: the rarest one, or with three words or more, the better of the two
        # rarest (one rare colloquial word, "多出来", must not outweigh the rare word that is covered).
        weighted.sort(key=lambda ws: -ws[0])
        specific = max(share for _, share in weighted[: 2 if len(weighted) >= 3 else 1])
        return covered / total, specific

    def is_evidence(self, q: str, result: SearchResult, passage: Passage) -> bool:
        """Enough of the question is in the passage, and its most specific word above all."""
        overall, specific = self.coverage(q, result, passage)
        return overall >= MIN_COVERAGE and specific >= MIN_SPECIFIC

    # -- writing the answer -----------------------------------------------------------------

    def _compose(self, q: str, result: SearchResult) -> Answer:
        kind = question_kind(q)
        if not result.hits:
            return self._decline(q, result, kind, f"{result.message or '未找到相关内容'}。")
        strong = [h for h in result.hits[:MAX_GENERAL] if self.is_evidence(q, result, h.passage)]
        if not strong:
            scope = result.parsed.describe()
            reason = f"未找到{scope + '报告中' if scope else ''}与该问题直接相关的内容。"
            if result.parsed.year is not None:  # the asked year has nothing: other years may
                districts = result.parsed.districts
                other = self.searcher.search(q, k=10, district=districts[0] if districts and len(districts) == 1 else "", year=0)
                found = [h for h in other.hits[:MAX_GENERAL] if self.is_evidence(q, other, h.passage)]
                if found:
                    return self._decline(q, result, kind, reason, nearest=found, label="其他年份的相关内容")
            return self._decline(q, result, kind, reason, nearest=result.hits[:MAX_GENERAL])
        top = strong[0]
        entry = next((h for h in result.hits[:5] if h.passage.role == ROLE_GLOSSARY and _term(h.passage) in q), None)
        if entry and (kind == KIND_DEFINITION or kind == KIND_GENERAL):
            return Answer(q, f"{entry.passage.text}{cite(entry)}", [entry], KIND_DEFINITION, True)
        if kind == KIND_DEFINITION:
            kind = KIND_GENERAL
        if kind in _FIELD_ANSWERS:  # who leads, which leader, by when: from the best hit that states it
            name, holds, statement = _FIELD_ANSWERS[kind]
            hit = next((h for h in strong if holds(h.passage)), None)
            if hit is None:
                return self._decline(q, result, kind, f"未找到该项工作的{name}：相关文件没有列明。", nearest=strong)
            return Answer(q, f"{statement(hit.passage)}。该项工作：{_shorten(hit.passage.text)}{cite(hit)}", [hit], kind, True)
        _, canonical = self.searcher.synonyms.expand(q)
        wanted = q + "".join(canonical)  # 社零 → 社会消费品零售总额, so the right clause is found
        if kind == KIND_NUMBER:
            figure = next((h for h in strong if h.passage.role != ROLE_GLOSSARY), top)
            clause = _best_clause(wanted, figure.passage.text, need_digit=True)
            if clause:
                return Answer(q, f"{clause}{cite(figure)}", [figure], kind, True)
        lines = []
        for hit in strong[:MAX_GENERAL]:
            lines.append(f"{_best_sentence(wanted, hit.passage.text)}{cite(hit)}")
        text = lines[0] if len(lines) == 1 else "\n".join(f"{n}. {line}" for n, line in enumerate(lines, start=1))
        return Answer(q, text, strong[:MAX_GENERAL], KIND_GENERAL if kind != KIND_NUMBER else kind, True)

    def _decline(
        self, q: str, result: SearchResult, kind: str, reason: str, nearest: list[Hit] | None = None, label: str = "最接近的内容"
    ) -> Answer:
        if nearest is None:  # nothing under the filters: look everywhere for the nearest passages
            nearest = self.searcher.search(q, k=MAX_GENERAL, district="", year=0).hits
        if not nearest:
            return Answer(q, reason, [], kind, False)
        lines = [f"{n}. {_best_sentence(q, h.passage.text)}{cite(h)}" for n, h in enumerate(nearest, start=1)]
        return Answer(q, f"{reason}{label}：\n" + "\n".join(lines), nearest, kind, False)


_KIND_WORDS = re.compile(
    r"^(多少|几|哪|哪些|哪个|哪位|什么|怎么|如何|是否|要|有|谁|负责|牵头|部门|单位|领导|分管|区领导|目标|预期|"
    r"增长|计划|今年|去年|指|是|情况|工作|任务|报告|主要|方面|相关|具体|内容|要求|措施|打算|开展|推进|区|年|"
    r"不是|其他|其它|别的|区县|时候|时间|完成|期限|时限)$"
)


def _owners(p: Passage) -> str:
    if not p.lead_departments:  # the document does not say which unit leads
        return f"责任单位：{'、'.join(p.departments)}"
    others = [d for d in p.departments if d not in p.lead_departments]
    return f"牵头单位：★{'、★'.join(p.lead_departments)}" + (f"；配合单位：{'、'.join(others)}" if others else "")


# kind → (what is asked, does a passage state it, the statement)
_FIELD_ANSWERS = {
    KIND_RESPONSIBILITY: ("责任部门", lambda p: p.departments, _owners),
    KIND_LEADER: ("分管领导", lambda p: p.leaders, lambda p: f"分管区领导：{'、'.join(p.leaders)}"),
    KIND_DEADLINE: ("完成时限", lambda p: p.deadline, lambda p: f"完成时限：{p.deadline}"),
}


def _tiling(word: str, pieces: list[str]) -> list[str]:
    """Non-overlapping pieces of `word`, longest first ("高标准农田" → 高标准, 农田)."""
    taken = [False] * len(word)
    chosen = []
    for piece in sorted(set(pieces), key=len, reverse=True):
        start = word.find(piece)
        while start >= 0 and any(taken[start : start + len(piece)]):
            start = word.find(piece, start + 1)
        if start >= 0:
            taken[start : start + len(piece)] = [True] * len(piece)
            chosen.append(piece)
    return chosen


def _term(passage: Passage) -> str:
    return passage.citation.rsplit(" · ", 1)[-1]


def _score(question: set[str], text: str) -> int:
    return len(question & _bigrams(text))


def _best_clause(q: str, text: str, need_digit: bool) -> str | None:
    """The clause (between commas) that shares most with the question, with its figure."""
    if len(text) <= 40 and (not need_digit or _DIGIT.search(text)):
        return text
    wanted = _bigrams(q)
    clauses = [c for c in _CLAUSE_SPLIT.split(text) if c.strip()]
    scored = [(i, _score(wanted, c)) for i, c in enumerate(clauses) if not need_digit or _DIGIT.search(c)]
    if not scored:
        return None
    i, best = max(scored, key=lambda item: (item[1], -item[0]))
    if best == 0:
        return None
    clause = clauses[i].rstrip("，,；;")
    follow = clauses[i + 1].rstrip("，,；;。") if i + 1 < len(clauses) else ""
    if follow and len(follow) <= 14 and _DIGIT.search(follow) and clauses[i].endswith(("，", ",", "、")):
        clause = f"{clause}{clauses[i][-1]}{follow}"
    return clause.rstrip("。") + "。"


def _best_sentence(q: str, text: str) -> str:
    """The sentence of a passage that shares most with the question (the passage if it is short)."""
    if len(text) <= 80:
        return text
    wanted = _bigrams(q)
    sentences = [s for s in _SENTENCE_SPLIT.split(text) if s.strip()]
    best = max(sentences, key=lambda s: _score(wanted, s))
    return best if len(best) <= 160 else best[:160] + "……"


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "……"
