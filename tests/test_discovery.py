"""Discovered-topic internals: near-duplicate merging, centroid refinement, the UMAP ensemble,
and a seeded end-to-end fit on well-separated synthetic topics."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import adjusted_rand_score

from trends.config import DiscoveryConfig
from trends.embed import normalize_rows
from trends.topics.discovery import TopicDiscoverer, UMAPEnsemble
from trends.topics.memberships import near_duplicate_groups, refine


def blobs(n_per: int, k: int, dim: int = 24, spread: float = 0.15, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = normalize_rows(rng.normal(size=(k, dim)))
    x = np.vstack([c + spread * rng.normal(size=(n_per, dim)) for c in centres])
    return normalize_rows(x), np.repeat(np.arange(k), n_per), centres


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 12), st.floats(0.5, 1.0), st.integers(0, 10_000))
def test_near_duplicate_groups_link_exactly_close_pairs(k: int, thr: float, seed: int) -> None:
    cen = normalize_rows(np.random.default_rng(seed).normal(size=(k, 4)))
    g = near_duplicate_groups(cen, thr)
    assert g.shape == (k,) and g[0] == 0
    assert set(g.tolist()) == set(range(int(g.max()) + 1))  # groups numbered 0..m-1
    sims = cen @ cen.T
    for i in range(k):
        for j in range(k):
            if sims[i, j] >= thr:  # every close pair shares a group (single linkage)
                assert g[i] == g[j]
    # ... and two groups never hold a close pair across them
    for a in range(int(g.max()) + 1):
        for b in range(a + 1, int(g.max()) + 1):
            assert (sims[np.ix_(g == a, g == b)] < thr).all()


def test_refine_moves_papers_to_the_nearest_centroid_and_respects_bars() -> None:
    x, truth, centres = blobs(60, 3)
    # start from noisy centroids: refinement pulls them to the blob means
    rng = np.random.default_rng(1)
    start = normalize_rows(centres + 0.4 * rng.normal(size=centres.shape))
    labels, cen, keep = refine(x, start, np.full(3, 0.0), iterations=2)
    assert keep.tolist() == [0, 1, 2]
    assert adjusted_rand_score(truth, labels) == 1.0
    means = normalize_rows(np.stack([x[truth == k].mean(axis=0) for k in range(3)]))
    assert np.allclose(cen, means, atol=1e-6)
    # a bar nobody clears leaves everyone an outlier, without crashing
    none, _, _ = refine(x, start, np.full(3, 1.1), iterations=1)
    assert (none == -1).all()


def test_refine_drops_a_cluster_left_empty() -> None:
    x, _, centres = blobs(40, 2)
    far = -centres[:1]  # a centroid no paper is nearest to
    labels, cen, keep = refine(x, np.vstack([centres, far]), np.zeros(3), iterations=1)
    assert keep.tolist() == [0, 1] and cen.shape[0] == 2 and labels.max() == 1


def test_umap_ensemble_concatenates_runs_and_is_seeded() -> None:
    x, _, _ = blobs(30, 3, dim=16)
    params = {"n_neighbors": 10, "n_components": 2, "min_dist": 0.0, "metric": "cosine"}
    a = UMAPEnsemble(n_runs=3, random_state=5, **params).fit_transform(x)
    b = UMAPEnsemble(n_runs=3, random_state=5, **params).fit_transform(x)
    assert a.shape == (90, 6)
    assert np.array_equal(a, b)
    ens = UMAPEnsemble(n_runs=2, random_state=5, **params).fit(x)
    assert ens.transform(x).shape == (90, 4)
    assert ens.transform(x[:7].copy()).shape == (7, 4)  # new data goes through every run


@pytest.mark.slow
def test_fit_finds_separated_topics_and_agrees_across_seeds() -> None:
    x, truth, _ = blobs(50, 4, dim=32, spread=0.12)
    words = ["alpha beta", "gamma delta", "epsilon zeta", "eta theta"]
    docs = [f"{words[t]} paper {i}" for i, t in enumerate(truth)]
    cfg = DiscoveryConfig(
        min_cluster_size=10, min_samples=5, umap_n_neighbors=10, umap_runs=2, min_fit_papers=50
    )
    fits = [TopicDiscoverer(cfg, seed=s).fit(docs, x) for s in (1, 2)]
    for f in fits:
        assert len(f.clusters_) == 4
        # the bar is the 5th percentile of core members' cosines, so even clean blobs lose their
        # farthest papers to the novelty pool (real data: docs/topics.md)
        assert f.outlier_share_ < 0.25
        assert adjusted_rand_score(truth[f.labels_ >= 0], f.labels_[f.labels_ >= 0]) == 1.0
        assert len({c.label for c in f.clusters_}) == 4
    same = TopicDiscoverer(cfg, seed=1).fit(docs, x)
    assert np.array_equal(same.labels_, fits[0].labels_)  # seeded: the same input, same topics
