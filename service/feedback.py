"""What staff tell us and what they ask: feedback records, the aggregated query log, and the
export that turns corrections into gold lines for `govqa eval`.

The query log is written off the request path: a request appends to a list and a background
thread writes the rows every few seconds (and drops those older than the retention).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from indexer.passage import Passage

from .state import State

log = logging.getLogger("govqa.feedback")


class QueryLog:
    """Questions asked (search or ask), how many hits, and whether anything was found.

    The search page asks and searches the same question at once: a search and an ask of one
    question within `PAIR_SECONDS` count as one question, found as the answer says."""

    PAIR_SECONDS = 10.0

    def __init__(self, state: State, keep_days: float, every: float = 2.0) -> None:
        self.state, self.keep_days, self.every = state, keep_days, every
        self._pending: dict[str, list] = {}  # question → [at, question, kind, hits, found]
        self._rows: list[list] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def enabled(self) -> bool:
        return self.keep_days > 0

    def record(self, query: str, kind: str, hits: int, found: bool) -> None:
        if not self.enabled:
            return
        now = time.time()
        with self._lock:
            row = self._pending.get(query)
            if row is not None and now - row[0] < self.PAIR_SECONDS and row[2] != kind:
                row[3] = max(row[3], hits)
                if kind == "ask":
                    row[2], row[4] = "ask", int(found)
                return
            if row is not None:
                self._rows.append(row)
            self._pending[query] = [now, query, kind, hits, int(found)]

    def start(self) -> None:
        if self.enabled:
            self._thread = threading.Thread(target=self._loop, name="govqa-query-log", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)
        self.flush()

    def flush(self, settled_only: bool = False) -> None:
        """Write what was recorded (only questions past their pairing window, when `settled_only`)."""
        cutoff = time.time() - self.PAIR_SECONDS if settled_only else float("inf")
        with self._lock:
            settled = [q for q, row in self._pending.items() if row[0] <= cutoff]
            rows, self._rows = self._rows + [self._pending.pop(q) for q in settled], []
        if rows:
            try:
                self.state.log_queries([tuple(r) for r in rows], self.keep_days)
            except Exception:  # noqa: BLE001 - a log that cannot be written must not touch searches
                log.exception("query log not written (%d rows dropped)", len(rows))

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self.flush(settled_only=True)


# --- from a correction to a gold line ---------------------------------------------------

_TASK = re.compile(r"(?:第\s*)?[（(]\s*(\d+)\s*[)）]\s*项?|第\s*(\d+)\s*项|目标\s*(\d+)")


@dataclass
class Resolved:
    passage: Passage | None
    reason: str = ""


def resolve_citation(given: str, passages: Iterable[Passage], titles: dict[str, str]) -> Resolved:
    """The passage a typed or picked citation names: a passage id, a citation exactly as shown,
    or a document (its title or doc_id) with a task number, e.g. "吴中区2023年主要工作任务分解方案 第(35)项"."""
    given = " ".join((given or "").split())
    if not given:
        return Resolved(None, "没有给出正确出处")
    passages = list(passages)
    for p in passages:
        if given in (p.id, p.citation):
            return Resolved(p)
    squashed = re.sub(r"\s+", "", given)
    # The document: the longest title (or doc_id) the text names.
    named = [doc_id for doc_id, title in titles.items() if doc_id in given or re.sub(r"\s+", "", title) in squashed]
    if not named:
        return Resolved(None, f"未能从“{given}”认出文档（请写出文档标题或编号）")
    doc_id = max(named, key=lambda d: len(titles[d]))
    number = _TASK.search(given.replace(titles[doc_id], " "))
    if not number:
        return Resolved(None, f"“{given}”没有写出任务编号（如 第(35)项）")
    digits = next(g for g in number.groups() if g)
    target = number.group(3) is not None
    candidates = [
        p for p in passages if p.doc_id == doc_id and re.sub(r"\D", "", p.task_no or "") == digits and (("目标" in p.citation or any("目标" in s for s in p.section)) == target)
    ]
    if len(candidates) > 1:  # a number used twice: the part named in the text decides
        named_part = [p for p in candidates if any(s and s in given for s in p.section)]
        candidates = named_part or candidates
    if len(candidates) != 1:
        return Resolved(None, f"“{given}”对应 {len(candidates)} 个段落，无法确定（请写明所在部分）")
    return Resolved(candidates[0])


def gold_line(feedback: dict, passage: Passage, passages: list[Passage]) -> dict:
    """The contract's gold line for a corrected question: the corrected passage is the gold task."""
    task = None
    part = None
    if passage.task_no:
        digits = re.sub(r"\D", "", passage.task_no)
        target = "目标" in passage.citation or any("目标" in s for s in passage.section)
        task = f"目标{digits}" if target else passage.task_no
        same = [p for p in passages if p.doc_id == passage.doc_id and p.id != passage.id and re.sub(r"\D", "", p.task_no or "") == digits]
        if same:
            others = {s for p in same for s in p.section}
            part = next((s for s in passage.section if s not in others), None)
    return {
        "id": f"feedback-{feedback['id']}",
        "question": feedback["query"],
        "doc": passage.doc_id,
        "task": task,
        "part": part,
        "answer": answer_span(passage),
        "type": "feedback",
        "style": "real",
        "history": None,
        "comment": feedback.get("comment") or None,
    }


def answer_span(passage: Passage, shortest: int = 6, longest: int = 40) -> str:
    """A short span of the passage's own text that marks it: its first whole clauses (at least
    `shortest` characters where the text has them), never cut inside a number or a word."""
    text = re.sub(r"^[（(]?\d+[)）.、]\s*", "", passage.text.strip()) or passage.text.strip()
    span = text
    for stop in re.finditer(r"[，,。；;！？：:]", text):  # the text up to the first stop that leaves enough
        if len(text[: stop.start()].strip()) >= shortest:
            span = text[: stop.start()]
            break
    span = span.strip()
    return span if len(span) <= longest else span[:longest]


def export_gold(state: State, passages: list[Passage], titles: dict[str, str], since: float = 0.0) -> tuple[list[dict], list[str]]:
    """Gold lines for every 有误 with a usable corrected citation since `since`, and the reasons
    the others could not be turned into one."""
    lines, skipped = [], []
    for fb in sorted(state.feedback(since=since, limit=None), key=lambda f: f["id"]):
        if fb["helpful"] or not fb.get("correct_citation"):
            continue
        resolved = resolve_citation(fb["correct_citation"], passages, titles)
        if resolved.passage is None:
            skipped.append(f"反馈 {fb['id']}（{fb['query']}）：{resolved.reason}")
            continue
        lines.append(gold_line(fb, resolved.passage, passages))
    return lines, skipped
