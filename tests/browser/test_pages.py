"""The search page and the widget as a person uses them, in Chromium."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from govqa.server import running_server
from indexer.build import build_index
from tests.browser.conftest import serve_folder

HOSTILE_HOST_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>内网首页</title>
<style>/* a host page whose CSS would wreck an unprotected box */
input {{ display: none !important; }} li {{ color: transparent !important; font-size: 2px !important; }} * {{ letter-spacing: 9px; }}</style>
<script src="{service}/widget.js" defer></script></head>
<body><h1>某单位内网首页</h1><govqa-search k="3"></govqa-search></body></html>"""

XSS_REPORT = """苏州市吴中区人民政府2023年主要工作任务分解方案
序号\t名称\t工作任务\t主要责任部门\t分管区领导
1\t测试<img src=x onerror="window.__xss=1">\t(1)新增安全测试项目 <img src=x onerror="window.__xss=2"> 与 <script>window.__xss=3</script> 共 3 个。\t★测试局<img src=x onerror="window.__xss=4">\t张三
"""


def test_question_on_the_page_shows_the_answer_card_and_citation(page, service, tmp_path):
    page.goto(f"{service}/")
    options = page.locator("#district option").all_text_contents()
    assert {"吴中区", "吴江区", "相城区"} <= set(options)
    page.fill("#q", "碧螺春茶文化节谁牵头？")
    page.keyboard.press("Enter")
    card = page.locator("#answer")
    card.wait_for(state="visible")
    page.wait_for_function("document.querySelector('#answer').textContent.includes('(36)')")
    assert "【吴中区2023年主要工作任务分解方案 · (36)】" in card.text_content()
    assert "★农业农村局" in card.text_content()
    first = page.locator(".hit").first
    assert "吴中区2023年主要工作任务分解方案 · (36)" in first.locator(".cite").text_content()
    assert "碧螺春" in first.locator("mark").all_text_contents()[0] or "碧螺春" in "".join(first.locator("mark").all_text_contents())
    assert "分管领导：周学斌" in first.locator(".owners").text_content()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.classList.contains('hit')")
    page.screenshot(path=str(tmp_path / "page.png"), full_page=True)


def test_filters_read_from_the_question_are_removable_chips(page, service):
    page.goto(f"{service}/?q=" + "吴中区2023年新辟优化公交线路多少条")
    page.wait_for_selector(".chip")
    chips = page.locator(".chip").all_text_contents()
    assert any("吴中区" in c for c in chips) and any("2023" in c for c in chips)
    page.wait_for_function("document.querySelector('#answer').textContent.includes('(27)')")
    page.locator(".chip", has_text="2023").locator("button").click()
    page.wait_for_function("[...document.querySelectorAll('.chip')].every(c => !c.textContent.includes('2023'))")
    cites = page.locator(".hit .cite").all_text_contents()
    assert any("2025年" in c for c in cites)  # other years of 吴中 now count


def test_phone_width(browser, service):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
    pg = context.new_page()
    pg.goto(f"{service}/?q=" + "什么是双中心")
    pg.wait_for_function("document.querySelector('#answer').textContent.includes('双中心')")
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()


def test_widget_on_a_page_of_another_origin(page, service, host_origin, tmp_path):
    (tmp_path / "index.html").write_text(HOSTILE_HOST_PAGE.format(service=service), encoding="utf-8")
    stop = serve_folder(tmp_path, urlparse(host_origin).port)
    try:
        page.goto(f"{host_origin}/index.html")
        box = page.locator("govqa-search input")
        box.wait_for(state="visible")  # the host's `input {display:none}` does not reach into the shadow DOM
        box.type("碧螺春 茶文化节", delay=30)
        page.wait_for_selector("govqa-search .cite")
        cites = page.locator("govqa-search .cite").all_text_contents()
        assert "吴中区2023年主要工作任务分解方案 · (36)" in cites[0]
        assert page.locator("govqa-search li").first.evaluate("e => getComputedStyle(e).color") != "rgba(0, 0, 0, 0)"
        link = page.locator("govqa-search .more a").get_attribute("href")
        assert link.startswith(f"{service}/?q=")
        page.screenshot(path=str(tmp_path / "widget.png"))
    finally:
        stop()


def test_cors_only_for_configured_origins(service, host_origin):
    import http.client

    def preflight(origin):
        conn = http.client.HTTPConnection(urlparse(service).hostname, urlparse(service).port, timeout=10)
        conn.request("OPTIONS", "/api/search", headers={"Origin": origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-api-key"})
        response = conn.getresponse()
        response.read()
        return response.getheader("access-control-allow-origin")

    assert preflight(host_origin) == host_origin
    assert preflight("http://evil.example") is None


@pytest.fixture(scope="module")
def xss_service(tmp_path_factory, embedder, host_origin):
    folder = tmp_path_factory.mktemp("xss")
    (folder / "xss.txt").write_text(XSS_REPORT, encoding="utf-8")
    report = build_index([folder], folder / "index", embedder=embedder, progress=False)
    with running_server(report.index_dir, env={"GOVQA_CORS_ORIGINS": host_origin}) as (port, _):
        yield f"http://127.0.0.1:{port}"


def test_markup_in_a_report_is_shown_as_text(page, xss_service):
    page.goto(f"{xss_service}/?q=" + "安全测试项目")
    page.wait_for_selector(".hit")
    page.wait_for_function("document.querySelector('#answer').textContent.length > 0")
    text = page.locator(".hit .text").first.text_content()
    assert '<img src=x onerror="window.__xss=2">' in text and "<script>window.__xss=3</script>" in text
    assert "<img" in page.locator(".hit .owners").first.text_content()
    assert page.evaluate("window.__xss") is None
    assert page.locator(".hit img, .hit script, #answer img").count() == 0
    assert page.dialogs == []


def test_markup_in_a_report_is_shown_as_text_in_the_widget(page, xss_service, host_origin, tmp_path):
    (tmp_path / "index.html").write_text(HOSTILE_HOST_PAGE.format(service=xss_service), encoding="utf-8")
    stop = serve_folder(tmp_path, urlparse(host_origin).port)
    try:
        page.goto(f"{host_origin}/index.html")
        page.locator("govqa-search input").type("安全测试项目", delay=30)
        page.wait_for_selector("govqa-search .cite")
        shown = "".join(page.locator("govqa-search li").all_text_contents())
        assert '<img src=x onerror="window.__xss=2">' in shown and "<script>window.__xss=3</script>" in shown
        assert page.locator("govqa-search img, govqa-search script").count() == 0
        assert page.evaluate("window.__xss") is None and page.dialogs == []
    finally:
        stop()


def test_markup_in_a_department_name_is_text_in_the_ledger_and_the_document(page, xss_service):
    page.goto(f"{xss_service}/?view=tasks")
    page.wait_for_selector("#task-table tbody tr")
    facet = "".join(page.locator(".facet").all_text_contents())
    assert "测试局<img" in facet and 'onerror="window.__xss=4">' in facet  # the name's pieces, as text
    assert "<script>window.__xss=3</script>" in page.locator("#task-table tbody").text_content()
    page.locator("#task-table td.no a").first.click()
    page.wait_for_selector(".passage:target")
    assert '<img src=x onerror="window.__xss=2">' in page.locator(".passage:target").text_content()
    for url in (f"{xss_service}/?view=tasks", page.url):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert page.locator("main img, main script").count() == 0
        assert page.evaluate("window.__xss") is None and page.dialogs == []
