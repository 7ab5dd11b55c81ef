"""List and count answers from the ledger: "X牵头哪些任务", "Y分管哪些工作", "Z镇涉及几项任务".

A question is a list question when it names an owner (a department, a leader,
an area) or a group heading of the index and asks for tasks ("哪些任务",
"几项", "牵头了啥"). The answer is then not a search result but the ledger's
exact rows under the same filters: the count first, then every task with its
number, a short text and its ★ lead, each cited — the citations are exactly
the listed tasks — and a link to the ledger filtered the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from indexer.passage import Hit

from .ledger import Ledger, TaskFilters
from .query import ParsedQuery

# The question asks for tasks: an asking word before what is asked for, or after it.
_ASKS_FOR_TASKS = re.compile(
    r"(哪些|哪几|哪项|什么|啥|多少|几)[^，。？?！!]{0,6}?(任务|工作|事项|事情|事|目标|项|条|活|件)"
    r"|(牵头|负责|分管|参与|配合|涉及|管|干)了?(啥|什么|哪些)"
    r"|(任务|工作|事项|目标)[^，。？?！!]{0,4}?(有哪些|是哪些|都有哪|有几项|有几个|有几条|有多少项|有多少个|有多少条|数量|一共|共几|共有)"
)
_COUNT = re.compile(r"多少项|几项|几个|多少个|多少条|几条|一共|总共|共几|共多少|数量|几件|多少件|多少")
_TARGETS_ONLY = re.compile(r"目标")
_TASK_WORDS = re.compile(r"任务|工作|事项|事情|事")
_ANY_ROLE = re.compile(r"牵头或配合|牵头还是配合|不管是?牵头|牵头和配合|牵头或者配合|无论")
_COOPERATE = re.compile(r"配合|协助|协办|非牵头")
_LEAD = re.compile(r"牵头|★")
SHORT = 36


@dataclass
class ListQuestion:
    filters: TaskFilters
    rows: str | None  # "targets" when only 主要预期目标 are asked for
    cooperate: bool  # a department's tasks where it is not the lead
    count: bool
    subject: str  # what the list is of, in words: "吴中区2023年 农业农村局牵头的任务"


def read_list_question(q: str, parsed: ParsedQuery, ledger: Ledger) -> ListQuestion | None:
    """The ledger filters a list or count question asks for, or None when it is not one."""
    if not _ASKS_FOR_TASKS.search(q):
        return None
    mentions = ledger.mentions(q)
    section = ledger.section_named(q)
    counts_all = re.search(r"一共|总共|共有|共多少|共几", q) or re.search(r"(预期目标|主要目标|任务)(有|是)?(多少|几)[个项条]|(多少|几)[个项条](主要|预期)", q)
    if not mentions and not section and not (counts_all and (parsed.districts or parsed.doc_id)):
        return None
    values: dict[str, object] = {}
    words: list[str] = []
    cooperate = False
    for field, name in mentions:
        if field == "leader" and "leader" not in values:
            values["leader"] = name
            words.append(f"{name}分管")
        elif field == "area" and _LEAD.search(q) and name in ledger.table.vocab["lead"] and "lead_department" not in values:
            values["lead_department"] = name  # a place that leads tasks itself ("东太湖度假区牵头")
            words.append(f"{name}牵头")
        elif field == "area" and "area" not in values:
            values["area"] = name
            words.append(f"涉及{name}")
        elif field == "department" and "department" not in values and "lead_department" not in values:
            if _ANY_ROLE.search(q):
                values["department"] = name
                words.append(f"{name}牵头或配合")
            elif _COOPERATE.search(q):
                values["department"], cooperate = name, True
                words.append(f"{name}配合（非牵头）")
            elif _LEAD.search(q) and not values.get("leader"):
                values["lead_department"] = name
                words.append(f"{name}牵头")
            else:
                values["department"] = name
                words.append(f"{name}负责（牵头或配合）")
    if section:
        values["section"] = section
        words.insert(0, f"“{section}”中")
    if parsed.districts and len(parsed.districts) == 1:
        values["district"] = parsed.districts[0]
    if parsed.year:
        values["year"] = parsed.year
    if parsed.doc_id:
        values["doc_id"] = parsed.doc_id
    targets_only = bool(_TARGETS_ONLY.search(q)) and not _TASK_WORDS.search(q)
    scope = "".join(str(x) for x in (values.get("district", ""), f"{values['year']}年" if values.get("year") else ""))
    noun = "主要预期目标" if targets_only else "任务"
    subject = f"{scope}{''.join(words)}的{noun}" if words else f"{scope}{noun}"
    return ListQuestion(TaskFilters(**values), "targets" if targets_only else None, cooperate, bool(_COUNT.search(q)), subject)


def list_answer(question: ListQuestion, ledger: Ledger) -> tuple[str, list[Hit], str]:
    """(answer text, the cited tasks, the ledger link) for a list or count question."""
    selection = ledger.select(question.filters, facets=False, rows=question.rows)
    passages = ledger.passages(selection.rows)
    if question.cooperate:
        wanted = question.filters.department
        passages = [p for p in passages if wanted not in {ledger.names.key(d) for d in p.lead_departments}]
    link = "/?" + urlencode({"view": "tasks", **selection.filters})
    if not passages:
        reason = selection.message or f"任务台账中没有{question.subject}"
        return f"共 0 项：{reason}。", [], link
    lines = [f"共 {len(passages)} 项{question.subject}：" if question.count else f"{question.subject}共 {len(passages)} 项："]
    for n, p in enumerate(passages, start=1):
        text = p.text if len(p.text) <= SHORT else p.text[:SHORT] + "……"
        lead = f"（★{'、'.join(p.lead_departments)}）" if p.lead_departments else ""
        lines.append(f"{n}. {p.task_no or ''} {text}{lead}【{p.citation}】".replace("  ", " "))
    lines.append(f"完整清单（可导出、打印）：任务台账 {link}")
    return "\n".join(lines), [Hit(p, 1.0) for p in passages], link
