"""Named topics: a taxonomy from config.yaml, assigned to papers with a confidence each.

A paper may belong to several named topics or to none. :class:`NamedTopicClassifier` follows
the scikit-learn shape: the constructor only stores parameters, ``fit`` validates its input,
learns and returns ``self``; learned attributes end in ``_``. The fit corpus is unlabelled (in
production: every paper in the store), so the classifier teaches itself from the taxonomy
(weak supervision), per topic:

1. **Prototypes.** The description and seed sentences are embedded with the configured model
   (``embed_fn``, called once per fit and never at predict time). A paper's prototype
   similarity is the mean of its cosine to the prototypes' centroid and its best cosine to one
   prototype, standardised against the corpus (a robust z-score: median and MAD, so one scale
   serves every topic, rare or common).
2. **Keyword evidence** ``kw = kw_weight * min(hits, kw_cap) + title_weight * [title hit]
   - negative_weight * [negative hit]`` (see :mod:`trends.topics.keywords`).
3. **Pseudo-labels.** ``seed score = similarity z + kw``; papers at or above ``pos_score`` are
   confident positives, papers below ``neg_score`` confident negatives, the middle is left out.
4. **Classifier.** A class-balanced logistic regression over the unit embeddings learns the
   topic from those pseudo-labels. Its logit is the log-odds under equal priors, so it means the
   same for a rare topic and a common one (a corpus z-score would not).
   The topic's ``examples`` (paper ids, when ``fit`` gets ``ids``) are forced positives and its
   ``counter_examples`` forced negatives, both with weight ``example_weight``.
   ``self_training`` > 0 adds rounds that relabel the corpus with the model's own confident
   calls and refit (measured: it does not help on the dev set, so it is off by default).
5. **Confidence** ``= sigmoid(logit_scale * logit + kw - offset)``. Keywords therefore count in
   every prediction; a negative keyword is a veto (the score is also capped at
   ``-negative_weight``, i.e. confidence <= 5% by default); ``threshold`` (config
   ``named_threshold``) turns confidences into memberships.

6. **Labelled papers** (optional, ``fit(..., labelled=...)``): for each topic with at least
   ``min_labels`` judged members and non-members, a logistic regression (``label_c``) is stacked
   on steps 1-5 and its logit becomes the topic's score (:mod:`trends.topics.supervision`); the
   negative-keyword veto still caps it. One of its inputs is a vote of the ``knn_k`` nearest
   labelled papers, so the model keeps their vectors (float16) and labels.

Everything is deterministic for a given ``seed`` (lbfgs logistic regressions; sampling only when
pseudo-negatives exceed ``max_train``). The fitted model is a dict of floats, strings and the
labelled papers' vectors (:meth:`to_state`); daily runs load it (:meth:`from_state`) and only
match keywords, take dot products and search the labelled papers for neighbours. Design notes
and the measured dev-set table: docs/named_topics.md.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from trends.config import NamedTopicConfig
from trends.embed import check_embeddings, normalize_rows
from trends.topics.keywords import KeywordEvidence, KeywordSet, keyword_evidence
from trends.topics.supervision import (
    N_SIGNALS,
    UNLABELLED,
    EmbedFn,
    LabelledPapers,
    fit_stacks,
    knn_votes,
    pseudo_labels,
    stack_features,
    taxonomy_inputs,
    train_rows,
)

log = logging.getLogger(__name__)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


class NamedTopicClassifier:
    """Multi-label assignment of papers to the configured named topics.

    Parameters
    ----------
    topics:
        The taxonomy (``topics.named`` of the config); at least one topic.
    threshold:
        Confidence at or above which :meth:`predict` says a paper belongs to a topic.
    seed:
        Seed for subsampling pseudo-negatives beyond ``max_train``; fits are deterministic.
    kw_weight, kw_cap, title_weight, negative_weight:
        Keyword evidence ``kw_weight * min(hits, kw_cap) + title_weight * title_hit
        - negative_weight * negative_hit`` (in logit units of the confidence).
    pos_score, neg_score:
        Seed scores (similarity z-score + keyword evidence) at or above ``pos_score`` are
        pseudo-positives, below ``neg_score`` pseudo-negatives.
    logit_scale, offset:
        Confidence ``= sigmoid(logit_scale * classifier_logit + kw - offset)``.
    self_training, st_confidence:
        Extra rounds that refit on the model's own calls with confidence >= ``st_confidence``
        (positives) or <= ``1 - st_confidence`` (negatives).
    example_weight:
        Sample weight of a topic's ``examples`` (known members) and ``counter_examples`` (known
        non-members) in its regressions.
    alpha:
        L2 penalty per training row of the logistic regressions (``C = 1 / (alpha * rows)``,
        so the solution, and with it the logit scale, does not drift with the corpus size).
    max_train:
        Cap on pseudo-negatives per regression (sampled with ``seed`` beyond it).
    label_c, min_labels:
        Inverse L2 strength of the stacked regression on labelled papers, and the members and
        non-members a topic needs (each) to get one.
    knn_k, knn_temperature:
        The neighbour vote among labelled papers (:func:`~trends.topics.supervision.knn_votes`);
        ``knn_k=0`` leaves it out (the feature is then 0).
    """

    def __init__(
        self,
        topics: Sequence[NamedTopicConfig],
        threshold: float = 0.5,
        seed: int = 42,
        *,
        kw_weight: float = 0.5,
        kw_cap: int = 3,
        title_weight: float = 0.5,
        negative_weight: float = 3.0,
        pos_score: float = 3.0,
        neg_score: float = 1.5,
        logit_scale: float = 0.25,
        offset: float = 1.0,
        self_training: int = 0,
        st_confidence: float = 0.9,
        example_weight: float = 5.0,
        alpha: float = 7e-5,
        max_train: int = 50_000,
        label_c: float = 10.0,
        min_labels: int = 20,
        knn_k: int = 25,
        knn_temperature: float = 0.05,
    ) -> None:
        self.topics = topics
        self.threshold = threshold
        self.seed = seed
        self.kw_weight = kw_weight
        self.kw_cap = kw_cap
        self.title_weight = title_weight
        self.negative_weight = negative_weight
        self.pos_score = pos_score
        self.neg_score = neg_score
        self.logit_scale = logit_scale
        self.offset = offset
        self.self_training = self_training
        self.st_confidence = st_confidence
        self.example_weight = example_weight
        self.alpha = alpha
        self.max_train = max_train
        self.label_c = label_c
        self.min_labels = min_labels
        self.knn_k = knn_k
        self.knn_temperature = knn_temperature

    # ------------------------------------------------------------------ validation
    def _check_params(self) -> list[NamedTopicConfig]:
        topics = list(self.topics) if self.topics is not None else []
        if not topics:
            raise ValueError("topics: at least one named topic is required, got an empty list")
        bad = [t for t in topics if not isinstance(t, NamedTopicConfig)]
        if bad:
            raise ValueError(
                f"topics: expected NamedTopicConfig items, got {type(bad[0]).__name__}"
            )
        slugs = [t.slug for t in topics]
        if len(set(slugs)) != len(slugs):
            raise ValueError(f"topics: duplicate slugs in {slugs}")
        if not 0.0 < float(self.threshold) < 1.0:
            raise ValueError(f"threshold: must lie strictly between 0 and 1, got {self.threshold}")
        for name, ok, rule in (
            ("self_training", self.self_training >= 0, ">= 0"),
            ("st_confidence", 0.5 < self.st_confidence < 1.0, "in (0.5, 1)"),
            ("example_weight", self.example_weight > 0, "> 0"),
            ("alpha", self.alpha > 0, "> 0"),
            ("label_c", self.label_c > 0, "> 0"),
            ("min_labels", self.min_labels >= 1, ">= 1"),
            ("kw_cap", self.kw_cap >= 1, ">= 1"),
            ("knn_k", self.knn_k >= 0, ">= 0"),
            ("knn_temperature", self.knn_temperature > 0, "> 0"),
        ):
            if not ok:
                raise ValueError(f"{name}: must be {rule}, got {getattr(self, name)}")
        if self.pos_score <= self.neg_score:
            raise ValueError(
                f"pos_score ({self.pos_score}) must be greater than neg_score ({self.neg_score})"
            )
        return topics

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        texts: Sequence[str],
        embeddings: np.ndarray,
        embed_fn: EmbedFn,
        *,
        ids: Sequence[str] | None = None,
        labelled: LabelledPapers | None = None,
        labelled_embeddings: np.ndarray | None = None,
    ) -> NamedTopicClassifier:
        """Learn every topic from the unlabelled corpus ``texts``/``embeddings``.

        ``embed_fn`` embeds the topics' descriptions and seeds (with the model that made
        ``embeddings``). ``ids`` (paper ids of the rows), when given, lets each topic's
        configured ``examples`` act as known positives. ``labelled`` papers (with their vectors
        in ``labelled_embeddings``, same model) add the stacked regression of step 6.
        """
        from sklearn.linear_model import LogisticRegression

        topics = self._check_params()
        texts = list(texts)
        x = check_embeddings(texts, embeddings, None)
        n, dim = x.shape
        if n < 10:
            raise ValueError(f"texts: need at least 10 papers to fit, got {n}")
        if ids is not None and len(ids) != n:
            raise ValueError(f"ids: {len(ids)} ids for {n} texts")
        self._set_taxonomy(topics)

        # 1. prototypes (description + seeds); examples are looked up as corpus rows
        prototypes, example_rows, counter_rows = taxonomy_inputs(topics, embed_fn, dim, ids)
        self.n_examples_ = np.array([len(e) for e in example_rows], dtype=int)
        self.n_counter_examples_ = np.array([len(e) for e in counter_rows], dtype=int)
        self._set_prototypes(prototypes)
        self.n_features_in_ = dim
        self.n_fit_ = n

        raw_sim = self._raw_similarity(x)
        # robust z-score (median, MAD): a topic that is a large share of the corpus must not
        # inflate the scale its own members are measured on
        self.sim_mean_ = np.median(raw_sim, axis=0)
        self.sim_std_ = 1.4826 * np.median(np.abs(raw_sim - self.sim_mean_), axis=0) + 1e-12
        z_sim = (raw_sim - self.sim_mean_) / self.sim_std_
        ev = keyword_evidence(texts, self.keyword_sets_)
        kw = self._keyword_score(ev)

        # 2-4. seed score -> pseudo-labels -> logistic regression (-> self-training rounds)
        rng = np.random.default_rng(self.seed)
        k = len(topics)
        self.coef_ = np.zeros((k, dim))
        self.intercept_ = np.zeros(k)
        self.n_pseudo_pos_ = np.zeros(k, dtype=int)
        self.n_pseudo_neg_ = np.zeros(k, dtype=int)
        lo = float(np.log(1.0 - self.st_confidence) - np.log(self.st_confidence))
        for j in range(k):
            seed_score = z_sim[:, j] + kw[:, j]
            pos, neg = pseudo_labels(
                seed_score >= self.pos_score, seed_score < self.neg_score, seed_score
            )
            weight = np.ones(n)
            weight[example_rows[j]] = self.example_weight
            weight[counter_rows[j]] = self.example_weight
            for round_ in range(self.self_training + 1):
                if round_:  # self-training: the model's own confident calls are the new labels
                    logit = x @ self.coef_[j] + self.intercept_[j]
                    score = self._final_score(logit, kw[:, j], ev.negative[:, j])
                    pos, neg = pseudo_labels(score >= -lo, score < lo, score)
                pos[example_rows[j]] = True  # known members are positives whatever their score
                neg[example_rows[j]] = False
                pos[counter_rows[j]] = False  # known non-members likewise
                neg[counter_rows[j]] = True
                rows = train_rows(pos, neg, rng, self.max_train)
                # L2 strength per training row, so the fit does not depend on the corpus size
                c = 1.0 / (self.alpha * len(rows))
                clf = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
                clf.fit(x[rows], pos[rows], sample_weight=weight[rows])
                self.coef_[j] = clf.coef_[0]
                self.intercept_[j] = clf.intercept_[0]
            self.n_pseudo_pos_[j] = int(pos.sum())
            self.n_pseudo_neg_[j] = int(neg.sum())
        self._fit_stack(topics, labelled, labelled_embeddings)
        return self

    def _fit_stack(
        self,
        topics: Sequence[NamedTopicConfig],
        labelled: LabelledPapers | None,
        vectors: np.ndarray | None,
    ) -> None:
        """Step 6: a regression per topic over the weak model's signals, from labelled papers."""
        feats = None
        self.ref_x_ = np.zeros((0, self.n_features_in_), dtype=np.float16)
        self.ref_y_ = np.zeros((0, len(topics)), dtype=np.int8)
        if labelled is not None and len(labelled):
            if vectors is None:
                raise ValueError("labelled_embeddings: required when labelled papers are given")
            x = check_embeddings(labelled.texts, vectors, self.n_features_in_)
            col = {s: j for j, s in enumerate(labelled.slugs)}
            self.ref_x_ = x.astype(np.float16)
            self.ref_y_ = np.column_stack(
                [
                    labelled.y[:, col[t.slug]] if t.slug in col else np.full(len(x), UNLABELLED)
                    for t in topics
                ]
            ).astype(np.int8)
            feats = self._stack_inputs(x, *self._signals(labelled.texts, x), exclude_self=True)
        fit = fit_stacks(
            [t.slug for t in topics],
            labelled,
            feats,
            n_features=self.n_features_in_ + N_SIGNALS,
            c=self.label_c,
            min_labels=self.min_labels,
        )
        self.stack_coef_, self.stack_intercept_ = fit.coef, fit.intercept
        self.stacked_, self.n_labelled_ = fit.stacked, fit.n_labelled

    def _signals(self, texts: Sequence[str], x: np.ndarray) -> tuple[KeywordEvidence, np.ndarray]:
        """Keyword evidence and the weak-supervision score (steps 1-5) of unit rows ``x``."""
        ev = keyword_evidence(texts, self.keyword_sets_)
        logit = x @ self.coef_.T + self.intercept_
        return ev, self._final_score(logit, self._keyword_score(ev), ev.negative)

    def _stack_inputs(
        self, x: np.ndarray, ev: KeywordEvidence, weak: np.ndarray, *, exclude_self: bool = False
    ) -> Callable[[int], np.ndarray]:
        """Per-topic stacking features of unit rows ``x`` (weak score, keywords, z, vote, x)."""
        z = (self._raw_similarity(x) - self.sim_mean_) / self.sim_std_
        hits = np.minimum(ev.hits, self.kw_cap)
        vote = knn_votes(
            x,
            self.ref_x_.astype(np.float64),
            self.ref_y_,
            k=self.knn_k,
            temperature=self.knn_temperature,
            exclude_self=exclude_self,
        )
        return lambda j: stack_features(
            weak[:, j], hits[:, j], ev.title[:, j], ev.negative[:, j], z[:, j], vote[:, j], x
        )

    def _set_taxonomy(self, topics: Sequence[NamedTopicConfig]) -> None:
        """What fit and from_state both derive from the topics: slugs and compiled keywords."""
        self.slugs_ = [t.slug for t in topics]
        self.keyword_sets_ = [
            KeywordSet.compile(t.keywords, t.negative_keywords, where=f"topics[{t.slug}]")
            for t in topics
        ]

    def _set_prototypes(self, prototypes: Sequence[np.ndarray]) -> None:
        self.prototypes_ = [np.asarray(p, dtype=np.float64) for p in prototypes]
        centroids = np.vstack([p.mean(axis=0) for p in self.prototypes_])
        self.centroids_ = normalize_rows(centroids).astype(np.float64)

    # ------------------------------------------------------------------ scoring
    def _raw_similarity(self, x: np.ndarray) -> np.ndarray:
        cen = x @ self.centroids_.T
        best = np.column_stack([(x @ p.T).max(axis=1) for p in self.prototypes_])
        return 0.5 * (cen + best)

    def similarity(self, embeddings: np.ndarray) -> np.ndarray:
        """Prototype similarity ``[n, n_topics]`` as a z-score against the fit corpus."""
        self._check_fitted()
        x = check_embeddings([""] * len(embeddings), embeddings, self.n_features_in_)
        if x.shape[0] == 0:
            return np.zeros((0, len(self.slugs_)))
        return (self._raw_similarity(x) - self.sim_mean_) / self.sim_std_

    def _keyword_score(self, ev: KeywordEvidence) -> np.ndarray:
        return (
            self.kw_weight * np.minimum(ev.hits, self.kw_cap)
            + self.title_weight * ev.title
            - self.negative_weight * ev.negative
        )

    def _final_score(self, logit: np.ndarray, kw: np.ndarray, negative: np.ndarray) -> np.ndarray:
        score = self.logit_scale * logit + kw - self.offset
        # a negative keyword is a veto: the score is also capped at -negative_weight
        return np.where(negative > 0, np.minimum(score, -self.negative_weight), score)

    def decision_function(self, texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
        """Scores ``[n, n_topics]`` on the logit scale: ``predict_proba`` is their sigmoid."""
        self._check_fitted()
        texts = list(texts)
        x = check_embeddings(texts, embeddings, self.n_features_in_)
        if x.shape[0] == 0:
            return np.zeros((0, len(self.slugs_)))
        ev, score = self._signals(texts, x)
        if self.stacked_.any():
            feats = self._stack_inputs(x, ev, score.copy())
            for j in np.flatnonzero(self.stacked_).tolist():
                stacked = feats(j) @ self.stack_coef_[j] + self.stack_intercept_[j]
                # the negative-keyword veto holds for stacked topics too
                veto = ev.negative[:, j] > 0
                score[:, j] = np.where(veto, np.minimum(stacked, -self.negative_weight), stacked)
        return score

    def predict_proba(self, texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
        """Confidence in [0, 1] that each paper belongs to each topic, ``[n, n_topics]``."""
        return _sigmoid(self.decision_function(texts, embeddings))

    def predict(self, texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
        """Boolean memberships ``[n, n_topics]``: confidence >= ``threshold``."""
        return self.predict_proba(texts, embeddings) >= self.threshold

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise RuntimeError("NamedTopicClassifier is not fitted: call fit() or from_state()")

    # ------------------------------------------------------------------ persistence
    def get_params(self) -> dict[str, Any]:
        """The constructor's parameters except ``topics`` (scikit-learn style)."""
        names = list(inspect.signature(type(self).__init__).parameters)[2:]  # self, topics
        return {name: getattr(self, name) for name in names}

    def to_state(self) -> dict[str, Any]:
        """The fitted model as JSON-serialisable values (lists, floats, strings)."""
        self._check_fitted()
        from trends.topics.named_state import state_of

        return state_of(self)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> NamedTopicClassifier:
        """Rebuild a fitted classifier from :meth:`to_state` output (no refit, no embedding)."""
        from trends.topics.named_state import restore

        return restore(cls, state)
