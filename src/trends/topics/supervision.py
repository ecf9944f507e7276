"""Where the named-topic classifier's training labels come from.

* **Pseudo-labels** from the taxonomy (weak supervision): :func:`pseudo_labels` picks confident
  members and non-members by seed score, :func:`train_rows` caps the non-members.
* **Labelled papers** judged by people: the file format, its loader and the stacking stage.

An analyst (or an annotation round, see ``bench/devset``) judges papers against the topic
definitions; the judgements are a JSON Lines file (optionally gzipped), one paper per line::

    {"id": "2504.07086", "title": "...", "abstract": "...", "reasoning-rl": 1, "moe": 0, ...}

A topic column holds 0 or 1; a topic without a column (or with ``null``) is unlabelled for that
paper. Other keys (``note``, ``sampled_as``...) are ignored. The papers need not be in the store:
their vectors are looked up in the embedding cache by (id, text hash, model) and embedded once
when missing (:func:`trends.topics.fitting.labelled_vectors`).

How the classifier uses them (``NamedTopicClassifier.fit(..., labelled=...)``): for every topic
with at least ``min_labels`` labelled members and non-members, a logistic regression is *stacked*
on the weak-supervision model. Its features are that model's score, the keyword evidence
(capped hits, title hit, negative hit), the prototype-similarity z-score, the *neighbour vote*
(:func:`knn_votes`: the similarity-weighted share of members among the paper's ``knn_k`` nearest
labelled papers; leave-one-out while fitting) and the unit embedding (:func:`stack_features`);
its logit becomes the topic's score. The vote adds what one linear model over the embedding
cannot express: topics that are conjunctions ("multimodal" *and* "efficiency"). Topics without
enough labels keep the weak-supervision score. Measured on the dev set: docs/named_topics.md.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from trends.config import NamedTopicConfig
from trends.embed import normalize_rows
from trends.errors import ConfigError
from trends.records import embed_text, text_sha256

log = logging.getLogger(__name__)
UNLABELLED = -1
EmbedFn = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class LabelledPapers:
    """Papers judged against the topics: ``y[i, j]`` is 1, 0 or ``UNLABELLED`` (-1)."""

    ids: list[str]
    texts: list[str]
    shas: list[str]
    slugs: list[str]
    y: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def load_labelled(path: str | Path, slugs: Sequence[str]) -> LabelledPapers:
    """Read a labels file for the topics ``slugs``; a bad line is a :class:`ConfigError`."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(
            f"topics.named_labels: file not found: {p} (fix the path or remove the key)"
        )
    opener = gzip.open if p.suffix == ".gz" else open
    ids: list[str] = []
    texts: list[str] = []
    rows: list[list[int]] = []
    seen: set[str] = set()
    known = {"id", "title", "abstract", *slugs}
    unknown: set[str] = set()
    with opener(p, "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            where = f"topics.named_labels: {p}, line {n}"
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as err:
                raise ConfigError(f"{where}: not valid JSON ({err.msg})") from None
            if not isinstance(rec, dict):
                raise ConfigError(f"{where}: expected a JSON object")
            for key in ("id", "title", "abstract"):
                if not isinstance(rec.get(key), str) or not rec[key].strip():
                    raise ConfigError(f"{where}: {key!r} must be a non-empty string")
            if rec["id"] in seen:
                raise ConfigError(f"{where}: paper {rec['id']} appears twice")
            seen.add(rec["id"])
            row = []
            for s in slugs:
                v = rec.get(s)
                if v is None:
                    row.append(UNLABELLED)
                elif isinstance(v, int) and v in (0, 1):  # bools are ints too
                    row.append(int(v))
                else:
                    raise ConfigError(f"{where}: label {s!r} must be 0, 1 or null, got {v!r}")
            unknown |= {k for k, v in rec.items() if k not in known and (v is None or v in (0, 1))}
            ids.append(rec["id"])
            texts.append(embed_text(rec["title"], rec["abstract"]))
            rows.append(row)
    if unknown:  # a renamed or misspelt topic would otherwise vanish without a word
        log.warning("%s: label columns %s match no named topic and are ignored", p, sorted(unknown))
    y = np.array(rows, dtype=np.int8).reshape(len(rows), len(slugs))
    return LabelledPapers(ids, texts, [text_sha256(t) for t in texts], list(slugs), y)


def stack_features(
    score: np.ndarray,
    hits: np.ndarray,
    title: np.ndarray,
    negative: np.ndarray,
    z: np.ndarray,
    vote: np.ndarray,
    x: np.ndarray,
) -> np.ndarray:
    """One topic's stacking features ``[n, N_SIGNALS + dim]`` (inputs are that topic's columns)."""
    return np.column_stack([score, hits, title, negative, z, vote, x])


N_SIGNALS = 6  # stack_features' columns before the embedding


def knn_votes(
    x: np.ndarray,
    ref: np.ndarray,
    ref_y: np.ndarray,
    *,
    k: int,
    temperature: float,
    exclude_self: bool = False,
    batch: int = 2048,
) -> np.ndarray:
    """Neighbour vote ``[n, n_topics]`` of unit rows ``x`` among labelled unit rows ``ref``.

    Per topic, over the ``k`` most cosine-similar papers labelled for it (``ref_y`` 1/0;
    ``UNLABELLED`` rows are skipped): the share of members, weighted by
    ``exp((cos - best cos) / temperature)``. ``exclude_self`` (``x`` is ``ref``, row for row)
    leaves each paper out of its own vote: the leave-one-out vote used to fit the regression.
    """
    n, t = len(x), ref_y.shape[1]
    out = np.zeros((n, t))
    if n == 0 or k <= 0:
        return out
    groups: dict[bytes, list[int]] = {}  # topics labelled on the same rows share one search
    for j in range(t):
        groups.setdefault((ref_y[:, j] != UNLABELLED).tobytes(), []).append(j)
    for cols in groups.values():
        rows = np.flatnonzero(ref_y[:, cols[0]] != UNLABELLED)
        kk = min(k, len(rows))
        if kk == 0:
            continue
        r, y = ref[rows], (ref_y[rows][:, cols] == 1).astype(np.float64)
        where = np.full(len(ref), -1)
        where[rows] = np.arange(len(rows))
        for lo in range(0, n, batch):
            sim = x[lo : lo + batch] @ r.T
            if exclude_self:
                own = where[lo : lo + len(sim)]
                hit = np.flatnonzero(own >= 0)
                sim[hit, own[hit]] = -np.inf
            idx = np.argpartition(-sim, kk - 1, axis=1)[:, :kk]
            top = np.take_along_axis(sim, idx, axis=1)
            best = np.max(top, axis=1, keepdims=True)  # -inf only if self was the one candidate
            w = np.exp((top - np.where(np.isfinite(best), best, 0.0)) / temperature)
            total = np.maximum(w.sum(axis=1, keepdims=True), np.finfo(float).tiny)
            out[lo : lo + len(sim), cols] = np.einsum("nk,nkt->nt", w, y[idx]) / total
    return out


@dataclass(frozen=True)
class StackFit:
    """Stacked regressions of all topics: rows of topics without one are zero."""

    coef: np.ndarray  # [k, n_features]
    intercept: np.ndarray  # [k]
    stacked: np.ndarray  # [k] bool: the topic has a stacked regression
    n_labelled: np.ndarray  # [k, 2]: labelled members, non-members


def fit_stacks(
    slugs: Sequence[str],
    labelled: LabelledPapers | None,
    features: Callable[[int], np.ndarray] | None,
    *,
    n_features: int,
    c: float,
    min_labels: int,
) -> StackFit:
    """One logistic regression (lbfgs, deterministic) per topic with enough labels.

    ``features(j)`` gives topic ``j``'s stacking features of every labelled paper
    (:func:`stack_features`); a topic needs ``min_labels`` members and as many non-members.
    """
    from sklearn.linear_model import LogisticRegression

    k = len(slugs)
    out = StackFit(
        np.zeros((k, n_features)), np.zeros(k), np.zeros(k, dtype=bool), np.zeros((k, 2), int)
    )
    if labelled is None or features is None:
        return out
    col = {s: j for j, s in enumerate(labelled.slugs)}
    for j, slug in enumerate(slugs):
        if slug not in col:
            log.warning("named topic %s: no column in the labels: no stacked regression", slug)
            continue
        y = labelled.y[:, col[slug]]
        rows = np.flatnonzero(y != UNLABELLED)
        out.n_labelled[j] = [int((y == 1).sum()), int((y == 0).sum())]
        if min(out.n_labelled[j]) < min_labels:
            log.warning(
                "named topic %s: %d members / %d non-members labelled, fewer than "
                "min_labels=%d: no stacked regression",
                slug,
                *out.n_labelled[j],
                min_labels,
            )
            continue
        model = LogisticRegression(C=c, max_iter=5000).fit(features(j)[rows], y[rows] == 1)
        out.coef[j], out.intercept[j] = model.coef_[0], model.intercept_[0]
        out.stacked[j] = True
    return out


def taxonomy_inputs(
    topics: Sequence[NamedTopicConfig],
    embed_fn: EmbedFn,
    dim: int,
    ids: Sequence[str] | None,
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Per topic: its prototypes (description and seeds, embedded and unit length), and the
    corpus rows of its ``examples`` and ``counter_examples`` (``ids`` are the corpus's ids)."""
    proto_texts = [[t.description, *t.seeds] for t in topics]
    flat = [s for group in proto_texts for s in group]
    vecs = np.asarray(embed_fn(flat), dtype=np.float64)
    if vecs.ndim != 2 or vecs.shape[0] != len(flat) or vecs.shape[1] != dim:
        raise ValueError(
            f"embed_fn: returned shape {vecs.shape} for {len(flat)} texts; expected "
            f"({len(flat)}, {dim}) like the embeddings"
        )
    vecs = normalize_rows(vecs).astype(np.float64)
    row_of = {pid: i for i, pid in enumerate(ids)} if ids is not None else {}
    if any(t.examples or t.counter_examples for t in topics) and ids is None:
        log.warning("named topics have examples but fit() got no ids: examples are ignored")
    prototypes: list[np.ndarray] = []
    example_rows: list[np.ndarray] = []
    counter_rows: list[np.ndarray] = []
    start = 0
    for t, group in zip(topics, proto_texts, strict=True):
        prototypes.append(vecs[start : start + len(group)])
        start += len(group)
        ex = sorted({row_of[e] for e in t.examples if e in row_of})
        cx = sorted({row_of[e] for e in t.counter_examples if e in row_of} - set(ex))
        example_rows.append(np.array(ex, dtype=int))
        counter_rows.append(np.array(cx, dtype=int))
    return prototypes, example_rows, counter_rows


def pseudo_labels(
    pos: np.ndarray, neg: np.ndarray, score: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Confident sets, each topped up to 3 papers by score so a regression can always fit."""
    if pos.sum() < 3:
        pos = np.zeros_like(pos)
        pos[np.argsort(-score, kind="stable")[:3]] = True
    neg = neg & ~pos
    if neg.sum() < 3:
        neg = np.zeros_like(neg)
        neg[np.argsort(score, kind="stable")[:3]] = True
        neg &= ~pos
    return pos, neg


def train_rows(
    pos: np.ndarray, neg: np.ndarray, rng: np.random.Generator, max_neg: int
) -> np.ndarray:
    """Rows of a regression: every positive, negatives sampled down to ``max_neg``."""
    neg_rows = np.flatnonzero(neg)
    if len(neg_rows) > max_neg:
        neg_rows = np.sort(rng.choice(neg_rows, size=max_neg, replace=False))
    return np.sort(np.concatenate([np.flatnonzero(pos), neg_rows]))
