"""A document as the index holds it, as one HTML page: headings, task rows with their owners,
report paragraphs, each passage under an anchor (its id) that citations link to.

Rendered on the server with every value escaped, so the page works without
script, prints whole, and a link such as /documents/001_…#001_…-a1b2 opens
at the passage (highlighted by CSS :target).
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from indexer.passage import KIND_NAMES, ROLE_GLOSSARY, Document, Passage


def _owners(p: Passage) -> str:
    parts = []
    others = [d for d in p.departments if d not in p.lead_departments]
    for label, values in (("★牵头单位", p.lead_departments), ("责任单位", others), ("责任板块", p.areas), ("分管领导", p.leaders)):
        if values:
            parts.append(f"<span>{label}：<b>{escape('、'.join(values))}</b></span>")
    if p.deadline:
        parts.append(f"<span>完成时限：<b>{escape(p.deadline)}</b></span>")
    return f'<div class="owners">{"".join(parts)}</div>' if parts else ""


def _passage(p: Passage) -> str:
    label = f'<span class="no">{escape(p.task_no)}</span>' if p.task_no else ""
    cls = f"passage role-{escape(p.role)}"
    return (
        f'<div class="{cls}" id="{escape(p.id)}" data-citation="{escape(p.citation)}">'
        f'<a class="anchor" href="#{escape(quote(p.id))}" title="本段链接">¶</a>{label}'
        f'<span class="text">{escape(p.text)}</span>{_owners(p)}</div>'
    )


def render_document(doc: Document, passages: list[Passage]) -> str:
    body: list[str] = []
    shown: tuple[str, ...] = ()
    for p in passages:
        path = p.section
        if p.role == ROLE_GLOSSARY and not path:
            path = ("名词解释",)
        common = 0
        while common < min(len(shown), len(path)) and shown[common] == path[common]:
            common += 1
        for level in range(common, len(path)):
            tag = f"h{min(level + 2, 5)}"
            body.append(f'<{tag} class="heading">{escape(path[level])}</{tag}>')
        shown = path
        body.append(_passage(p))
    u = doc.understood or {}
    counts = f"任务 {u.get('tasks', 0)} 项、目标 {u.get('targets', 0)} 项" if (u.get("tasks") or u.get("targets")) else f"{doc.passages} 段"
    meta = " · ".join(
        x for x in (doc.district, f"{doc.year}年" if doc.year else "", KIND_NAMES.get(doc.kind, doc.kind), counts, doc.source) if x
    )
    tasks_link = f"/?view=tasks&amp;doc_id={escape(quote(doc.doc_id))}"
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(doc.title)} · 原文</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body class="document-page">
<header class="top">
  <h1>{escape(doc.title)}</h1>
  <p class="sub">{escape(meta)}</p>
</header>
<main>
  <nav class="doc-nav"><a href="/">← 返回检索</a><a href="{tasks_link}">本文件的任务台账</a></nav>
  <article class="document" data-doc-id="{escape(doc.doc_id)}">
{chr(10).join(body)}
  </article>
</main>
</body>
</html>
"""
