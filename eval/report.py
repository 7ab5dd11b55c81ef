"""The evaluation report as a self-contained HTML page: charts, breakdowns, failures."""

from __future__ import annotations

import base64
import html
import io
import time
from collections.abc import Sequence
from pathlib import Path

from .evaluate import BREAKDOWN_METRICS, AnswerResult, SystemResult
from .metrics import DEFAULT_METRICS


def _chart(results: Sequence[SystemResult], answers: Sequence[AnswerResult]) -> str:
    """Grouped bars: one group per metric, one bar per system; as a data: URI PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = [*DEFAULT_METRICS, "cite@1"]
    fig, ax = plt.subplots(figsize=(11, 4.2), dpi=110)
    width = 0.8 / max(1, len(results))
    for n, r in enumerate(results):
        values = [r.metrics[m] for m in DEFAULT_METRICS] + [r.citation_accuracy]
        shown = [(i + n * width, v) for i, v in enumerate(values) if v is not None]  # baselines have no citations
        bars = ax.bar([x for x, _ in shown], [v for _, v in shown], width, label=r.name, color=f"C{n}")
        ax.bar_label(bars, fmt="%.2f", fontsize=6, rotation=90, padding=2)
    for a in answers:
        ax.axhline(a.accuracy, linestyle="--", linewidth=1, color="black")
        ax.text(len(metrics) - 0.5, a.accuracy + 0.01, f"answers ({a.name}) {a.accuracy:.2f}", fontsize=7, ha="right")
    ax.set_xticks([i + width * (len(results) - 1) / 2 for i in range(len(metrics))], metrics)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("score")
    ax.legend(fontsize=7, ncol=len(results), loc="upper center", bbox_to_anchor=(0.5, -0.08))
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, list):
        return " | ".join(map(str, value))
    return "" if value is None else str(value)


def _breakdown(result: SystemResult | AnswerResult, metrics: Sequence[str]) -> str:
    parts = []
    for by, groups in result.breakdown.items():
        rows = [[name, int(v["n"]), *[v[m] for m in metrics]] for name, v in groups.items()]
        parts.append(f"<h4>by {html.escape(by)}</h4>" + _table([by, "n", *metrics], rows))
    return "".join(parts)


def render(sections: dict[str, tuple[list[SystemResult], list[AnswerResult]]], title: str) -> str:
    body = [f"<h1>{html.escape(title)}</h1><p>generated {time.strftime('%Y-%m-%d %H:%M:%S')}</p>"]
    for name, (results, answers) in sections.items():
        body.append(f"<h2>{html.escape(name)}</h2>")
        body.append(f'<img alt="metrics per system" src="{_chart(results, answers)}">')
        rows = [[r.name, r.questions, *[r.metrics[m] for m in DEFAULT_METRICS], r.citation_accuracy, r.mean_ms] for r in results]
        body.append(_table(["system", "questions", *DEFAULT_METRICS, "cite@1", "ms/q"], rows))
        for a in answers:
            body.append(f"<h3>answers: {html.escape(a.name)}</h3>")
            body.append(
                _table(
                    ["answerable", "answer accuracy", "unanswerable", "declined correctly", "confidently wrong", "ms/q"],
                    [[a.answerable, a.accuracy, a.unanswerable, a.declined, a.confidently_wrong, a.mean_ms]],
                )
            )
            body.append(_breakdown(a, ("answer",)))
            if a.failures:
                body.append("<h4>answers that missed</h4>" + _table(["id", "question", "gold", "got"], [[f["id"], f["question"], f["gold"], f["got"]] for f in a.failures]))
        primary = results[0] if results else None
        if primary:
            body.append(f"<h3>retrieval breakdown: {html.escape(primary.name)}</h3>" + _breakdown(primary, BREAKDOWN_METRICS))
        for r in results:
            if r.failures:
                rows = [[f["id"], f["question"], f["gold"], f["answer"], f["rank"] or "—", f["top3"]] for f in r.failures]
                body.append(f"<details><summary>{html.escape(r.name)}: {len(r.failures)} questions not answered at rank 1</summary>")
                body.append(_table(["id", "question", "gold", "answer span", "rank", "top 3 citations"], rows) + "</details>")
    style = (
        "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:24px;color:#1f2933}"
        "table{border-collapse:collapse;margin:8px 0;font-size:13px}td,th{border:1px solid #d9e2ec;padding:3px 8px;text-align:left}"
        "th{background:#f0f4f8}img{max-width:100%}details{margin:8px 0}"
    )
    return f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>{html.escape(title)}</title><style>{style}</style></head><body>{''.join(body)}</body></html>"


def write(sections: dict[str, tuple[list[SystemResult], list[AnswerResult]]], folder: Path, title: str = "govqa evaluation") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"eval-{time.strftime('%Y%m%d-%H%M%S')}.html"
    path.write_text(render(sections, title), encoding="utf-8")
    return path
