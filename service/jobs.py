"""Uploads and removals from /admin as jobs: saved under var/, queued in the state database,
run one at a time through the same atomic add/remove as `govqa index --add/--remove`.

Every worker process runs a JobRunner thread, but only the one holding var/jobs.lock takes
jobs, so a single build runs at a time and the rest queue; when that process goes, another
takes the lock. A job whose process died (a restart mid-job) is marked failed at the next
start: the index it was changing is published whole or not at all, never half.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
import threading
import time
import unicodedata
import uuid
from pathlib import Path

from indexer.build import BuildError
from indexer.library import Library
from indexer.readers import SUPPORTED_SUFFIXES, doc_id_for
from indexer.update import add_document, remove_document

from .engine import Engine
from .settings import Settings
from .state import State

log = logging.getLogger("govqa.jobs")

UPLOAD_SUFFIXES = SUPPORTED_SUFFIXES
MAX_NAME = 120


class Cancelled(Exception):
    """Raised from a job's progress callback: the administrator cancelled, or the service is stopping."""


def clean_name(raw: str) -> str:
    """A file name safe to keep under var/: the last path part only, no control or format
    characters, no leading dots; refused (ValueError) when nothing usable is left."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".").strip()
    if not name or name in (".", ".."):
        raise ValueError("文件名无效")
    if len(name) > MAX_NAME:
        stem, dot, suffix = name.rpartition(".")
        name = stem[: MAX_NAME - len(suffix) - 1] + dot + suffix if dot else name[:MAX_NAME]
    return name


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(int(pid), 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


class Jobs:
    """What the admin routes call: queue uploads and removals, read jobs back."""

    def __init__(self, settings: Settings, state: State) -> None:
        self.settings = settings
        self.state = state
        self.incoming = settings.state_dir / "uploads"
        self.wake = threading.Event()

    def new_upload_dir(self) -> tuple[str, Path]:
        job_id = uuid.uuid4().hex[:12]
        folder = self.incoming / job_id
        folder.mkdir(parents=True, exist_ok=True)
        return job_id, folder

    def queue_upload(self, job_id: str, folder: Path, name: str, size: int, who: str, replace: str | None = None, problem: str | None = None) -> dict:
        """A job for one received file, or a failed job saying why it cannot be one."""
        reason = problem
        suffix = Path(name).suffix.lower()
        if reason:
            pass
        elif suffix not in UPLOAD_SUFFIXES:
            reason = f"不支持的文件类型 {suffix or '（无扩展名）'}；可上传 " + "、".join(sorted(UPLOAD_SUFFIXES))
        elif size == 0:
            reason = "文件为空"
        saved = folder / name
        if not reason:
            # A replacement keeps the document's id (its citations' links), whatever the file is called;
            # the suffix in lower case, as the library keeps it.
            target = folder / f"{replace or saved.stem}{suffix}"
            saved.rename(target)
            saved = target
        if reason:
            shutil.rmtree(folder, ignore_errors=True)
            job = self.state.add_job(job_id, "add", who, name=name, status="failed", message=f"{name or '（无名文件）'}：{reason}")
            self.state.audit(who, "upload", name or "（无名文件）", f"拒收：{reason}")
            return job
        kind = "replace" if replace else "add"
        job = self.state.add_job(job_id, kind, who, name=name, file=str(saved), doc_ids=[doc_id_for(saved)], message="排队等待处理")
        self.state.audit(who, kind, name, f"已排队（任务 {job_id}）")
        self.wake.set()
        return job

    def queue_removal(self, doc_id: str, who: str) -> dict:
        job_id = uuid.uuid4().hex[:12]
        job = self.state.add_job(job_id, "remove", who, name=doc_id, doc_ids=[doc_id], message="排队等待处理")
        self.state.audit(who, "remove", doc_id, f"已排队（任务 {job_id}）")
        self.wake.set()
        return job


class JobRunner:
    """One thread per process; the one holding the jobs lock runs the queue, oldest first."""

    def __init__(self, jobs: Jobs, engine: Engine) -> None:
        self.jobs, self.state, self.settings, self.engine = jobs, jobs.state, jobs.settings, engine
        self.library = Library(self.settings.library, self.settings.reports)
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        me = os.getpid()
        failed = self.state.fail_orphans(lambda pid: pid != me and pid_alive(pid))
        if failed:
            log.warning("jobs interrupted by a restart, marked failed: %s", ", ".join(failed))
        self._tidy_uploads()
        self.thread = threading.Thread(target=self._loop, name="govqa-jobs", daemon=True)
        self.thread.start()

    def _tidy_uploads(self) -> None:
        """Upload folders no waiting or running job needs (left by a crash) are removed."""
        if not self.jobs.incoming.is_dir():
            return
        for folder in self.jobs.incoming.iterdir():
            job = self.state.job(folder.name)
            if job is None or job["status"] in ("done", "failed"):
                if job is None and time.time() - folder.stat().st_mtime < 600:
                    continue  # a sibling worker may be receiving it right now
                shutil.rmtree(folder, ignore_errors=True)

    def stop(self) -> None:
        self.stopping.set()
        self.jobs.wake.set()

    def _loop(self) -> None:
        lock_path = self.settings.state_dir / "jobs.lock"
        with open(lock_path, "a") as lock:
            while not self.stopping.is_set():
                try:  # the runner is whichever process holds the lock; the others wait for it
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError:
                    self.stopping.wait(1.0)
            while not self.stopping.is_set():
                job = self.state.claim_job(os.getpid())
                if job is None:
                    self.jobs.wake.wait(1.0)
                    self.jobs.wake.clear()
                    continue
                self._run(job)

    def _run(self, job: dict) -> None:
        job_id = job["id"]
        row = self.state.job(job_id)
        try:
            if self.engine.embedder is None or self.engine.searcher is None:
                raise BuildError(f"索引尚未加载，无法修改：{self.engine.error or '请稍后再试'}")
            if job["kind"] in ("add", "replace"):
                message = self._add(job_id, Path(self._file(job_id)))
            else:
                message = self._remove(job_id, row["doc_ids"][0])
        except Cancelled as exc:
            self._finish(job_id, "failed", str(exc), job)
        except (BuildError, ValueError, OSError) as exc:
            self._finish(job_id, "failed", f"{exc}（索引未改变）", job)
        except Exception as exc:  # noqa: BLE001 - one bad job must not stop the runner
            log.exception("job %s", job_id)
            self._finish(job_id, "failed", f"处理失败（{type(exc).__name__}: {exc}）；索引未改变", job)
        else:
            self._finish(job_id, "done", message, job)

    def _file(self, job_id: str) -> str:
        with self.state.connect() as db:
            return db.execute("SELECT file FROM jobs WHERE id = ?", (job_id,)).fetchone()["file"]

    def _check(self, job_id: str) -> None:
        if self.stopping.is_set():
            raise Cancelled("服务停止，任务中断；索引未改变，请重新上传")
        if self.state.cancelled(job_id):
            raise Cancelled("已取消（未改变索引）")

    def _add(self, job_id: str, path: Path) -> str:
        started = time.monotonic()
        understood: dict[str, object] = {}

        def on_parsed(parsed) -> None:
            doc = parsed.document
            understood.update(title=doc.title, passages=len(parsed.passages))
            line = f"{doc.title}（{doc.district or '区县未识别'}，{doc.year or '年份未识别'}）：{doc.describe()}"
            if doc.notes:
                line += "；注意：" + "；".join(doc.notes)
            self.state.update_job(job_id, understood=line, doc_ids=[doc.doc_id], progress=0.1, message="已解析，向量化中")
            self._check(job_id)

        def on_embedded(done: int, total: int) -> None:
            elapsed = time.monotonic() - started
            fraction = done / max(total, 1)
            eta = elapsed / fraction * (1 - fraction) if fraction else None
            self.state.update_job(job_id, progress=0.1 + 0.8 * fraction, eta=eta, message=f"向量化 {done}/{total} 段")
            self._check(job_id)

        doc_id = doc_id_for(path)
        fingerprint = self._fingerprint({doc_id: path})
        self._check(job_id)
        self.state.update_job(job_id, message="解析中", progress=0.02)
        report = add_document(
            path, settings=self.settings, embedder=self.engine.embedder, progress=on_embedded, on_parsed=on_parsed, fingerprint=fingerprint, current=self.engine.index
        )
        # Published: from here on the job is done whatever else happens.
        self.state.update_job(job_id, progress=0.95, eta=None, message="已发布，载入中")
        try:
            self.library.keep(path, doc_id)
        except OSError:  # the index has it; only a later full rebuild would miss it
            log.exception("upload %s published but not kept in %s", path.name, self.library.root)
        shutil.rmtree(path.parent, ignore_errors=True)
        self.engine.load()  # this worker at once; the others through their index watcher
        return f"已加入索引：{understood.get('title', doc_id)}，{understood.get('passages', '?')} 段（索引共 {report.passages} 段）"

    def _remove(self, job_id: str, doc_id: str) -> str:
        self._check(job_id)
        self.state.update_job(job_id, message="删除中", progress=0.2)
        report = remove_document(doc_id, settings=self.settings, embedder=self.engine.embedder, fingerprint=self._fingerprint({doc_id: None}))
        try:
            self.library.drop(doc_id)
        except OSError:
            log.exception("%s removed from the index but not from %s", doc_id, self.library.root)
        self.engine.load()
        return f"已从索引删除 {doc_id}（索引共 {report.passages} 段）"

    def _fingerprint(self, change: dict[str, Path | None]) -> str | None:
        """The default corpus after this change, when the index stands for the default corpus now:
        then `make serve` after a restart finds the index up to date instead of rebuilding it."""
        manifest = self.engine.index.manifest if self.engine.index else {}
        current = manifest.get("corpus", {}).get("fingerprint")
        return self.library.fingerprint(change) if current and current == self.library.fingerprint() else None

    def _finish(self, job_id: str, status: str, message: str, job: dict) -> None:
        self.state.update_job(job_id, status=status, message=message, progress=1.0 if status == "done" else self.state.job(job_id)["progress"], eta=None)
        if status == "failed" and job["kind"] != "remove":
            path = self._file(job_id)
            if path:
                shutil.rmtree(Path(path).parent, ignore_errors=True)
        self.state.audit(job["who"], job["kind"], ",".join(job["doc_ids"]) or job["name"], ("完成：" if status == "done" else "失败：") + message)
        log.info("job %s %s: %s", job_id, status, message)
