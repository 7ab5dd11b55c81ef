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

from indexer.passage import ROLE_GLOSSARY, Hit, Passage

from .compare import read_sides, side_question
from .conversation import resolve
from .ledger import Ledger, TaskFilters
from .lists import list_answer, read_list_question
from .search import Searcher, SearchResult, normalize_question

KIND_NUMBER = "number"
KIND_DEADLINE = "deadline"
KIND_RESPONSIBILITY = "responsibility"
KIND_LEADER = "leader"
KIND_DEFINITION = "definition"
KIND_GENERAL = "general"
KIND_COOPERATE = "cooperate"
KIND_AREA = "area"
KIND_GROUP = "group"
KIND_PROGRESS = "progress"
KIND_LIST = "list"
KIND_COUNT = "count"
KIND_COMPARE = "compare"

_KINDS = [
    (KIND_GROUP, re.compile(r"在哪个.{0,4}(下面|下|里)|哪个工程|属于哪|归在哪|归属哪|哪一类|哪类工作|所在分组|哪个分组|哪个小标题|小标题|哪一场|哪个分项|哪一项下|哪个部分|哪个板块下|哪个方面")),
    (KIND_COOPERATE, re.compile(r"配合单位|配合部门|协办单位|谁配合|哪些.{0,4}配合|配合的|还有谁|还有哪些(部门|单位)|除了?.{1,12}(外|之外|以外)")),
    (KIND_AREA, re.compile(r"哪几个镇|哪几个板块|哪几个街道|哪个镇|哪些镇|哪个板块|哪些板块|哪些街道|哪个街道|责任板块|在哪里实施|落在哪|涉及哪些(镇|板块|街道)|哪些镇和街道|在哪个地方")),
    (KIND_PROGRESS, re.compile(r"完成了吗|完成没有|完成没|有没有完成|完成情况|完成得|进展|进度|落实得怎么样|落实情况|做到了吗|实现了吗|达到了吗|达标了吗")),
    (KIND_DEADLINE, re.compile(r"什么时候|什么时间|何时|啥时候|哪天|完成时限|完成时间|时间节点|截止|时限|期限|哪个月|几月份?(完成|前)|多久")),
    (KIND_LEADER, re.compile(r"分管|(哪位|哪个|哪些|谁是).{0,4}领导|[区县市]领导|牵头领导|责任领导|副区长|副县长|副市长|谁分管")),
    (KIND_RESPONSIBILITY, re.compile(r"谁负责|谁牵头|哪个部门|哪些部门|哪个单位|哪些单位|牵头单位|牵头部门|责任单位|责任部门|负责单位|主管部门|归谁|归哪|牵头|负责")),
    (KIND_DEFINITION, re.compile(r"什么是|指什么|是指|含义|什么意思|是个什么|是什么平台|是什么机制|是什么")),
    (KIND_NUMBER, re.compile(r"多少|几[个家条座所套项万亿亩人次辆张处批]?|目标|增长|增速|增幅|规模|比重|比例|达到|占比|面积|数量|总额|总量|金额")),
]
_QUANTITY = re.compile(r"多少|(?<!哪)几[个家条座所套项万亿亩人次辆张处批]")
_UNIT = re.compile(r"多少(钱|亿元|万元|元|亩|公里|千米|平方米|万平方米|个|家|条|座|所|套|项|人次|万人|人|辆|张|处|批|件|吨|户|间|台|场|次)")
_MONEY = re.compile(r"金额|多少钱|资金|投资额|总额|多少资金")  # asks for an amount of money: a figure in 元
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
    ledger_url: str | None = None  # a list answer: the ledger filtered the same way
    resolved: str | None = None  # a follow-up: the question as the conversation completes it

    def public(self) -> dict[str, object]:
        extra: dict[str, object] = {"ledger_url": self.ledger_url} if self.ledger_url else {}
        if self.resolved:
            extra["resolved"] = self.resolved
        return {
            **extra,
            "query": self.query,
            "answer": self.answer,
            "citations": [h.public() for h in self.citations],
            "took_ms": round(self.took_ms, 3),
            "kind": self.kind,
            "found": self.found,
            "filters": self.filters,
        }


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
    """Answers from the searcher's hits; the only answerer, and the default."""

    def __init__(self, searcher: Searcher, ledger: Ledger | None = None) -> None:
        self.searcher = searcher
        self.ledger = ledger or Ledger(searcher.engine)

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
        q = normalize_question(q)
        turn = resolve(q, [normalize_question(h) for h in history or []], self.searcher.parser.districts_named, self.ledger.mentions)
        question = turn.question
        filters = dict(district=district, year=year, doc_id=doc_id, kind=kind)
        answer = self._compare(question, filters) or self._list(question, filters)
        if answer is None:
            result = self.searcher.search(question, k=10, **filters)
            answer = self._compose(question, result, asked=turn.asked)
            answer.filters = result.parsed.filters()
        answer.query = q
        if turn.followup:
            answer.resolved = question
        answer.took_ms = (time.perf_counter() - started) * 1000
        return answer

    def _list(self, q: str, filters: dict) -> Answer | None:
        """A list or count question, answered from the ledger's exact rows."""
        parsed = self.searcher.parser.parse(q, **filters)
        question = read_list_question(q, parsed, self.ledger)
        if question is None:
            return None
        text, hits, link = list_answer(question, self.ledger)
        if not hits:
            named = any(getattr(question.filters, f) for f in ("department", "lead_department", "leader", "area", "section"))
            scope = TaskFilters(district=question.filters.district, year=question.filters.year, doc_id=question.filters.doc_id)
            if not named or not self.ledger.select(scope, facets=False).total:
                return None  # no task table in scope (a work report): the question is one for search
        answer = Answer(q, text, hits, KIND_COUNT if question.count else KIND_LIST, True, filters=parsed.filters())
        answer.ledger_url = link
        return answer

    def _compare(self, q: str, filters: dict) -> Answer | None:
        """Two or more districts or years: one line per side, each with its own figure and citation."""
        if filters.get("district") is not None or filters.get("year") is not None:
            return None
        sides = read_sides(q, self.searcher.parser.districts_named)
        if not sides:
            return None
        lines, cited, found = [], [], False
        for n, (district, year) in enumerate(sides, start=1):
            side_q = side_question(q, district, year, self.searcher.parser.districts_named)
            result = self.searcher.search(side_q, k=10, district=district or "", year=year or 0, doc_id=filters.get("doc_id"))
            part = self._compose(side_q, result)
            label = f"{district or ''}{f'{year}年' if year else ''}"
            if part.found:
                found = True
                lines.append(f"{n}. {label}：{part.answer.splitlines()[0]}")
                cited.extend(h for h in part.citations if h not in cited)
            else:
                lines.append(f"{n}. {label}：没有找到相关内容（{label}的报告中没有直接回答该问题的内容）。")
        return Answer(q, "\n".join(lines), cited, KIND_COMPARE, found)

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
        tokens = [t for t in dict.fromkeys(self.searcher.engine.tokenizer(asked)) if len(t) >= 2]
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
        engine = self.searcher.engine
        text = passage.search_text().lower()
        asked = q.lower()
        groups = [{w.lower() for w in g} for g in self.searcher.synonyms.groups if any(w.lower() in asked for w in g)]

        def idf(form: str) -> float:
            df = engine.doc_freq([form])[0]
            return math.log((engine.size - df + 0.5) / (df + 0.5) + 1.0) if df else 0.0

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
        if total == 0:  # nothing in the question the corpus knows ("x", "你好"): nothing to answer from
            return 0.0, 0.0
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

    def _compose(self, q: str, result: SearchResult, asked: str | None = None) -> Answer:
        kind = question_kind(asked or q)
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
        # A 名词解释 entry that names the asked term answers "什么是X" and "X包括哪几种" alike.
        if entry and (kind in (KIND_DEFINITION, KIND_GENERAL) or (kind == KIND_NUMBER and entry is top and not _QUANTITY.search(q))):
            return Answer(q, f"{entry.passage.text}{cite(entry)}", [entry], KIND_DEFINITION, True)
        if kind == KIND_PROGRESS:
            if top.passage.role in ("task", "target"):  # a plan, not a record of what was done
                clause = _best_clause(q, top.passage.text, need_digit=False) or _shorten(top.passage.text)
                text = f"报告只列出计划目标，未记录完成情况。计划：{clause}{cite(top)}"
                return Answer(q, text, [top], KIND_PROGRESS, True)
            kind = KIND_NUMBER if _DIGIT.search(top.passage.text) else KIND_GENERAL
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
            figures = [h for h in strong if h.passage.role != ROLE_GLOSSARY] or [top]
            how_much = bool(_QUANTITY.search(q))
            # A how-much question takes, among the covering passages, the clause that says most of what was
            # asked (the better-ranked on a tie); "有什么预期目标" is answered by the best passage, figure or not.
            found = []
            for rank, figure in enumerate(figures[:MAX_GENERAL] if how_much else figures[:1]):
                clause, score = _scored_clause(wanted, figure.passage.text, need_digit=True)
                if clause:
                    found.append((score - 1.0 * rank, -rank, clause, figure))
            if found:
                _, _, clause, figure = max(found, key=lambda f: (f[0], f[1]))
                return Answer(q, f"{clause}{cite(figure)}", [figure], kind, True)
            if how_much:  # and no passage that covers the question states a figure
                return self._decline(q, result, kind, "未找到该问题所问的具体数字。", nearest=strong)
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
    r"不是|其他|其它|别的|区县|时候|时间|完成|期限|时限|数量|金额|总量|数额|多少钱|分别|各是)$"
)


def _owners(p: Passage) -> str:
    if not p.lead_departments:  # the document does not say which unit leads
        return f"责任单位：{'、'.join(p.departments)}"
    others = _others(p)
    return f"牵头单位：★{'、★'.join(p.lead_departments)}" + (f"；配合单位：{'、'.join(others)}" if others else "")


def _others(p: Passage) -> list[str]:
    return [d for d in p.departments if d not in p.lead_departments] if p.lead_departments else []


# kind → (what is asked, does a passage state it, the statement)
_FIELD_ANSWERS = {
    KIND_COOPERATE: ("配合单位", _others, lambda p: f"配合单位：{'、'.join(_others(p))}（牵头单位：★{'、★'.join(p.lead_departments)}）"),
    KIND_AREA: ("责任板块", lambda p: p.areas, lambda p: f"责任板块：{'、'.join(p.areas)}"),
    KIND_GROUP: ("所属分组", lambda p: p.section, lambda p: f"所属分组：{p.section[-1]}（{' › '.join(p.section)}）"),
    KIND_RESPONSIBILITY: ("责任部门", lambda p: p.departments, _owners),
    KIND_LEADER: ("分管领导", lambda p: p.leaders, lambda p: f"分管区领导：{'、'.join(p.leaders)}"),
    KIND_DEADLINE: ("完成时限", lambda p: p.deadline, lambda p: f"完成时限：{p.deadline}"),
}


def _tiling(word: str, pieces: list[str]) -> list[str]:
    """Non-overlapping pieces of `word`, longest first ("高标准农田" → 高标准, 农田)."""
    taken = [False] * len(word)
    chosen = []
    for piece in sorted(set(pieces), key=lambda p: (-len(p), word.find(p), p)):  # not set order: hash seeds vary
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
    return _scored_clause(q, text, need_digit)[0]


def _scored_clause(q: str, text: str, need_digit: bool) -> tuple[str | None, float]:
    """The best clause and how much of the question it says (shared pairs of characters; +2 with the asked unit)."""
    wanted = _bigrams(q)
    unit = _UNIT.search(q)
    unit = ("元" if unit.group(1) == "钱" else unit.group(1)) if unit else ("元" if _MONEY.search(q) else None)
    if len(text) <= 40 and (not need_digit or _DIGIT.search(text)):
        return text, _score(wanted, text) + (2 if unit and unit in text else 0)
    clauses = [c for c in _CLAUSE_SPLIT.split(text) if c.strip()]
    # the clause that shares most with the question; one with the asked unit ("多少钱" → 元) first
    own = [_score(wanted, c) for c in clauses]
    # a clause's figure often belongs to the words of the clause before it ("推进违法建设整治，完成治理 45 万平方米")
    scored = [
        (i, own[i] + (0.5 * own[i - 1] if i and not own[i] and clauses[i - 1].endswith(("，", ",")) else 0) + (2 if unit and unit in c else 0))
        for i, c in enumerate(clauses)
        if not need_digit or _DIGIT.search(c)
    ]
    if not scored:
        return None, 0
    i, best = max(scored, key=lambda item: (item[1], -item[0]))
    if best == 0:
        return None, 0
    clause = clauses[i].rstrip("，,；;")
    if own[i] == 0 and i:  # the figure alone would not say what it counts
        clause = clauses[i - 1] + clause
    follow = clauses[i + 1].rstrip("，,；;。") if i + 1 < len(clauses) else ""
    if follow and len(follow) <= 14 and _DIGIT.search(follow) and clauses[i].endswith(("，", ",", "、")):
        clause = f"{clause}{clauses[i][-1]}{follow}"
    return clause.rstrip("。") + "。", best


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
