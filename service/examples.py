"""A few example questions and ledger views taken from the index itself, for the landing page.

Built from what is indexed (a glossary term, a target row, the department
that leads most tasks, a leader), never from a fixed list, so a deployment
with other reports shows questions its index can answer.
"""

from __future__ import annotations

from itertools import islice
from typing import Any
from urllib.parse import urlencode
from weakref import WeakKeyDictionary

import numpy as np

from indexer.passage import ROLE_GLOSSARY, ROLE_TARGET

from .ledger import Ledger

SCAN = 3000  # passages read at most to find a glossary term or a target row


def _ask(question: str) -> dict[str, str]:
    return {"text": question, "href": "/?" + urlencode({"q": question})}


def _tasks(label: str, **filters: str) -> dict[str, str]:
    return {"text": label, "href": "/?" + urlencode({"view": "tasks", **filters})}


_CACHE: WeakKeyDictionary[Ledger, list[dict[str, Any]]] = WeakKeyDictionary()  # one list per loaded index


def examples(ledger: Ledger) -> list[dict[str, Any]]:
    cached = _CACHE.get(ledger)
    if cached is not None:
        return cached
    index = ledger.index
    out: list[dict[str, Any]] = []
    target = next(
        (
            p
            for p in ledger.passages(np.arange(min(len(ledger.table), 300)))
            if p.role == ROLE_TARGET and p.section and "目标" not in p.section[-1]
        ),
        None,
    )
    if target:
        out.append(_ask(f"{target.district}{target.year or ''}年{target.section[-1]}的目标是多少？"))
    glossary = next((p for p in islice(index.by_row, SCAN) if p.role == ROLE_GLOSSARY and "：" in p.text[:20]), None)
    if glossary:
        out.append(_ask(f"什么是{glossary.text.split('：', 1)[0]}？"))
    facets = ledger.facets(np.ones(len(ledger.table), dtype=bool)) if len(ledger.table) else {}
    lead = next((f["value"] for f in facets.get("lead_departments", []) if not f["value"].startswith("各")), None)
    if lead:
        out.append(_ask(f"{lead}牵头哪些任务？"))
        out.append(_tasks(f"任务台账：{lead}牵头的任务", lead_department=lead))
    leader = next((f["value"] for f in facets.get("leaders", [])), None)
    if leader:
        out.append(_tasks(f"任务台账：{leader}分管的任务", leader=leader))
    _CACHE[ledger] = out
    return out
