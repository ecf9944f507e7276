"""How much the labelled papers help, by cross-validation inside the labels file (dev set unused).

The labels file (``topics.named_labels``) is split into 5 folds by a hash of the id. For each
fold, :class:`NamedTopicClassifier` is fitted on the whole corpus (unlabelled, as in
production) with the other four folds as labelled papers, and scores the held-out fold. The
taxonomy-only classifier (no labelled papers) scores every fold as it is: it never saw them.
This is how ``label_c`` and the neighbour vote (``knn_k`` 25, ``knn_temperature`` 0.05, from
k in 5/10/15/25/40 with and without similarity weights) were chosen; the dev set's test split
played no part in it. A row without the vote (``knn_k=0``) shows what it adds.

Reported: macro F1 over the issue's four topics and over all topics at confidence 0.5, on all
labelled papers and on the uniformly drawn ones (the labels file over-samples keyword matches
and uncertain papers, so "all" is harder than the feed), plus the learning curve (half the
training folds).

Usage: .venv/bin/python bench/named_labels_cv.py [--c 3 10 30]   (≈ 2 minutes per setting)
"""

from __future__ import annotations

import argparse
import copy
import gzip
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from eval_named import ISSUE_TOPICS, load_corpus, load_labelled_vectors, macro, prf  # noqa: E402

from trends.config import load_config  # noqa: E402
from trends.embed import SentenceTransformerEmbedder  # noqa: E402
from trends.topics.named import NamedTopicClassifier  # noqa: E402
from trends.topics.supervision import LabelledPapers, load_labelled  # noqa: E402


def subset(lab: LabelledPapers, rows: np.ndarray) -> LabelledPapers:
    pick = rows.tolist()
    return LabelledPapers(
        [lab.ids[i] for i in pick],
        [lab.texts[i] for i in pick],
        [lab.shas[i] for i in pick],
        lab.slugs,
        lab.y[rows],
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--c", type=float, nargs="+", default=[10.0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "named_labels_cv.md")
    args = ap.parse_args()
    lines: list[str] = []

    def say(line: str) -> None:
        print(line, flush=True)
        lines.append(line)

    cfg = load_config(REPO / "config.yaml")
    if cfg.topics.named_labels is None:
        raise SystemExit("config.yaml sets no topics.named_labels")
    ids, texts, emb = load_corpus(args.data)
    embedder = SentenceTransformerEmbedder(cfg.embedding)
    slugs = [t.slug for t in cfg.topics.named]
    core = [j for j, s in enumerate(slugs) if s in ISSUE_TOPICS]
    lab = load_labelled(cfg.topics.named_labels, slugs)
    with gzip.open(cfg.topics.named_labels, "rt", encoding="utf-8") as fh:
        how = [json.loads(line).get("sampled_as", "") for line in fh if line.strip()]
    uniform = np.array([h.startswith("uniform") for h in how])
    x = load_labelled_vectors(cfg.topics.named_labels_vectors, lab)
    y = lab.y == 1
    fold = np.array([int(hashlib.md5(i.encode()).hexdigest(), 16) % 5 for i in lab.ids])
    half = np.array([int(hashlib.md5(("h" + i).encode()).hexdigest(), 16) % 2 for i in lab.ids])
    say(
        f"{len(lab)} labelled papers ({int(uniform.sum())} drawn uniformly); members per topic "
        + ", ".join(f"{s} {int(y[:, j].sum())}" for j, s in enumerate(slugs))
    )
    say("")
    say(
        "| classifier | training labels | issue's 4, all | all topics, all | issue's 4, uniform "
        "| all topics, uniform | per topic F1 (all) |"
    )
    say("|---|---|---|---|---|---|---|")
    shares: dict[str, np.ndarray] = {"labelled": y[uniform].mean(axis=0)}

    def show(name: str, used: str, p: np.ndarray) -> None:
        per = " · ".join(f"{s} {prf(y[:, j], p[:, j])[2]:.2f}" for j, s in enumerate(slugs))
        u = uniform
        say(
            f"| {name} | {used} | **{macro(y[:, core], p[:, core]):.3f}** | {macro(y, p):.3f} | "
            f"{macro(y[u][:, core], p[u][:, core]):.3f} | {macro(y[u], p[u]):.3f} | {per} |"
        )
        if used in ("none", "all of 4 folds"):
            shares[name] = p[u].mean(axis=0)

    weak = NamedTopicClassifier(cfg.topics.named, cfg.topics.named_threshold, cfg.topics.seed)
    weak.fit(texts, emb, embedder.encode, ids=ids)
    cfg_c = weak.label_c

    def fit(
        c: float, labelled: LabelledPapers, vecs: np.ndarray, knn_k: int | None = None
    ) -> NamedTopicClassifier:
        # the weak-supervision part does not depend on the labels: fit it once, then only the
        # stacked regressions per fold (what fit(..., labelled=...) does last)
        clf = copy.deepcopy(weak)
        clf.label_c = c
        if knn_k is not None:
            clf.knn_k = knn_k
        clf._fit_stack(list(cfg.topics.named), labelled, vecs)
        return clf

    show("taxonomy only", "none", weak.predict(lab.texts, x))
    # the same stack without the neighbour vote (knn_k=0), at the shipped label_c
    pred = np.zeros_like(y)
    for k in range(5):
        train, test = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        clf = fit(cfg_c, subset(lab, train), x[train], knn_k=0)
        pred[test] = clf.predict([lab.texts[i] for i in test], x[test])
    show(f"stacked without neighbour vote, label_c {cfg_c:g}", "4 folds", pred)
    for c in args.c:
        for part in ("all", "half"):
            pred = np.zeros_like(y)
            for k in range(5):
                train = np.flatnonzero((fold != k) & ((half == 0) if part == "half" else True))
                test = np.flatnonzero(fold == k)
                clf = fit(c, subset(lab, train), x[train])
                pred[test] = clf.predict([lab.texts[i] for i in test], x[test])
            show(f"stacked, label_c {c:g}", f"{part} of 4 folds", pred)
    # the labels file over-samples members; does the stacked model then over-assign the feed?
    say("")
    say("Share of the uniformly drawn papers in each topic: labelled vs predicted (held-out folds)")
    say("")
    say("| | " + " | ".join(slugs) + " |")
    say("|---|" + "---:|" * len(slugs))
    for name, share in shares.items():
        say(f"| {name} | " + " | ".join(f"{v:.1%}" for v in share) + " |")
    say("")
    say("Reproduce: `.venv/bin/python bench/named_labels_cv.py`")
    args.out.write_text(
        "# Judged papers: cross-validation inside the labels file\n\n" + "\n".join(lines) + "\n"
    )


if __name__ == "__main__":
    main()
