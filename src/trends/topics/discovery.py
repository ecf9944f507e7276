"""Discovered topics: BERTopic (UMAP → HDBSCAN → c-TF-IDF) over papers no named topic covers.

:class:`TopicDiscoverer` follows the scikit-learn shape: the constructor stores parameters,
``fit`` validates, fits and returns ``self``; learned attributes end in ``_``.

BERTopic's own cluster ids are size ranks and change with every fit, so they never leave this
module: the registry (:mod:`trends.topics.registry`) maps clusters to stable topic ids by their
centroids. After HDBSCAN, papers it leaves as outliers join the nearest cluster when their cosine
to its centroid (in the original embedding space) is at least the cluster's own bar: the
``member_quantile`` quantile of its core members' similarities (never below ``assign_threshold``).
The rest are true outliers and go to the novelty pool; daily papers face the same bar.
Everything is seeded, so the same input gives the same topics.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from trends.config import DiscoveryConfig
from trends.embed import normalize_rows
from trends.errors import TopicModelError
from trends.topics.memberships import assign_nearest, core_bars, merge_near_duplicates, refine

log = logging.getLogger(__name__)

# words that appear in nearly every AI abstract and say nothing about the topic
DOMAIN_STOP_WORDS = frozenset(
    [
        "state-of-the-art",
        "real-world",
        "large-scale",
        "open-source",
        "high-quality",
        "end-to-end",
        "fine-grained",
        "well-known",
        "wide-range",
        "model",
        "models",
        "language",
        "large",
        "llm",
        "llms",
        "paper",
        "propose",
        "proposed",
        "approach",
        "method",
        "methods",
        "results",
        "performance",
        "task",
        "tasks",
        "data",
        "based",
        "using",
        "use",
        "new",
        "existing",
        "state",
        "art",
        "significantly",
        "improve",
        "improves",
        "improved",
        "improving",
        "achieve",
        "achieves",
        "work",
        "framework",
        "show",
        "demonstrate",
        "study",
        "novel",
        "extensive",
        "experiments",
        "experimental",
        "benchmark",
        "benchmarks",
        "including",
        "code",
        "available",
        "github",
        "com",
        "https",
        "http",
        "significant",
        "various",
        "different",
        "effective",
        "effectively",
        "training",
        "trained",
        "learning",
        "ai",
    ]
)


@dataclass
class Cluster:
    """One discovered cluster (before registry matching)."""

    members: np.ndarray  # row indices into the fitted papers
    centroid: np.ndarray  # unit vector, original embedding space
    threshold: float = 0.0  # cosine to the centroid a new paper needs to join
    terms: list[str] = field(default_factory=list)  # top c-TF-IDF terms, best first
    label: str = ""


def _stop_words() -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return sorted(ENGLISH_STOP_WORDS | DOMAIN_STOP_WORDS)


def _clean_terms(terms: Sequence[str]) -> list[str]:
    """Drop terms already covered by a better-ranked term (``agent`` after ``agents``…)."""
    out: list[str] = []
    for t in terms:
        words = set(t.split())
        stems = {w.rstrip("s") for w in words}
        if any(stems & {w.rstrip("s") for w in o.split()} for o in out):
            continue
        out.append(t)
    return out


def make_labels(term_lists: Sequence[Sequence[str]], n_words: int = 3) -> list[str]:
    """Readable, unique labels: the first ``n_words`` clean terms, extended until unique."""
    cleaned = [_clean_terms(t) or ["misc"] for t in term_lists]
    sizes = [min(n_words, len(c)) for c in cleaned]
    for _ in range(10):
        labels = [" · ".join(c[:k]) for c, k in zip(cleaned, sizes, strict=True)]
        seen: dict[str, list[int]] = {}
        for i, lab in enumerate(labels):
            seen.setdefault(lab, []).append(i)
        dups = [idx for idxs in seen.values() if len(idxs) > 1 for idx in idxs]
        if not dups:
            return labels
        grew = False
        for i in dups:
            if sizes[i] < len(cleaned[i]):
                sizes[i] += 1
                grew = True
        if not grew:
            break
    # still clashing (identical term lists): number them
    counts: dict[str, int] = {}
    final = []
    for lab in (" · ".join(c[:k]) for c, k in zip(cleaned, sizes, strict=True)):
        counts[lab] = counts.get(lab, 0) + 1
        final.append(lab if counts[lab] == 1 else f"{lab} ({counts[lab]})")
    return final


class UMAPEnsemble:
    """Several UMAP layouts of the same data, side by side (what BERTopic's ``umap_model`` gets).

    Run ``i`` uses seed ``random_state * 1000 + i`` (run 0: ``random_state`` itself); the
    reduced vectors of all runs are concatenated, so HDBSCAN clusters papers that sit together
    in every layout. One UMAP's layout moves with its seed, and clusters drawn in it move too;
    the concatenation averages that out (docs/topics.md: mean seed-to-seed ARI of the
    discovered topics over ten seed pairs 0.785 with one run, 0.829 with five). ``n_runs=1``
    is plain UMAP.
    """

    def __init__(self, n_runs: int = 1, random_state: int = 0, **umap_params: object) -> None:
        self.n_runs = n_runs
        self.random_state = random_state
        self.umap_params = umap_params

    def fit(self, x: np.ndarray, y: object = None) -> UMAPEnsemble:
        from umap import UMAP

        seeds = [self.random_state] + [self.random_state * 1000 + i for i in range(1, self.n_runs)]
        self.models_ = [UMAP(random_state=s, **self.umap_params) for s in seeds]  # type: ignore[arg-type]
        self.embedding_ = np.hstack([m.fit_transform(x) for m in self.models_])
        self._fitted_on = x
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        if x is self._fitted_on:  # BERTopic transforms the very array it just fitted
            return self.embedding_
        return np.hstack([m.transform(x) for m in self.models_])

    def fit_transform(self, x: np.ndarray, y: object = None) -> np.ndarray:
        return self.fit(x, y).embedding_


class TopicDiscoverer:
    """Cluster papers into topics with BERTopic; seeded and deterministic."""

    def __init__(self, cfg: DiscoveryConfig, seed: int = 42):
        self.cfg = cfg
        self.seed = seed

    def fit(self, docs: Sequence[str], embeddings: np.ndarray) -> TopicDiscoverer:
        """Fit on ``docs`` (title + abstract) and their embeddings (one row each)."""
        n = len(docs)
        if embeddings.shape[0] != n:
            raise TopicModelError(f"{n} docs but {embeddings.shape[0]} embeddings")
        if n < self.cfg.min_fit_papers:
            raise TopicModelError(
                f"topic discovery needs at least {self.cfg.min_fit_papers} papers, got {n} "
                "(topics.discovery.min_fit_papers); ingest more days first"
            )
        from bertopic import BERTopic
        from hdbscan import HDBSCAN
        from sklearn.feature_extraction.text import CountVectorizer

        cfg = self.cfg
        umap_model = UMAPEnsemble(
            n_runs=cfg.umap_runs,
            random_state=self.seed,
            n_neighbors=cfg.umap_n_neighbors,
            n_components=cfg.umap_n_components,
            n_epochs=cfg.umap_n_epochs,
            min_dist=0.0,
            metric="cosine",
            low_memory=True,
        )
        hdbscan_model = HDBSCAN(
            min_cluster_size=cfg.min_cluster_size,
            min_samples=cfg.min_samples,
            metric="euclidean",
            cluster_selection_method=self.cfg.cluster_selection,
            prediction_data=False,
        )
        vectorizer = CountVectorizer(
            stop_words=_stop_words(),
            ngram_range=(1, 2),
            min_df=min(3, max(1, n // 200)),
            token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z0-9\-]+\b",
        )
        model = BERTopic(
            umap_model=umap_model,
            hdbscan_model=hdbscan_model,
            vectorizer_model=vectorizer,
            top_n_words=max(10, cfg.top_n_words),
            calculate_probabilities=False,
            verbose=False,
            # BERTopic strips every non-alphanumeric character before c-TF-IDF when language is
            # "english" ("text-to-image" -> "texttoimage"); any other value keeps hyphens for our
            # vectoriser. We always pass embeddings, so the language never selects a model.
            language="multilingual",
        )
        raw_topics, _ = model.fit_transform(list(docs), embeddings=np.asarray(embeddings))
        raw = np.asarray(raw_topics)
        emb = normalize_rows(embeddings)
        cluster_ids = sorted(int(t) for t in set(raw.tolist()) if t != -1)
        if not cluster_ids:
            raise TopicModelError(
                "HDBSCAN found no clusters; lower topics.discovery."
                "min_cluster_size or ingest more papers"
            )
        centroids = normalize_rows(np.stack([emb[raw == c].mean(axis=0) for c in cluster_ids]))
        labels = np.array([cluster_ids.index(t) if t != -1 else -1 for t in raw], dtype=np.int64)
        bars = core_bars(emb, labels, centroids, cfg.assign_threshold, cfg.member_quantile)
        # near-duplicate clusters are one topic, named by the terms of its largest part
        labels, centroids, bars, named_by = merge_near_duplicates(
            emb, labels, centroids, bars, cfg.merge_threshold
        )
        self.n_merged_ = len(cluster_ids) - len(centroids)
        cluster_ids = [cluster_ids[k] for k in named_by]
        if cfg.refine_iterations:  # every paper to its nearest (refined) centroid
            labels, centroids, keep = refine(emb, centroids, bars, cfg.refine_iterations)
            cluster_ids = [cluster_ids[k] for k in keep]
            bars = bars[keep]
        # outliers join the nearest centroid when they clear its bar; the rest are novelty
        chosen, best_sim, best = assign_nearest(emb, np.arange(len(centroids)), centroids, bars)
        labels = np.where(labels == -1, chosen, labels)
        term_lists = []
        for c in cluster_ids:
            words = model.get_topic(c) or []
            term_lists.append([w for w, _ in words if w and not re.fullmatch(r"[\d\-]+", w)])
        names = make_labels(term_lists)
        self.clusters_ = [
            Cluster(
                members=np.flatnonzero(labels == k),
                centroid=centroids[k],
                threshold=float(bars[k]),
                terms=_clean_terms(term_lists[k])[: cfg.top_n_words],
                label=names[k],
            )
            for k in range(len(cluster_ids))
        ]
        self.labels_ = labels  # cluster index per paper, -1 = outlier (novelty)
        own = (emb * centroids[np.maximum(labels, 0)]).sum(axis=1)
        self.similarity_ = np.where(labels >= 0, own, best_sim)
        self.nearest_ = best
        self.hdbscan_outlier_share_ = float((raw == -1).mean())
        self.outlier_share_ = float((labels == -1).mean())
        log.info(
            "discovered %d clusters; HDBSCAN outliers %.1f%%, after reassignment %.1f%%",
            len(self.clusters_),
            100 * self.hdbscan_outlier_share_,
            100 * self.outlier_share_,
        )
        return self
