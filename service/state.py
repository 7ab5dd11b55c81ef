"""The service's own records — upload jobs, the audit log, feedback, the query log — in one
SQLite file under var/ (the standard library's sqlite3: nothing to install, survives restarts).

Every worker process of the service opens the same file; WAL mode lets readers go on while
one writes, and each call takes a short-lived connection, so no connection crosses threads.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,               -- add | remove
    status TEXT NOT NULL,             -- queued | running | done | failed
    progress REAL NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    doc_ids TEXT NOT NULL DEFAULT '[]',
    name TEXT NOT NULL DEFAULT '',    -- the uploaded file's (cleaned) name
    file TEXT,                        -- where the upload waits, under var/
    understood TEXT,                  -- what the parser understood, once parsed
    eta REAL,                         -- seconds left, while embedding
    cancel INTEGER NOT NULL DEFAULT 0,
    who TEXT NOT NULL DEFAULT '',
    pid INTEGER,
    created REAL NOT NULL,
    started REAL,
    finished REAL
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status, created);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    result TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    query TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    citation_id TEXT,
    correct_citation TEXT,
    comment TEXT,
    filters TEXT NOT NULL DEFAULT '{}',
    citations TEXT NOT NULL DEFAULT '[]',
    build_id TEXT,
    client TEXT
);
CREATE INDEX IF NOT EXISTS feedback_at ON feedback(at);
CREATE TABLE IF NOT EXISTS queries (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    query TEXT NOT NULL,
    kind TEXT NOT NULL,               -- search | ask
    hits INTEGER NOT NULL,
    found INTEGER NOT NULL            -- 0: nothing found, or the answer declined
);
CREATE INDEX IF NOT EXISTS queries_at ON queries(at);
"""

JOB_FIELDS = ("id", "status", "progress", "message", "doc_ids")


class State:
    """The SQLite file and the few queries the service makes of it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._ready = False  # the file is made on first use, not when the app object is built

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(SCHEMA)
            self._ready = True
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout=30000")
        try:
            yield db
        finally:
            db.close()

    # --- jobs -------------------------------------------------------------------------

    def add_job(self, job_id: str, kind: str, who: str, name: str = "", file: str | None = None, doc_ids: list[str] = (), status: str = "queued", message: str = "") -> dict:
        now = time.time()
        finished = now if status == "failed" else None
        with self.connect() as db:
            db.execute(
                "INSERT INTO jobs (id, kind, status, message, doc_ids, name, file, who, created, finished) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (job_id, kind, status, message, json.dumps(list(doc_ids), ensure_ascii=False), name, file, who, now, finished),
            )
        return self.job(job_id)

    def job(self, job_id: str) -> dict | None:
        with self.connect() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row) if row else None

    def jobs(self, limit: int = 50) -> list[dict]:
        with self.connect() as db:
            rows = db.execute("SELECT * FROM jobs ORDER BY created DESC, rowid DESC LIMIT ?", (limit,)).fetchall()
        return [_job(r) for r in rows]

    def claim_job(self, pid: int) -> dict | None:
        """The oldest queued job, now running in process `pid`; None when nothing waits."""
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT id FROM jobs WHERE status = 'queued' ORDER BY created, rowid LIMIT 1").fetchone()
            if row is None:
                db.execute("COMMIT")
                return None
            db.execute("UPDATE jobs SET status = 'running', pid = ?, started = ?, message = '开始处理' WHERE id = ?", (pid, time.time(), row["id"]))
            db.execute("COMMIT")
        return self.job(row["id"])

    def update_job(self, job_id: str, **fields: Any) -> None:
        if "doc_ids" in fields:
            fields["doc_ids"] = json.dumps(list(fields["doc_ids"]), ensure_ascii=False)
        if fields.get("status") in ("done", "failed"):
            fields.setdefault("finished", time.time())
        sets = ", ".join(f"{name} = ?" for name in fields)
        with self.connect() as db:
            db.execute(f"UPDATE jobs SET {sets} WHERE id = ?", (*fields.values(), job_id))  # noqa: S608 - names are ours

    def request_cancel(self, job_id: str) -> dict | None:
        with self.connect() as db:
            db.execute("UPDATE jobs SET cancel = 1 WHERE id = ? AND status IN ('queued', 'running')", (job_id,))
            db.execute(
                "UPDATE jobs SET status = 'failed', message = '已取消（未改变索引）', finished = ? WHERE id = ? AND status = 'queued'",
                (time.time(), job_id),
            )
        return self.job(job_id)

    def cancelled(self, job_id: str) -> bool:
        with self.connect() as db:
            row = db.execute("SELECT cancel FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return bool(row and row["cancel"])

    def fail_orphans(self, alive) -> list[str]:
        """Jobs left running by a process that is gone (a restart, a crash): failed, never resumed;
        the index they were changing was never published half-way."""
        with self.connect() as db:
            rows = db.execute("SELECT id, pid FROM jobs WHERE status = 'running'").fetchall()
            gone = [r["id"] for r in rows if not alive(r["pid"])]
            for job_id in gone:
                db.execute(
                    "UPDATE jobs SET status = 'failed', message = '服务在处理中途重启，任务已中断；索引未改变，请重新上传', finished = ? WHERE id = ? AND status = 'running'",
                    (time.time(), job_id),
                )
        return gone

    # --- audit ------------------------------------------------------------------------

    def audit(self, who: str, action: str, target: str, result: str) -> None:
        with self.connect() as db:
            db.execute("INSERT INTO audit (at, who, action, target, result) VALUES (?,?,?,?,?)", (time.time(), who, action, target, result))

    def audit_log(self, limit: int = 100) -> list[dict]:
        with self.connect() as db:
            return [dict(r) for r in db.execute("SELECT at, who, action, target, result FROM audit ORDER BY id DESC LIMIT ?", (limit,))]

    # --- feedback and queries ---------------------------------------------------------

    def add_feedback(self, record: dict[str, Any]) -> int:
        with self.connect() as db:
            cursor = db.execute(
                "INSERT INTO feedback (at, query, helpful, citation_id, correct_citation, comment, filters, citations, build_id, client) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    time.time(),
                    record["query"],
                    int(record["helpful"]),
                    record.get("citation_id"),
                    record.get("correct_citation"),
                    record.get("comment"),
                    json.dumps(record.get("filters") or {}, ensure_ascii=False),
                    json.dumps(record.get("citations") or [], ensure_ascii=False),
                    record.get("build_id"),
                    record.get("client"),
                ),
            )
            return int(cursor.lastrowid)

    def feedback(self, since: float = 0.0, limit: int | None = 100) -> list[dict]:
        sql = "SELECT * FROM feedback WHERE at >= ? ORDER BY id DESC" + (" LIMIT ?" if limit else "")
        with self.connect() as db:
            rows = db.execute(sql, (since, limit) if limit else (since,)).fetchall()
        out = []
        for r in rows:
            item = dict(r)
            item["helpful"] = bool(item["helpful"])
            item["filters"] = json.loads(item["filters"] or "{}")
            item["citations"] = json.loads(item["citations"] or "[]")
            out.append(item)
        return out

    def log_queries(self, rows: list[tuple[float, str, str, int, int]], keep_days: float) -> None:
        with self.connect() as db:
            db.execute("BEGIN")
            db.executemany("INSERT INTO queries (at, query, kind, hits, found) VALUES (?,?,?,?,?)", rows)
            db.execute("DELETE FROM queries WHERE at < ?", (time.time() - keep_days * 86400,))
            db.execute("COMMIT")

    def top_queries(self, limit: int = 20, found: bool | None = None) -> list[dict]:
        """The most asked questions (or those that found nothing), with how often and when last."""
        where = "" if found is None else ("WHERE found = 1" if found else "WHERE found = 0")
        with self.connect() as db:
            rows = db.execute(
                f"SELECT query, COUNT(*) AS count, MAX(at) AS last FROM queries {where} GROUP BY query ORDER BY count DESC, last DESC LIMIT ?",  # noqa: S608
                (limit,),
            ).fetchall()
        return [dict(r) for r in rows]


def _job(row: sqlite3.Row) -> dict:
    """The contract's job shape, with what the page shows besides."""
    job = {name: row[name] for name in JOB_FIELDS}
    job["doc_ids"] = json.loads(row["doc_ids"] or "[]")
    job["progress"] = round(float(row["progress"]), 3)
    job.update(
        kind=row["kind"],
        name=row["name"],
        understood=row["understood"],
        eta_s=None if row["eta"] is None else round(row["eta"], 1),
        who=row["who"],
        created=row["created"],
        finished=row["finished"],
    )
    return job
