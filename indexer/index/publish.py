"""Publishing a build: `var/index` is a symbolic link to the current build under
`var/.index.builds/`, replaced in one rename, so a reader sees the old index or the
new one, never half of either; a build killed on the way leaves only an unfinished
folder that the next build removes.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path

from .folder import MANIFEST, fsync_dir

KEEP_BUILDS = 2  # the current build and the one before, for a reader still loading it


def builds_dir(target: Path) -> Path:
    return target.parent / f".{target.name}.builds"


def new_build_dir(target: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    path = builds_dir(target) / f"{stamp}-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    (path / ".pid").write_text(str(os.getpid()))  # tells a concurrent build this one is alive
    return path


def publish(build: Path, target: Path) -> None:
    """Make `target` point at `build` in one atomic step, then tidy old builds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    link_text = os.path.relpath(build, target.parent)
    if target.exists() and not target.is_symlink():
        # A plain folder from elsewhere: move it aside first (the only non-atomic case).
        aside = target.parent / f".{target.name}.replaced-{uuid.uuid4().hex[:8]}"
        target.rename(aside)
        shutil.rmtree(aside, ignore_errors=True)
    tmp = target.parent / f".{target.name}.link-{uuid.uuid4().hex[:8]}"
    os.symlink(link_text, tmp)
    os.replace(tmp, target)
    fsync_dir(target.parent)
    prune_builds(target)


def prune_builds(target: Path) -> None:
    """Remove unfinished builds and all but the newest finished ones (never the current one)."""
    root = builds_dir(target)
    if not root.is_dir():
        return
    current = target.resolve() if target.exists() else None
    finished = sorted((p for p in root.iterdir() if (p / MANIFEST).exists()), key=lambda p: p.name)
    keep = set(finished[-KEEP_BUILDS:])
    for path in root.iterdir():
        if path == current or path in keep:
            continue
        if path.is_dir() and (path / MANIFEST).exists() or _is_abandoned(path):
            shutil.rmtree(path, ignore_errors=True)


def _is_abandoned(path: Path) -> bool:
    """An unfinished build whose writer is gone (older than an hour, or its pid is dead)."""
    return time.time() - path.stat().st_mtime > 3600 or not _writer_alive(path)


def _writer_alive(path: Path) -> bool:
    pid_file = path / ".pid"
    try:
        os.kill(int(pid_file.read_text()), 0)
        return True
    except (OSError, ValueError):
        return False
