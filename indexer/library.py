"""The administrator's changes to the default corpus, kept beside the index (var/library/):
the files uploaded from /admin, and the shipped reports withdrawn from it.

`govqa index` without paths builds data/reports plus this library minus the withdrawn, so a
document added or removed in the browser stays added or removed when `make serve` restarts
and rebuilds a stale index.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .build import collect_files, corpus_fingerprint
from .readers import doc_id_for

WITHDRAWN = ".withdrawn"  # hidden: collect_files never takes it for a report


class Library:
    def __init__(self, root: Path, reports: Path) -> None:
        self.root = Path(root)
        self.reports = Path(reports)

    def withdrawn(self) -> set[str]:
        try:
            return {line.strip() for line in (self.root / WITHDRAWN).read_text(encoding="utf-8").splitlines() if line.strip()}
        except OSError:
            return set()

    def files(self, replace: dict[str, Path | None] | None = None) -> list[Path]:
        """The default corpus: shipped reports and uploads, less the withdrawn; `replace` maps a
        doc_id to the file that will hold it (or None when it will be gone) — the corpus after a change."""
        replace = replace or {}
        gone = self.withdrawn() | set(replace)
        uploads = {doc_id_for(p): p for p in collect_files([self.root])[0]} if self.root.is_dir() else {}
        shipped = [p for p in collect_files([self.reports])[0] if doc_id_for(p) not in uploads] if self.reports.is_dir() else []
        files = [p for p in [*shipped, *uploads.values()] if doc_id_for(p) not in gone]
        files.extend(p for p in replace.values() if p is not None)
        return sorted(files, key=lambda p: p.name)

    def fingerprint(self, replace: dict[str, Path | None] | None = None) -> str:
        return corpus_fingerprint(self.files(replace))

    def keep(self, upload: Path, doc_id: str) -> Path:
        """Move an indexed upload in, in place of any earlier file of the same document."""
        self.root.mkdir(parents=True, exist_ok=True)
        for old in self._uploads_of(doc_id):
            old.unlink(missing_ok=True)
        target = self.root / f"{doc_id}{upload.suffix.lower()}"
        shutil.move(str(upload), target)
        self._set_withdrawn(self.withdrawn() - {doc_id})
        return target

    def drop(self, doc_id: str) -> None:
        """A removed document: its upload deleted, and a shipped report of that id withdrawn."""
        for old in self._uploads_of(doc_id):
            old.unlink(missing_ok=True)
        if self.reports.is_dir() and any(doc_id_for(p) == doc_id for p in collect_files([self.reports])[0]):
            self._set_withdrawn(self.withdrawn() | {doc_id})

    def _uploads_of(self, doc_id: str) -> list[Path]:
        return [p for p in self.root.glob("*") if p.is_file() and not p.name.startswith(".") and doc_id_for(p) == doc_id] if self.root.is_dir() else []

    def _set_withdrawn(self, ids: set[str]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f"{WITHDRAWN}.tmp"
        tmp.write_text("".join(f"{i}\n" for i in sorted(ids)), encoding="utf-8")
        os.replace(tmp, self.root / WITHDRAWN)
