"""The task ledger on the real sample index: exact lists, counts, facets, exports read back, bad input.

The expected lists (tests/fixtures/ledger/expected.json) were written by hand from the raw
reports by someone who never saw this program's output; a task is identified by its document,
its number's digits, whether it is a target row and, where 001 uses a number twice, whether it sits under 打好三场硬仗.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.ledger import COLUMNS
from service.settings import Settings
from tests.conftest import WUJIANG_2022, WUZHONG_2023

EXPECTED = json.loads((Path(__file__).parents[1] / "fixtures" / "ledger" / "expected.json").read_text(encoding="utf-8"))["cases"]
TWICE = "打好三场硬仗"  # 001 numbers (1)-(8) twice: first in this group, then in the main body


@pytest.fixture(scope="module")
def client(sample_index):
    path, _ = sample_index
    # One test client is one address: the per-client rate limit is off, as in the bench.
    with TestClient(create_app(Settings(index=path, rate_limit=0))) as c:
        yield c


def tasks(client, **filters) -> dict:
    response = client.get("/api/tasks", params={"size": 500, **filters})
    assert response.status_code == 200, response.text
    return response.json()


def key_of_hit(hit: dict) -> tuple:
    target = "目标" in (hit["task_no"] or "") or "预期目标" in " ".join(hit["section"])
    return hit["doc_id"], re.sub(r"\D", "", hit["task_no"] or ""), target, TWICE in " ".join(hit["section"])


def key_of_expected(task: dict) -> tuple:
    return task["doc"], re.sub(r"\D", "", task["no"]), task["target"], TWICE in task["group"]


@pytest.mark.parametrize("case", EXPECTED, ids=[c["name"] for c in EXPECTED])
def test_lists_equal_the_hand_written_ones(client, case):
    body = tasks(client, **case["filters"])
    got = [key_of_hit(t) for t in body["tasks"]]
    want = [key_of_expected(t) for t in case["tasks"]]
    assert sorted(got) == sorted(want), case["note"]
    assert body["total"] == len(want) == len(got)
    assert len(set(got)) == len(got)  # no task twice


def test_rows_come_in_document_order_and_pages_split_them(client):
    whole = tasks(client, doc_id=WUZHONG_2023)["tasks"]
    assert [t["task_no"] for t in whole[:3]] == ["目标1", "目标2", "目标3"]
    assert whole[11]["task_no"] == "(1)" and TWICE in " ".join(whole[11]["section"])
    paged = []
    for page in (1, 2, 3):
        body = client.get("/api/tasks", params={"doc_id": WUZHONG_2023, "size": 50, "page": page}).json()
        assert body["total"] == len(whole) and body["page"] == page and body["size"] == 50
        paged += body["tasks"]
    assert [t["id"] for t in paged] == [t["id"] for t in whole]


def test_counts_and_facets_add_up(client):
    everything = tasks(client)
    # 001: 108 tasks ((1)-(8) twice, (70) and (71) from one row) and 11 targets; 002: 108 items as it says.
    per_doc = {f["value"]: f["count"] for f in everything["facets"]["documents"]}
    assert per_doc == {WUZHONG_2023: 119, WUJIANG_2022: 108}
    assert everything["total"] == sum(per_doc.values())
    for facet in ("lead_departments", "departments", "leaders", "areas"):
        for entry in everything["facets"][facet][:5]:
            key = {"lead_departments": "lead_department", "departments": "department", "leaders": "leader", "areas": "area"}[facet]
            assert tasks(client, **{key: entry["value"]})["total"] == entry["count"], (facet, entry)
    filtered = tasks(client, lead_department="商务局", doc_id=WUZHONG_2023)
    assert sum(f["count"] for f in filtered["facets"]["documents"]) == filtered["total"] == 7
    assert filtered["facets"]["lead_departments"][0] == {"value": "商务局", "count": 7}


def test_names_match_through_their_aliases_and_spaces(client):
    both = tasks(client, department="发改委", doc_id=WUJIANG_2022)
    written = {d for t in both["tasks"] for d in t["departments"] if "发改委" in d}
    assert written == {"区发改委", "发改委"}  # 002 writes it both ways: one department in the ledger
    for alias in ("区发改委", "发展和改革委员会", "发 改 委"):
        assert tasks(client, department=alias, doc_id=WUJIANG_2022)["total"] == both["total"]
    assert tasks(client, leader="李 烨")["total"] == tasks(client, leader="李烨")["total"] > 0
    assert tasks(client, department="区卫健委")["total"] == tasks(client, department="卫生健康委员会")["total"] > 0


def test_a_name_that_matches_nothing_says_so_with_the_nearest_names(client):
    body = tasks(client, department="教育")
    assert body["total"] == 0 and body["tasks"] == []
    assert "教育" in body["message"] and "教育局" in body["suggestions"]["department"]
    body = tasks(client, leader="李华")
    assert body["total"] == 0 and body["suggestions"]["leader"]
    body = tasks(client, section="不存在的分组")
    assert body["total"] == 0 and "分组" in body["message"]


def test_words_in_the_task_text(client):
    body = tasks(client, q="高标准农田")
    assert {t["citation"] for t in body["tasks"]} >= {"吴中区2023年主要工作任务分解方案 · (35)"}
    assert all("高标准农田" in t["text"] for t in body["tasks"])
    both = tasks(client, q="碧螺春 茶文化节")
    assert [t["task_no"] for t in both["tasks"]] == ["(36)"]


def test_a_work_report_contributes_no_invented_tasks(client):
    body = tasks(client, district="相城区")
    assert body["total"] == 0 and body["tasks"] == []


def test_csv_export_holds_exactly_the_filtered_rows(client):
    filters = {"leader": "张伟", "doc_id": WUZHONG_2023}
    listed = tasks(client, **filters)["tasks"]
    response = client.get("/api/tasks.csv", params=filters)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel reads the BOM as UTF-8
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS
    assert [(r[1], r[8]) for r in rows[1:]] == [(t["task_no"], t["citation"]) for t in listed]
    by_citation = {r[8]: r for r in rows[1:]}
    row35 = tasks(client, q="5800")["tasks"][0]
    assert row35["task_no"] == "(35)" and row35["citation"] not in by_citation  # not 张伟's: not exported


def test_xlsx_export_is_a_real_workbook_of_the_filtered_rows(client):
    filters = {"lead_department": "农业农村局", "doc_id": WUZHONG_2023}
    listed = tasks(client, **filters)["tasks"]
    response = client.get("/api/tasks.xlsx", params=filters)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == COLUMNS
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].width >= 40  # the task text has room
    assert [(r[1], r[3]) for r in rows[1:]] == [(t["task_no"], t["text"]) for t in listed]
    row35 = next(r for r in rows[1:] if r[1] == "(35)")
    assert "5800 亩" in row35[3] and "农业农村局" in row35[4] and row35[7] == "周学斌"


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"departmnet": "教育局"}, 422),  # a misspelt filter is refused, not ignored
        ({"size": 0}, 422),
        ({"size": 501}, 422),
        ({"page": 0}, 422),
        ({"year": "二〇二三"}, 422),
        ({"leader": "x" * 51}, 422),
    ],
)
def test_bad_ledger_requests_get_422_in_the_envelope(client, params, status):
    for path in ("/api/tasks", "/api/tasks.csv"):
        response = client.get(path, params=params)
        assert response.status_code == status, response.text
        assert set(response.json()) == {"error"} and response.json()["error"]["message"]


def test_bytes_that_are_not_utf8_in_a_filter_match_nothing(client):
    body = client.get("/api/tasks?leader=%ED%A0%80%FF").json()  # a lone surrogate as a URL can carry it
    assert body["total"] == 0 and body["message"]


def test_a_page_past_the_end_is_empty_with_the_total(client):
    body = client.get("/api/tasks", params={"page": 99, "size": 50}).json()
    assert body["tasks"] == [] and body["total"] == 227 and body["page"] == 99


def test_the_document_in_order_and_unknown_ids(client):
    body = client.get(f"/api/documents/{WUZHONG_2023}").json()
    assert body["document"]["doc_id"] == WUZHONG_2023 and body["document"]["title"] == "吴中区2023年主要工作任务分解方案"
    numbers = [p["task_no"] for p in body["passages"] if p["task_no"]]
    assert numbers[:2] == ["目标1", "目标2"] and numbers.count("(1)") == 2 and numbers[-1] == "(100)"
    page = client.get(f"/documents/{WUZHONG_2023}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    task35 = next(p for p in body["passages"] if p["task_no"] == "(35)" and "5800" in p["text"])
    assert f'id="{task35["id"]}"' in page.text and "★牵头单位：<b>农业农村局</b>" in page.text
    for path in ("/api/documents/nope", "/documents/nope", "/api/documents/..%2F..%2Fetc%2Fpasswd"):
        response = client.get(path)
        assert response.status_code == 404 and set(response.json()) == {"error"}
