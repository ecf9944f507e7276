"""Who belongs to which cluster: the nearest-centroid rule and the steps built on it.

One rule decides membership everywhere: a paper joins its nearest topic centroid (cosine, in the
original embedding space) when the cosine reaches that topic's bar, else it is an outlier and
goes to the novelty pool (:func:`assign_nearest`). Daily runs use it for new papers; a fit uses
it to place HDBSCAN's outliers and, with :func:`refine`, every paper. :func:`core_bars` sets each
topic's bar from its HDBSCAN core members, and :func:`merge_near_duplicates` makes one topic of
clusters whose centroids nearly coincide. Pure functions on arrays.
"""

from __future__ import annotations

import numpy as np

from trends.embed import normalize_rows


def assign_nearest(
    embeddings: np.ndarray,
    topic_ids: np.ndarray,
    centroids: np.ndarray,
    threshold: float | np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest-centroid assignment of unit-normalised ``embeddings``.

    ``threshold`` is one cosine bar for all topics or one per topic. Returns (topic id, or -1
    when the best cosine is below the nearest topic's bar; best cosine; nearest topic id).
    """
    n = len(embeddings)
    if n == 0 or len(topic_ids) == 0:
        return (np.full(n, -1, np.int64), np.zeros(n), np.full(n, -1, np.int64))
    sims = embeddings @ centroids.T
    best = sims.argmax(axis=1)
    best_sim = sims[np.arange(n), best]
    nearest = topic_ids[best]
    bar = np.broadcast_to(np.asarray(threshold, dtype=np.float64), (len(topic_ids),))[best]
    chosen = np.where(best_sim >= bar, nearest, -1)
    return chosen.astype(np.int64), best_sim.astype(float), nearest.astype(np.int64)


def _nearest_index(emb: np.ndarray, centroids: np.ndarray, bars: np.ndarray) -> np.ndarray:
    """:func:`assign_nearest` with topics numbered by row of ``centroids``."""
    return assign_nearest(emb, np.arange(len(centroids)), centroids, bars)[0]


def core_bars(
    emb: np.ndarray, labels: np.ndarray, centroids: np.ndarray, floor: float, quantile: float
) -> np.ndarray:
    """Each topic's bar: the ``quantile`` of its core members' cosines, never below ``floor``
    (a new paper must be as close as the topic's typical members)."""
    own = (emb * centroids[np.maximum(labels, 0)]).sum(axis=1)
    return np.array(
        [max(floor, float(np.quantile(own[labels == k], quantile))) for k in range(len(centroids))]
    )


def near_duplicate_groups(centroids: np.ndarray, threshold: float) -> np.ndarray:
    """Group index per cluster: clusters whose centroid cosine reaches ``threshold`` are linked
    (single linkage, so a chain of near-duplicates is one group). Groups are numbered in order
    of their first cluster."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    _, group = connected_components(csr_matrix(centroids @ centroids.T >= threshold))
    return group.astype(np.int64)


def merge_near_duplicates(
    emb: np.ndarray, labels: np.ndarray, centroids: np.ndarray, bars: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One topic per group of near-duplicate clusters (:func:`near_duplicate_groups`).

    A group's centroid is the mean of all its members, its bar the lowest of its parts.
    Returns the new labels, centroids and bars, and for each group its largest part (whose
    terms name it); unchanged inputs and ``arange`` when nothing merges.
    """
    group = near_duplicate_groups(centroids, threshold)
    n_groups = int(group.max()) + 1
    if n_groups == len(centroids):
        return labels, centroids, bars, np.arange(len(centroids))
    sizes = np.bincount(labels[labels >= 0], minlength=len(centroids))
    parts = [np.flatnonzero(group == g) for g in range(n_groups)]
    labels = np.where(labels >= 0, group[np.maximum(labels, 0)], -1)
    centroids = normalize_rows(np.stack([emb[labels == g].mean(axis=0) for g in range(n_groups)]))
    bars = np.array([bars[p].min() for p in parts])
    return labels, centroids, bars, np.array([p[np.argmax(sizes[p])] for p in parts])


def refine(
    emb: np.ndarray, centroids: np.ndarray, bars: np.ndarray, iterations: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centroid refinement (Lloyd steps in the original embedding space).

    Each step gives every paper to its nearest centroid when its cosine reaches that topic's
    bar (else it is an outlier), then recomputes the centroids from the new members. UMAP's
    layout differs from seed to seed, so the borders HDBSCAN draws in it do too; averaged
    centroids move much less, and memberships decided by them agree better across seeds
    (docs/topics.md). Clusters left empty are dropped; returns the final labels, the
    centroids and the indices of the clusters kept.
    """
    keep = np.arange(len(centroids))
    for _ in range(iterations):
        labels = _nearest_index(emb, centroids, bars)
        alive = np.array([k for k in range(len(centroids)) if (labels == k).any()], dtype=int)
        if not len(alive):  # nothing clears any bar: keep HDBSCAN's centroids
            break
        centroids = normalize_rows(np.stack([emb[labels == k].mean(axis=0) for k in alive]))
        bars, keep = bars[alive], keep[alive]
    return _nearest_index(emb, centroids, bars), centroids, keep
