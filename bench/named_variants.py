"""Variants of the named-topic classifier that use the dev-set labels, measured on ``tune`` only.

The shipped classifier learns from the taxonomy alone (weak supervision). These variants ask
whether the labelled papers could do better; each is cross-fitted inside the ``tune`` split
(5 folds by a hash of the id: train on four, score the fifth), so ``test`` stays untouched:

1. ``examples``/``counter_examples``: the other folds' labelled papers as forced members and
   non-members, at several weights;
2. stacking: a per-topic logistic regression over the classifier's signals (log-odds, keyword
   hits, title hit, negative hit, similarity z; optionally the other topics' log-odds);
3. mixing: the shipped log-odds plus ``w`` times a supervised logistic regression over the
   embeddings trained on the other folds;
4. for scale, a purely supervised logistic regression over the embeddings, 5-fold over all
   labelled papers (tune and test: it is not a choice, only a reference).

Prints macro F1 over the issue's four topics (and per topic) at confidence 0.5. The shipped
classifier's own tune score is in the first line; it was tuned on tune, so it is optimistic.

Usage: .venv/bin/python bench/named_variants.py [--weights 5 20 60]   (≈ 6 minutes)
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from eval_named import ISSUE_TOPICS, load_corpus, load_devset, macro, prf  # noqa: E402

from trends.config import load_config  # noqa: E402
from trends.embed import SentenceTransformerEmbedder, normalize_rows  # noqa: E402
from trends.topics.keywords import keyword_evidence  # noqa: E402
from trends.topics.named import NamedTopicClassifier  # noqa: E402


def fold_of(pid: str) -> int:
    return int(hashlib.md5(pid.encode()).hexdigest(), 16) % 5


def show(name: str, y: np.ndarray, p: np.ndarray, slugs: list[str]) -> None:
    core = [j for j, s in enumerate(slugs) if s in ISSUE_TOPICS]
    per = " ".join(f"{s} {prf(y[:, j], p[:, j])[2]:.2f}" for j, s in enumerate(slugs))
    print(f"| {name} | **{macro(y[:, core], p[:, core]):.3f}** | {macro(y, p):.3f} | {per} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weights", type=float, nargs="+", default=[5.0, 20.0, 60.0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = ap.parse_args()
    cfg = load_config(REPO / "config.yaml")
    ids, texts, emb = load_corpus(args.data)
    embedder = SentenceTransformerEmbedder(cfg.embedding)
    slugs = [t.slug for t in cfg.topics.named]
    dev_all = load_devset(REPO / "bench" / "devset", slugs)
    dev = [r for r in dev_all if r["split"] == "tune"]
    row = {pid: i for i, pid in enumerate(ids)}
    rows = [row[r["id"]] for r in dev]
    dev_texts = [texts[i] for i in rows]
    y = np.array([[r[s] for s in slugs] for r in dev], dtype=bool)
    fold = np.array([fold_of(r["id"]) for r in dev])
    x = normalize_rows(emb[rows]).astype(np.float64)

    def fit(topics: list) -> NamedTopicClassifier:
        clf = NamedTopicClassifier(topics, cfg.topics.named_threshold, cfg.topics.seed)
        return clf.fit(texts, emb, embedder.encode, ids=ids)

    print(f"tune split: {len(dev)} papers, cross-fitted in 5 folds")
    print("| variant | macro F1, issue's 4 | macro F1, all | per topic |\n|---|---|---|---|")
    base = fit(list(cfg.topics.named))
    d = base.decision_function(dev_texts, emb[rows])
    show("shipped classifier (tuned on tune: optimistic)", y, d >= 0, slugs)

    # 1. labelled papers of the other folds as examples / counter-examples
    for w in args.weights:
        pred = np.zeros_like(y)
        for f in range(5):
            train = [r for r, g in zip(dev, fold, strict=True) if g != f]
            topics = [
                t.model_copy(
                    update={
                        "examples": tuple(r["id"] for r in train if r[t.slug]),
                        "counter_examples": tuple(r["id"] for r in train if not r[t.slug]),
                    }
                )
                for t in cfg.topics.named
            ]
            clf = NamedTopicClassifier(
                topics, cfg.topics.named_threshold, cfg.topics.seed, example_weight=w
            ).fit(texts, emb, embedder.encode, ids=ids)
            m = fold == f
            pred[m] = clf.predict([dev_texts[i] for i in np.flatnonzero(m)], emb[np.array(rows)[m]])
        show(f"examples + counter_examples from other folds, weight {w:g}", y, pred, slugs)

    # 2. stacking over the signals, 3. mixing in a supervised regression
    ev = keyword_evidence(dev_texts, base.keyword_sets_)
    logit = x @ base.coef_.T + base.intercept_
    z = base.similarity(emb[rows])
    for cross in (False, True):
        pred = np.zeros_like(y)
        for j in range(len(slugs)):
            cols = [0.25 * logit[:, j], np.minimum(ev.hits[:, j], 3), ev.title[:, j]]
            cols += [ev.negative[:, j], z[:, j]]
            if cross:
                cols += [0.25 * logit[:, k] for k in range(len(slugs)) if k != j]
            feats = np.column_stack(cols)
            for f in range(5):
                tr = fold != f
                m = LogisticRegression(C=1.0, max_iter=1000).fit(feats[tr], y[tr, j])
                pred[~tr, j] = m.predict(feats[~tr])
        show(f"stacked regression over signals{' + other topics' if cross else ''}", y, pred, slugs)
    sup = np.zeros(y.shape)
    for j in range(len(slugs)):
        for f in range(5):
            tr = fold != f
            m = LogisticRegression(C=10.0, class_weight="balanced", max_iter=3000)
            sup[~tr, j] = m.fit(x[tr], y[tr, j]).decision_function(x[~tr])
    for w in (0.1, 0.25, 0.5):
        show(f"shipped log-odds + {w} × supervised regression", y, d + w * sup >= 0, slugs)

    # 4. reference: purely supervised over embeddings, 5-fold over all labelled papers
    rows_all = [row[r["id"]] for r in dev_all]
    xa = normalize_rows(emb[rows_all]).astype(np.float64)
    ya = np.array([[r[s] for s in slugs] for r in dev_all], dtype=bool)
    for c in (1.0, 10.0, 100.0):
        pa = np.zeros_like(ya)
        for j in range(len(slugs)):
            model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
            cv = StratifiedKFold(5, shuffle=True, random_state=0)
            pa[:, j] = (
                cross_val_predict(model, xa, ya[:, j], cv=cv, method="predict_proba")[:, 1] >= 0.5
            )
        show(
            f"reference: supervised only, all {len(dev_all)} labels, 5-fold, C {c:g}", ya, pa, slugs
        )


if __name__ == "__main__":
    main()
