"""Seed-to-seed agreement of discovered topics per discovery setting (how defaults were chosen).

Fits the named topics of config.yaml (with its judged papers) on all of ``hf_daily`` (to
``--until``), takes the papers no named topic covers (what discovery clusters in the pipeline),
then fits
:class:`trends.topics.discovery.TopicDiscoverer` with three seeds per setting and prints the
adjusted Rand index of every seed pair (papers assigned in both), topics, outliers, NPMI and
diversity. A setting is a JSON object of ``topics.discovery`` overrides; ``{}`` = config.yaml.

It calls the library directly (no store, no registry), so it is quicker than
``bench/eval_topics.py``, which measures the whole pipeline for one seed pair.

Usage: .venv/bin/python bench/stability_sweep.py '{}' '{"umap_runs": 1}' ...
           [--seeds 42 7 123] [--until 2026-08-14]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from eval_named import load_labelled_vectors  # noqa: E402
from eval_topics import npmi_and_diversity  # noqa: E402

from trends.config import load_config  # noqa: E402
from trends.embed import SentenceTransformerEmbedder, normalize_rows  # noqa: E402
from trends.records import embed_text  # noqa: E402
from trends.topics.discovery import TopicDiscoverer  # noqa: E402
from trends.topics.named import NamedTopicClassifier  # noqa: E402
from trends.topics.supervision import load_labelled  # noqa: E402

DATA = REPO.parent / "shared" / "data"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("settings", nargs="+", help="JSON objects of topics.discovery overrides")
    ap.add_argument("--seeds", type=int, nargs="+", default=[42, 7, 123])
    ap.add_argument("--until", default="2026-08-14")
    ap.add_argument("--config", type=Path, default=REPO / "config.yaml")
    args = ap.parse_args()
    cfg = load_config(args.config)
    with gzip.open(DATA / "hf_daily.jsonl.gz", "rt", encoding="utf-8") as fh:
        rows = [r for r in map(json.loads, fh) if r["date"] <= args.until]
    snap = np.load(DATA / "hf_daily.minilm.npz")
    pos = {pid: i for i, pid in enumerate(snap["ids"].tolist())}
    emb = normalize_rows(
        np.asarray(snap["embeddings"], dtype=np.float32)[[pos[r["id"]] for r in rows]]
    )
    docs = [embed_text(r["title"], r["abstract"]) for r in rows]
    embedder = SentenceTransformerEmbedder(cfg.embedding)
    named = NamedTopicClassifier(cfg.topics.named, cfg.topics.named_threshold, cfg.topics.seed)
    labelled, lab_emb = None, None
    if cfg.topics.named_labels is not None:  # the judged papers, as the pipeline uses them
        labelled = load_labelled(cfg.topics.named_labels, [t.slug for t in cfg.topics.named])
        lab_emb = load_labelled_vectors(cfg.topics.named_labels_vectors, labelled)
    named.fit(docs, emb, embedder.encode, labelled=labelled, labelled_embeddings=lab_emb)
    covered = named.predict(docs, emb).any(axis=1)
    keep = np.flatnonzero(~covered)
    docs = [docs[i] for i in keep]
    emb = emb[keep]
    print(f"{len(rows):,} papers to {args.until}; {len(keep):,} not covered by named topics")
    print(
        "| setting | topics per seed | outliers | NPMI | diversity | ARI per seed pair | mean ARI "
        "| s per fit |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for spec in args.settings:
        dcfg = cfg.topics.discovery.model_copy(update=json.loads(spec))
        labels, ks, outs, npmis, divs = {}, [], [], [], []
        t0 = time.perf_counter()
        for seed in args.seeds:
            fit = TopicDiscoverer(dcfg, seed=seed).fit(docs, emb)
            labels[seed] = fit.labels_
            ks.append(len(fit.clusters_))
            outs.append(fit.outlier_share_)
            npmi, div = npmi_and_diversity(docs, [c.terms for c in fit.clusters_])
            npmis.append(npmi)
            divs.append(div)
        secs = (time.perf_counter() - t0) / len(args.seeds)
        aris = []
        for a, b in itertools.combinations(args.seeds, 2):
            both = (labels[a] >= 0) & (labels[b] >= 0)
            aris.append(adjusted_rand_score(labels[a][both], labels[b][both]))
        print(
            f"| `{spec}` | {'/'.join(map(str, ks))} | {min(outs):.1%}–{max(outs):.1%} | "
            f"{np.mean(npmis):.3f} | {np.mean(divs):.3f} | "
            f"{' / '.join(f'{x:.3f}' for x in aris)} | "
            f"**{np.mean(aris):.3f}** | {secs:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
