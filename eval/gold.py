"""Gold question sets (JSON Lines, the contract's format) and the rule that says a hit answers one.

A hit answers a question when it comes from the gold document, contains the
gold answer span in its text or in its department, leader or area fields
(whitespace ignored; for responsibility and leader questions a list such as
"水务局、城投集团" matches item by item), and, where the question names a task,
carries that task number (digits compared; a target "目标3" must sit under a
目标 heading or citation) and, where a part is named too, sits in that part.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LIST_TYPES = {"responsibility", "leader"}
# Questions whose answer is a set or has sides: scored on the answer, not on one ranked hit.
SET_TYPES = {"list", "count", "compare", "followup"}


@dataclass(frozen=True, slots=True)
class GoldQuestion:
    id: str
    question: str
    doc: str | None
    task: str | None
    part: str | None
    answer: Any  # a span; for a comparison, one span per side
    type: str
    style: str
    items: tuple[dict[str, Any], ...] | None = None  # every task the answer must cite (exactly these for a list)
    count: int | None = None  # the number a count question must state
    history: tuple[str, ...] | None = None  # the earlier questions of the conversation

    @property
    def answerable(self) -> bool:
        return self.doc is not None or bool(self.items)

    @property
    def single(self) -> bool:
        """One passage answers it: scored on the search ranking as well as on the answer."""
        return self.doc is not None and self.type not in SET_TYPES and not self.history


def load_gold(path: Path) -> list[GoldQuestion]:
    questions = []
    with Path(path).open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                fields = {k: data.get(k) for k in GoldQuestion.__dataclass_fields__}
                fields["items"] = tuple(fields["items"]) if fields["items"] else None
                fields["history"] = tuple(fields["history"]) if fields["history"] else None
                questions.append(GoldQuestion(**fields))
            except (ValueError, TypeError) as exc:
                raise ValueError(f"{path}:{n}: not a gold question ({exc})") from None
    return questions


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def digits(label: str | None) -> str:
    return re.sub(r"\D", "", label or "")


def get(hit: Any, name: str) -> Any:
    return hit[name] if isinstance(hit, dict) else getattr(hit, name)


def contains_answer(q: GoldQuestion, hit: Any) -> bool:
    answer = squash(q.answer if isinstance(q.answer, str) else "")
    if answer and answer in squash(get(hit, "text")):
        return True
    deadline = hit.get("deadline") if isinstance(hit, dict) else getattr(hit, "deadline", None)
    if answer and deadline and answer == squash(deadline):  # a 什么时候完成 question's answer is the task's deadline
        return True
    fields = [squash(f) for name in ("departments", "leaders", "areas") for f in get(hit, name)]
    if not fields:
        return False
    if answer in fields or answer in squash("、".join(fields)):
        return True
    if q.type in LIST_TYPES:
        items = [squash(i) for i in re.split(r"[、，,；;/\s]+", q.answer) if i.strip()]
        return bool(items) and all(any(item == f or item in f for f in fields) for item in items)
    return False


def task_matches(q: GoldQuestion, hit: Any) -> bool:
    if not q.task:
        return True
    if digits(q.task) != digits(get(hit, "task_no")):
        return False
    section = squash(" ".join(get(hit, "section")))
    if "目标" in q.task and "目标" not in section and "目标" not in get(hit, "citation"):
        return False
    return not q.part or squash(q.part) in section


def is_relevant(q: GoldQuestion, hit: Any) -> bool:
    return q.answerable and get(hit, "doc_id") == q.doc and contains_answer(q, hit) and task_matches(q, hit)


def cites_gold(q: GoldQuestion, hit: Any) -> bool:
    """Citation accuracy: the hit names the gold document, task and part (answer not required)."""
    if get(hit, "doc_id") != q.doc:
        return False
    if q.task:
        return task_matches(q, hit)
    return not q.part or squash(q.part) in squash(" ".join(get(hit, "section")))


def is_target_row(hit: Any) -> bool:
    return "目标" in (get(hit, "task_no") or "") or "预期目标" in "".join(get(hit, "section"))


def item_matches(item: dict[str, Any], hit: Any, parts: set[str] = frozenset()) -> bool:
    """A cited passage is the gold item: same document, same number (a target row for "目标N" and
    only then) and the item's part; an item without a part is not in any part the gold set names for
    that document (001 numbers (1)-(8) twice: 打好三场硬仗, then the main body)."""
    if get(hit, "doc_id") != item.get("doc"):
        return False
    section = squash(" ".join(get(hit, "section")))
    task = item.get("task")
    if task:
        if digits(task) != digits(get(hit, "task_no")):
            return False
        if "目标" in task and not is_target_row(hit):
            return False
        if "目标" not in task and "目标" in (get(hit, "task_no") or ""):  # "(3)" is not "目标3"
            return False
    part = item.get("part")
    if part:
        return squash(part) in section
    return not any(squash(p) in section for p in parts)
