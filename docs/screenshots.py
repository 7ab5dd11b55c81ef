"""Regenerate docs/search-page.png, docs/ledger.png, docs/widget.png and docs/admin.png (`make screenshots`):
real server, real Chromium. The /admin picture is taken on a copy of the index, so that the upload
and the feedback it shows change nothing of var/."""

from __future__ import annotations

import http.server
import shutil
import sys
import tempfile
import threading
from functools import partial
from pathlib import Path

from playwright.sync_api import sync_playwright

from govqa.server import free_port, running_server

DOCS = Path(__file__).resolve().parent
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
HOST_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>内网首页</title>
<script src="{service}/widget.js" defer></script>
<style>body {{ font-family: sans-serif; margin: 24px; background: #eef2f6; }} .panel {{ background: #fff; padding: 16px; width: 560px; }}</style></head>
<body><div class="panel"><h2>某区政府办公室内网 · 快速检索</h2><govqa-search k="3"></govqa-search></div></body></html>"""


def main(index: str = "var/index") -> None:
    host_port = free_port()
    host = f"http://127.0.0.1:{host_port}"
    with running_server(Path(index), env={"GOVQA_CORS_ORIGINS": host}) as (port, _), sync_playwright() as p:
        service = f"http://127.0.0.1:{port}"
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=FLAGS)
        page = browser.new_page(viewport={"width": 1000, "height": 900}, locale="zh-CN")
        page.goto(f"{service}/?q=" + "碧螺春茶文化节谁牵头？")
        page.wait_for_function("document.querySelector('#answer').textContent.includes('(36)')")
        page.screenshot(path=str(DOCS / "search-page.png"))
        ledger = browser.new_page(viewport={"width": 1280, "height": 820}, locale="zh-CN")
        ledger.goto(f"{service}/?view=tasks&leader=" + "李烨")
        ledger.wait_for_selector("#task-table tbody tr")
        ledger.locator('.facet[data-facet=lead_departments] button[data-value="商务局"]').click()
        ledger.wait_for_function("document.querySelector('#task-total').textContent.includes('7')")
        ledger.screenshot(path=str(DOCS / "ledger.png"))
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "index.html").write_text(HOST_PAGE.format(service=service), encoding="utf-8")
            handler = partial(http.server.SimpleHTTPRequestHandler, directory=folder)
            server = http.server.ThreadingHTTPServer(("127.0.0.1", host_port), handler)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            widget = browser.new_page(viewport={"width": 700, "height": 560}, locale="zh-CN")
            widget.goto(f"{host}/index.html")
            widget.locator("govqa-search input").type("吴江 2022 保障性租赁住房", delay=20)
            widget.wait_for_selector("govqa-search .cite")
            widget.wait_for_timeout(300)
            widget.screenshot(path=str(DOCS / "widget.png"))
            server.shutdown()
        admin_page(browser, Path(index))
        browser.close()


def admin_page(browser, index: Path) -> None:
    """/admin after a real upload, a few questions and a correction, on a copy of the index."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "var" / "index"
        shutil.copytree(index.resolve(), copy)
        env = {"GOVQA_REPORTS": str(Path(folder) / "reports"), "GOVQA_RATE_LIMIT": "0"}
        with running_server(copy, env=env) as (port, _):
            service = f"http://127.0.0.1:{port}"
            page = browser.new_page(viewport={"width": 1200, "height": 1300}, locale="zh-CN")
            for question in ("碧螺春茶文化节谁牵头？", "吴中区2023年新增多少高标准农田", "碧螺春茶文化节谁牵头？", "火星基地什么时候建成"):
                page.request.post(f"{service}/api/ask", data={"q": question})
            page.request.post(
                f"{service}/api/feedback",
                data={"query": "吴中区今年要新增多少高标准农田", "helpful": False, "correct_citation": "吴中区2023年主要工作任务分解方案 第(35)项", "comment": "应引用第(35)项"},
            )
            page.goto(f"{service}/admin")
            page.wait_for_selector("tr.doc")
            with page.expect_file_chooser() as chooser:
                page.click("#upload-button")
            chooser.value.set_files(str(DOCS.parent / "tests" / "fixtures" / "layouts" / "docs" / "L01_yaohai2024.docx"))
            page.wait_for_selector('li.job[data-status="done"]', timeout=180_000)
            page.wait_for_selector('tr.doc[data-doc-id="L01_yaohai2024"]')
            page.click("#activity-refresh")
            page.wait_for_selector("#feedback-list li.fb")
            if page.locator("#admin-status").is_visible():
                page.click("#admin-status")  # the upload's notice closes on a click
            page.wait_for_timeout(500)
            page.screenshot(path=str(DOCS / "admin.png"), full_page=True)
            page.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
