"""/api/search over the real app and index: shapes, filters and validation errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from tests.conftest import WUZHONG_2023
from tests.test_cli import HIT_KEYS


@pytest.fixture(scope="module")
def client(sample_index):
    path, _ = sample_index
    with TestClient(create_app(Settings(index=path))) as c:
        yield c


def test_get_and_post_agree(client):
    got = client.get("/api/search", params={"q": "碧螺春茶文化节谁牵头", "k": 3})
    posted = client.post("/api/search", json={"q": "碧螺春茶文化节谁牵头", "k": 3})
    assert got.status_code == posted.status_code == 200
    a, b = got.json(), posted.json()
    assert set(a) == {"query", "filters", "hits", "took_ms"}
    assert [h["id"] for h in a["hits"]] == [h["id"] for h in b["hits"]]
    top = a["hits"][0]
    assert set(top) == HIT_KEYS | {"score"}
    assert top["doc_id"] == WUZHONG_2023 and top["task_no"] == "(36)" and top["lead_departments"] == ["农业农村局"]


def test_filters_in_the_response(client):
    body = client.post("/api/search", json={"q": "吴中区2023年新增多少高标准农田"}).json()
    assert body["filters"]["district"] == "吴中区" and body["filters"]["year"] == 2023
    assert all(h["district"] == "吴中区" and h["year"] == 2023 for h in body["hits"])
    empty = client.post("/api/search", json={"q": "高标准农田", "district": "姑苏区"}).json()
    assert empty["hits"] == [] and "姑苏区" in empty["message"]


@pytest.mark.parametrize(
    "body",
    [{"q": ""}, {"q": "   "}, {"q": "农田", "k": 0}, {"q": "农田", "k": 51}, {"q": "农田", "top": 3}, {"q": "农" * 501}, {"k": 3}, {"q": 123}],
)
def test_bad_requests_get_422_in_the_envelope(client, body):
    response = client.post("/api/search", json=body)
    assert response.status_code == 422
    assert set(response.json()) == {"error"} and response.json()["error"]["code"] == "invalid_request"


def test_bad_get_parameters(client):
    assert client.get("/api/search", params={"q": "  "}).status_code == 422
    assert client.get("/api/search", params={"q": "农田", "k": "many"}).status_code == 422
    assert client.get("/api/search").status_code == 422
