"""`govqa bench --ocr`: what reading scans costs — pages per second and seconds per page.

Every page is read without the OCR cache, as the first build of a new scan is; the
query embedding is timed in the same run so the figure can be read against the
machine's speed (a page costs this many query embeddings).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from .bench import bench_embedding, questions, summary


def run(paths: list[Path]) -> dict[str, Any]:
    from indexer.embedders import load_embedder
    from indexer.ocr import engine, read_page

    engine()  # loading the models is a one-off, not a page's cost
    per_page: list[float] = []
    files = []
    for path in paths:
        started, pages = time.perf_counter(), 0
        for image in _pages(path):
            clock = time.perf_counter()
            read_page(image, cache=None)
            per_page.append((time.perf_counter() - clock) * 1000)
            pages += 1
        files.append({"file": path.name, "pages": pages, "seconds": round(time.perf_counter() - started, 2)})
    if not per_page:
        raise RuntimeError("没有可识别的扫描页（给出 PDF 或图片文件）")
    embed = bench_embedding(load_embedder(None), questions(100))
    pages = summary(per_page)
    return {
        "files": files,
        "pages": len(per_page),
        "page_ms": pages,
        "pages_per_s": round(1000 / (sum(per_page) / len(per_page)), 3),
        "embed_query": embed,
        "page_over_embed_p50": round(pages["p50_ms"] / embed["p50_ms"], 1),
    }


def _pages(path: Path):
    """Page images of a PDF (rendered at the resolution the index uses) or of a picture."""
    if path.suffix.lower() == ".pdf":
        import pdfplumber

        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                yield page.to_image(resolution=200).original
                page.close()
        return
    from PIL import Image, ImageSequence

    with Image.open(path) as image:
        for frame in ImageSequence.Iterator(image):
            yield frame.copy()


def format_report(result: dict[str, Any]) -> str:
    p = result["page_ms"]
    lines = [f"OCR: {result['pages']} pages, {result['pages_per_s']} pages/s; per page p50 {p['p50_ms'] / 1000:.2f} s, p95 {p['p95_ms'] / 1000:.2f} s"]
    lines += [f"  {f['file']}: {f['pages']} pages in {f['seconds']} s" for f in result["files"]]
    lines.append(f"a page costs {result['page_over_embed_p50']} × the query embedding p50 ({result['embed_query']['p50_ms']:.2f} ms) of the same run")
    return "\n".join(lines)
