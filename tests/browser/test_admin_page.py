"""The /admin page and the feedback buttons as people use them, in Chromium against a real server:
an upload through the file chooser with its progress and what was understood, the document then
searchable, its removal; a 有误 with a typed citation and a scripted comment, shown on /admin as
text; and the key's login page when a key is set."""

from __future__ import annotations

from urllib.parse import quote

from govqa.server import running_server
from tests.conftest import ROOT, WUZHONG_2025

L01 = ROOT / "tests" / "fixtures" / "layouts" / "docs" / "L01_yaohai2024.docx"
SCRIPT = "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">出处不对"


def test_upload_progress_search_feedback_and_removal_in_the_page(browser, small_site):
    tmp_path = small_site
    index = tmp_path / "var" / "index"
    env = {"GOVQA_RATE_LIMIT": "0", "GOVQA_REPORTS": str(tmp_path / "none")}
    with running_server(index, env=env) as (port, _):
        service = f"http://127.0.0.1:{port}"
        context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="zh-CN")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: d.accept())  # 删除 asks to confirm
        page.goto(f"{service}/admin")
        page.wait_for_selector(f'tr.doc[data-doc-id="{WUZHONG_2025}"]')

        with page.expect_file_chooser() as chooser:
            page.click("#upload-button")
        chooser.value.set_files(str(L01))
        job = page.locator("li.job").first
        job.wait_for()
        # Progress is shown while it embeds, with what the parser understood, before it goes live.
        page.wait_for_function(
            "(() => { const j = document.querySelector('li.job'); const p = j && j.querySelector('progress.job-progress');"
            " return p && p.value > 0 && j.dataset.status !== 'failed'; })()"
        )
        page.wait_for_selector('li.job[data-status="done"]', timeout=180_000)
        assert "任务 26" in job.locator(".job-understood").text_content()
        assert job.locator("progress.job-progress").evaluate("p => p.value") == 1
        row = page.locator('tr.doc[data-doc-id="L01_yaohai2024"]')
        row.wait_for()
        assert "瑶海区" in row.text_content() and "任务表" in row.text_content()

        search = context.new_page()
        search.on("pageerror", lambda e: errors.append(str(e)))
        search.goto(f"{service}/?q=" + quote("瑶海区2024年培育跨境电商企业多少家"))
        search.wait_for_function("document.querySelector('#answer') && document.querySelector('#answer').textContent.includes('25家')")
        card = search.locator("#answer")
        card.locator(".fb-no").click()
        card.locator(".fb-correct").select_option("other")
        card.locator(".fb-typed").fill("瑶海区2024年政府工作报告重点工作任务分解方案 第(2)项")
        card.locator(".fb-comment").fill(SCRIPT)
        card.locator(".fb-send").click()
        card.locator(".fb-done").wait_for()
        search.locator(".hit .fb-yes").first.click()
        search.locator(".hit .fb-done").first.wait_for()

        page.reload()
        page.wait_for_selector("#feedback-list li.fb.wrong")
        wrong = page.locator("#feedback-list li.fb.wrong").first
        assert SCRIPT in wrong.text_content() and "第(2)项" in wrong.text_content()
        assert page.locator("#feedback-list script, #feedback-list img").count() == 0
        assert page.evaluate("typeof window.pwned") == "undefined"
        assert page.locator("#feedback-list li.fb.helpful").count() == 1
        assert "瑶海区2024年培育跨境电商企业多少家" in page.locator("#top-list").text_content()

        row = page.locator('tr.doc[data-doc-id="L01_yaohai2024"]')
        row.locator("button.remove").click()
        row.wait_for(state="detached", timeout=180_000)
        page.wait_for_selector('li.job[data-status="done"] >> text=已从索引删除')
        assert not errors, errors
        context.close()


def test_with_a_key_the_page_asks_for_it_first(browser, sample_index):
    path, _ = sample_index
    with running_server(path, env={"GOVQA_API_KEY": "k/9=+x y", "GOVQA_WATCH_SECONDS": "0"}) as (port, _):
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        response = page.goto(f"http://127.0.0.1:{port}/admin")
        assert response.status == 401
        page.fill("#admin-key", "wrong")
        page.click("#login-button")
        page.wait_for_function("document.querySelector('#login-status').textContent.includes('不正确')")
        page.fill("#admin-key", "k/9=+x y")
        page.click("#login-button")
        page.wait_for_selector("tr.doc")
        assert page.locator("tr.doc").count() == 5 - 1  # the degraded copy is dropped as a duplicate
        context.close()
