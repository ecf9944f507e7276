"""Vectors the embedding cache gets without embedding papers one by one.

* :func:`read_vectors` / :func:`import_vectors` — a precomputed ``.npz`` (arrays ``ids``,
  ``text_sha256``, ``embeddings`` and optionally ``model_id``), read, or put into the store's
  cache, for the requested (id, text hash) keys it holds. A file that names its model is used
  only for that model; one that names none is trusted only when the caller allows it (the
  bundled sample's snapshot, ``embedding.snapshot``, predates the ``model_id`` key; the judged
  papers' vectors, ``topics.named_labels_vectors``, must name it).
* :func:`vectors_for` — vectors for any (id, text hash) keys, papers in the store or not: the
  cache, then a vector file, then the embedder; what is imported or embedded is cached.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from trends.store import Store

log = logging.getLogger(__name__)


def read_vectors(
    path: Path,
    keys: Sequence[tuple[str, str]],
    model_id: str,
    *,
    require_model_id: bool,
) -> tuple[list[tuple[str, str]], np.ndarray]:
    """``(found keys, their float32 vectors)``: the file's rows for (id, text hash) ``keys``.

    Nothing is found when the file names another model, or names none and one is required.
    """
    with np.load(path) as snap:
        named = str(snap["model_id"]) if "model_id" in snap.files else None
        if (named is None and require_model_id) or (named is not None and named != model_id):
            log.warning("%s holds vectors of model %s, not %s: not used", path, named, model_id)
            return [], np.zeros((0, 0), dtype=np.float32)
        index = {
            key: k
            for k, key in enumerate(
                zip(snap["ids"].tolist(), snap["text_sha256"].tolist(), strict=True)
            )
        }
        hit = [key for key in keys if key in index]
        rows = [index[key] for key in hit]
        return hit, np.asarray(snap["embeddings"][rows], dtype=np.float32)


def import_vectors(
    store: Store,
    path: Path,
    keys: Sequence[tuple[str, str]],
    model_id: str,
    *,
    require_model_id: bool,
) -> int:
    """Put the file's vectors for ``keys`` into the cache under ``model_id``; rows added."""
    if not keys:
        return 0
    hit, vecs = read_vectors(path, keys, model_id, require_model_id=require_model_id)
    if not hit:
        return 0
    ids, shas = zip(*hit, strict=True)
    return store.put_embeddings(list(ids), list(shas), model_id, vecs)


def vectors_for(
    store: Store,
    ids: Sequence[str],
    shas: Sequence[str],
    texts: Sequence[str],
    model_id: str,
    embed_fn: Callable[[list[str]], np.ndarray],
    vectors_file: Path | None,
) -> tuple[np.ndarray, int, int]:
    """``(matrix, imported, embedded)``: the keys' vectors, and how many came from where."""
    found, vecs = store.cached_vectors(ids, shas, model_id)
    imported = embedded = 0
    if found.all():
        return vecs, imported, embedded
    if vectors_file is not None and Path(vectors_file).is_file():
        missing = [(ids[i], shas[i]) for i in np.flatnonzero(~found).tolist()]
        imported = import_vectors(store, vectors_file, missing, model_id, require_model_id=True)
        if imported:
            found, vecs = store.cached_vectors(ids, shas, model_id)
    rest = np.flatnonzero(~found).tolist()
    if rest:
        log.info("embedding %d papers outside the store (once; cached afterwards)", len(rest))
        new = np.asarray(embed_fn([texts[i] for i in rest]), dtype=np.float32)
        embedded = store.put_embeddings(
            [ids[i] for i in rest], [shas[i] for i in rest], model_id, new
        )
        vecs = store.cached_vectors(ids, shas, model_id)[1]
    return vecs, imported, embedded
