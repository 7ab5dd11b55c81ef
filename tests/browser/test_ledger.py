"""The 任务台账 view, the document view and the widget's presets, as a person uses them in Chromium."""

from __future__ import annotations

import csv
import io
import json
import urllib.request
from urllib.parse import quote, urlparse

from tests.browser.conftest import serve_folder
from tests.conftest import WUZHONG_2023

PRESET_HOST_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>吴中区内网</title>
<script src="{service}/widget.js" defer></script></head>
<body><govqa-search k="3" district="吴中区" year="2023"></govqa-search></body></html>"""


def api(service: str, path: str) -> dict:
    with urllib.request.urlopen(service + path, timeout=30) as response:
        return json.loads(response.read())


def shown_total(page) -> str:
    return page.locator("#task-total").text_content()


def test_a_facet_filters_and_a_second_click_removes_it(page, service):
    expected = api(service, "/api/tasks?lead_department=" + quote("商务局"))["total"]
    page.goto(f"{service}/?view=tasks")
    page.wait_for_selector(".facet[data-facet=lead_departments] button")
    everything = api(service, "/api/tasks")["total"]
    assert shown_total(page) == f"共 {everything} 项任务"
    button = page.locator('.facet[data-facet=lead_departments] button[data-value="商务局"]')
    assert button.locator(".count").text_content() == str(expected)
    button.click()
    page.wait_for_function(f"document.querySelector('#task-total').textContent === '共 {expected} 项任务'")
    assert page.locator("#task-table tbody tr").count() == expected
    assert all("商务局" in cell for cell in page.locator("#task-table tbody td:nth-child(5)").all_text_contents())
    assert "lead_department=" in page.url
    page.locator('.facet[data-facet=lead_departments] button[data-value="商务局"]').click()
    page.wait_for_function(f"document.querySelector('#task-total').textContent === '共 {everything} 项任务'")
    assert "lead_department" not in page.url
    page.go_back()  # back restores the filtered view
    page.wait_for_function(f"document.querySelector('#task-total').textContent === '共 {expected} 项任务'")
    assert page.locator('.facet[data-facet=lead_departments] button[data-value="商务局"]').get_attribute("aria-pressed") == "true"


def test_a_shared_url_restores_the_view(page, service):
    query = f"view=tasks&leader={quote('李烨')}&doc_id={WUZHONG_2023}&q={quote('消费')}"
    expected = api(service, "/api/tasks?" + query.replace("view=tasks&", ""))
    page.goto(f"{service}/?{query}")
    page.wait_for_function(f"document.querySelector('#task-total').textContent === '共 {expected['total']} 项任务'")
    chips = " ".join(page.locator("#active .chip").all_text_contents())
    assert "李烨" in chips and "消费" in chips and "吴中区2023年主要工作任务分解方案" in chips
    assert page.input_value("#task-q") == "消费"
    numbers = page.locator("#task-table tbody td.no").all_text_contents()
    assert numbers == [t["task_no"] for t in expected["tasks"]]
    assert page.locator("#tab-tasks").get_attribute("aria-current") == "page"


def test_export_downloads_exactly_the_rows_shown(page, service):
    page.goto(f"{service}/?view=tasks&leader={quote('周学斌')}")
    page.wait_for_selector("#task-table tbody tr")
    shown = page.locator("#task-table tbody td.no").all_text_contents()
    with page.expect_download() as info:
        page.click("#export-csv")
    download = info.value
    assert download.suggested_filename.endswith(".csv") and "周学斌" in download.suggested_filename
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    assert [r[1] for r in rows[1:]] == shown
    with page.expect_download() as info:
        page.click("#export-xlsx")
    assert info.value.suggested_filename.endswith(".xlsx")
    assert open(info.value.path(), "rb").read(2) == b"PK"


def test_print_layout_hides_the_controls_and_titles_the_list(page, service):
    page.goto(f"{service}/?view=tasks&area={quote('甪直镇')}")
    page.wait_for_selector("#task-table tbody tr")
    page.emulate_media(media="print")
    for selector in (".tabs", ".facets", "#task-form", "#export-csv", "#print", ".pager", ".top"):
        assert not page.locator(selector).first.is_visible(), selector
    title = page.locator("#print-title")
    assert title.is_visible() and "甪直镇" in title.text_content() and "打印于" in title.text_content()
    assert page.locator("#task-table thead").evaluate("e => getComputedStyle(e).display") == "table-header-group"
    assert page.locator("#task-table tbody tr").first.is_visible()
    page.emulate_media(media="screen")
    assert page.locator(".facets").is_visible()


def test_landing_page_lists_the_documents_and_questions_from_the_index(page, service):
    page.goto(f"{service}/")
    page.wait_for_selector("#doc-table tbody tr")
    rows = page.locator("#doc-table tbody tr").all_text_contents()
    assert any("吴中区2023年主要工作任务分解方案" in r and "任务 108" in r for r in rows)
    assert any("相城区2023年政府工作报告" in r and "工作报告" in r for r in rows)
    examples = page.locator("#examples a")
    assert examples.count() >= 3
    examples.first.click()
    page.wait_for_function("document.querySelector('#answer').textContent.length > 0")
    assert "q=" in page.url and page.locator("#landing").is_hidden()


def test_a_citation_opens_the_document_at_the_highlighted_passage(page, service):
    page.goto(f"{service}/?q=" + quote("碧螺春茶文化节谁牵头？"))
    page.wait_for_function("document.querySelector('#answer').textContent.includes('(36)')")
    page.locator("#answer .sources a").first.click()
    page.wait_for_selector(".passage:target")
    assert urlparse(page.url).path == f"/documents/{WUZHONG_2023}"
    target = page.locator(".passage:target")
    assert "碧螺春" in target.text_content() and "(36)" in target.text_content()
    assert target.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 243, 191)"  # the highlight
    assert target.evaluate("e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }")
    page.go_back()
    page.wait_for_selector(".hit .cite a")
    href = page.locator(".hit .cite a").first.get_attribute("href")
    assert href.startswith(f"/documents/{WUZHONG_2023}#")


def test_the_ledger_links_each_task_to_its_place_in_the_document(page, service):
    page.goto(f"{service}/?view=tasks&q={quote('5800')}")
    page.wait_for_selector("#task-table tbody td.no a")
    page.locator("#task-table tbody td.no a").first.click()
    page.wait_for_selector(".passage:target")
    assert "新增高标准农田 5800 亩" in page.locator(".passage:target").text_content()


def test_widget_shows_its_presets_and_passes_them_on(page, service, host_origin, tmp_path):
    (tmp_path / "index.html").write_text(PRESET_HOST_PAGE.format(service=service), encoding="utf-8")
    stop = serve_folder(tmp_path, urlparse(host_origin).port)
    try:
        page.goto(f"{host_origin}/index.html")
        note = page.locator("govqa-search .note")
        note.wait_for(state="visible")
        assert note.text_content() == "仅限 吴中区 2023年"
        page.locator("govqa-search input").type("高标准农田", delay=20)
        page.wait_for_selector("govqa-search .cite")
        more = page.locator("govqa-search .more a").get_attribute("href")
        assert more.startswith(f"{service}/?") and "district=" + quote("吴中区") in more and "year=2023" in more
        cite_link = page.locator("govqa-search li a").first.get_attribute("href")
        assert cite_link.startswith(f"{service}/documents/{WUZHONG_2023}#{WUZHONG_2023}-")
        page.goto(more)  # the full page opens with the widget's filters in force
        page.wait_for_function("document.querySelector('#answer').textContent.length > 0")
        assert page.input_value("#district") == "吴中区" and page.input_value("#year") == "2023"
    finally:
        stop()


def test_a_follow_up_on_the_page_is_answered_about_the_previous_question(page, service):
    page.goto(f"{service}/")
    page.fill("#q", "碧螺春茶文化节谁牵头？")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#answer').textContent.includes('农业农村局')")
    page.fill("#q", "配合单位有哪些？")
    page.keyboard.press("Enter")
    page.locator("#conversation").wait_for(state="visible")
    page.wait_for_function("document.querySelector('#answer').textContent.includes('配合单位：市场监管局')")
    answer = page.locator("#answer").text_content()
    assert "市场监管局" in answer and "(36)" in answer
    assert page.locator("#conversation").is_visible() and "碧螺春茶文化节谁牵头" in page.locator("#turns").text_content()
    assert "(36)" in page.locator(".hit .cite").first.text_content()  # the results are about the task too
    page.click("#new-conversation")
    assert page.locator("#conversation").is_hidden()
    page.fill("#q", "配合单位有哪些？")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#answer').textContent.length > 0 && !document.querySelector('#answer').textContent.includes('市场监管局')")


def test_a_list_answer_links_to_the_same_list_in_the_ledger(page, service):
    page.goto(f"{service}/?q=" + quote("吴中区2023年商务局牵头哪些任务？"))
    page.wait_for_selector("#answer .ledger-link")
    assert "共 7 项" in page.locator("#answer").text_content()
    page.click("#answer .ledger-link")
    page.wait_for_function("document.querySelector('#task-total').textContent === '共 7 项任务'")
    assert "lead_department=" in page.url
