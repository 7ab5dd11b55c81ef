"""A real uvicorn server under 64 concurrent clients (searches, answers, pages), default settings
with the per-client rate limit on: no 5xx, no dropped connection, every API body in its contract
shape, memory within the stated margin. `make loadtest` runs the same for 60 s and prints p99."""

from __future__ import annotations

from eval.load import run_load
from govqa.server import running_server
from tests.service.contract import check_response


def test_64_clients_of_mixed_traffic(sample_index):
    path, _ = sample_index
    with running_server(path) as (port, pid):
        result = run_load(port, pid, clients=64, seconds=20, max_requests=20_000, check=check_response)
    assert result["server_errors"] == 0 and result["dropped"] == 0 and result["bad_bodies"] == 0, result
    assert set(result["statuses"]) == {"200"}, result["statuses"]  # 64 addresses, each well under its rate
    assert set(result["by_kind"]) == {"search_get", "search_post", "ask", "page"}
    assert result["requests"] >= 64  # every client got through at least once
    assert result["memory_mb"]["stable"], result["memory_mb"]
