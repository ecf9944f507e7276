"""Discovered-topic quality and stability on the real hf_daily data, through the real pipeline.

What it measures (numbers for docs/topics.md and the issue notes):
* quality of discovered topics: NPMI coherence (top-10 words, document co-occurrence over the
  fitted papers, as in the BERTopic paper) and topic diversity (unique share of the top-25 words
  of all topics), number of topics, duplicate labels;
* outliers: HDBSCAN's raw outlier share (what plain BERTopic leaves) and the share left in the
  novelty pool after centroid reassignment;
* seed-to-seed stability: two refits of the same store with different seeds (42 vs 7); adjusted
  Rand index of the discovered-topic labels over papers assigned in both, and agreement of
  named-topic membership;
* registry id stability across a refit on one more week of data: share of topics that keep
  their id (matched), the events, and the share of previously assigned papers whose topic id is
  unchanged.

It backfills a temporary store from ../shared/data/hf_daily.jsonl.gz up to --until (vectors
imported from hf_daily.minilm.npz, nothing re-embedded), then refits as described.

Usage: .venv/bin/python bench/eval_topics.py [--until 2026-08-14] [--week-later 2026-08-21]
           [--seed-b 7] [--config config.yaml] [--out bench/results/eval_topics.md]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import date
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics import adjusted_rand_score

from trends.config import config_from_dict, load_config
from trends.embed import SentenceTransformerEmbedder
from trends.pipeline import run_backfill, run_refit
from trends.store import Store
from trends.topics.discovery import _stop_words

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"


def npmi_and_diversity(docs: list[str], term_lists: list[list[str]]) -> tuple[float, float]:
    vec = CountVectorizer(
        stop_words=_stop_words(),
        ngram_range=(1, 2),
        binary=True,
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z0-9\-]+\b",
        min_df=1,
    )
    vocab = sorted({t for terms in term_lists for t in terms[:10]})
    vec.set_params(vocabulary=vocab)
    x = vec.fit_transform([d.lower() for d in docs]).astype(np.float64).tocsc()
    n = x.shape[0]
    col = {t: i for i, t in enumerate(vocab)}
    p = np.asarray(x.sum(axis=0)).ravel() / n
    co = (x.T @ x).toarray() / n
    scores = []
    for terms in term_lists:
        idx = [col[t] for t in terms[:10] if t in col and p[col[t]] > 0]
        pair = []
        for i, j in combinations(idx, 2):
            pij = co[i, j]
            pair.append(
                -1.0
                if pij == 0
                else (0.0 if pij == 1 else np.log(pij / (p[i] * p[j])) / -np.log(pij))
            )
        if pair:
            scores.append(float(np.mean(pair)))
    top25 = [t for terms in term_lists for t in terms[:25]]
    diversity = len(set(top25)) / max(1, len(top25))
    return float(np.mean(scores)), diversity


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--until", default="2026-08-14")
    ap.add_argument("--week-later", default="2026-08-21")
    ap.add_argument("--seed-b", type=int, default=7)
    ap.add_argument("--config", type=Path, default=REPO / "config.yaml")
    ap.add_argument(
        "--out", type=Path, default=REPO / "bench" / "results" / "eval_topics.md", help="report"
    )
    args = ap.parse_args()
    base = load_config(args.config).model_dump(mode="json", exclude={"base_dir"})
    tmp = Path(tempfile.mkdtemp())
    base["store"]["path"] = str(tmp / "a.duckdb")
    base["ingest"]["source"] = {"kind": "local", "path": str(DATA / "hf_daily.jsonl.gz")}
    base["embedding"]["snapshot"] = str(DATA / "hf_daily.minilm.npz")
    base["report"]["out_dir"] = str(tmp / "reports")
    base["topics"]["discovery"]["top_n_words"] = 10
    cfg = config_from_dict(base, tmp)
    emb = SentenceTransformerEmbedder(cfg.embedding)
    until, later = date.fromisoformat(args.until), date.fromisoformat(args.week_later)

    t0 = time.perf_counter()
    with Store(cfg.store.path) as store:
        res = run_backfill(cfg, None, until, store=store, embedder=emb, report=False)
    t_fit = time.perf_counter() - t0
    c = res.counts
    shutil.copy(cfg.store.path, tmp / "b.duckdb")
    shutil.copy(cfg.store.path, tmp / "c.duckdb")

    with Store(cfg.store.path, read_only=True) as store:
        topics_a = store.topics()
        asg_a = store.assignments()
        papers = store.papers(columns="paper_id, title, abstract")
    disc = topics_a[(topics_a["kind"] == "discovered") & (topics_a["status"] == "active")]
    labels_unique = disc["label"].is_unique
    docs = [f"{r.title}. {r.abstract}" for r in papers.itertuples()]
    npmi, div = npmi_and_diversity(docs, [list(t) for t in disc["top_terms"]])

    # seed-to-seed: the same store refitted with another seed
    cfg_b = config_from_dict(
        {
            **base,
            "store": {"path": str(tmp / "b.duckdb")},
            "topics": {**base["topics"], "seed": args.seed_b},
        },
        tmp,
    )
    t1 = time.perf_counter()
    with Store(cfg_b.store.path) as store:
        store.exec("DELETE FROM topics WHERE kind = 'discovered'")  # a fresh registry
        store.exec("DELETE FROM topic_events")
        run_refit(cfg_b, until, store=store, embedder=emb)
        asg_b = store.assignments()
    t_refit = time.perf_counter() - t1
    da = asg_a[asg_a["kind"] == "discovered"].set_index("paper_id")["topic_id"]
    db = asg_b[asg_b["kind"] == "discovered"].set_index("paper_id")["topic_id"]
    both = da.index.intersection(db.index)
    ari = adjusted_rand_score(da.loc[both], db.loc[both])
    na = set(map(tuple, asg_a[asg_a["kind"] == "named"][["paper_id", "slug"]].to_numpy()))
    nb = set(map(tuple, asg_b[asg_b["kind"] == "named"][["paper_id", "slug"]].to_numpy()))
    named_agree = len(na & nb) / max(1, len(na | nb))

    # one more week of data: ingest it, then refit as of a week later on store c
    cfg_c = config_from_dict({**base, "store": {"path": str(tmp / "c.duckdb")}}, tmp)
    with Store(cfg_c.store.path) as store:
        from trends.pipeline import embed_new, store_batch
        from trends.sources import ingest_file

        batch = ingest_file(DATA / "hf_daily.jsonl.gz", cfg_c.ingest)
        batch.papers = [p for p in batch.papers if until < p.date <= later]
        store_batch(store, batch, "eval-week")
        embed_new(cfg_c.embedding, store, emb)
        run_refit(cfg_c, later, store=store, embedder=emb)
        ev = store.topic_events()
        asg_c = store.assignments()
        new_week = len(batch.papers)
    last = ev[ev["date"] == pd.Timestamp(later).date()] if len(ev) else ev
    if last.empty:
        last = ev[ev["run_id"] == ev["run_id"].iloc[-1]]
    counts = last["event"].value_counts().to_dict()
    dc = asg_c[asg_c["kind"] == "discovered"].set_index("paper_id")["topic_id"]
    common = da.index.intersection(dc.index)
    same_id = float((da.loc[common] == dc.loc[common]).mean())
    kept = counts.get("matched", 0) / max(1, len(disc))

    rows = [
        ("papers fitted", f"{c['fit_papers']:,} (to {until})"),
        ("named-topic assignments", f"{c['named_assignments']:,}"),
        ("discovered topics", f"{c['discovered_topics']}"),
        ("duplicate labels", "none" if labels_unique else "YES"),
        ("NPMI coherence (top 10 words)", f"{npmi:.3f}"),
        ("topic diversity (top 25 words)", f"{div:.3f}"),
        (
            "HDBSCAN outliers (plain BERTopic), share of the papers discovery clusters",
            f"{c['hdbscan_outlier_share']:.1%}",
        ),
        (
            "novelty pool after reassignment, share of the papers discovery clusters",
            f"{c['discovery_outlier_share']:.1%}",
        ),
        ("novelty pool after reassignment, share of all papers", f"{c['outlier_share']:.1%}"),
        (f"seed 42 vs {args.seed_b}: ARI of discovered topics", f"{ari:.3f} over {len(both):,}"),
        (f"seed 42 vs {args.seed_b}: named membership agreement (Jaccard)", f"{named_agree:.3f}"),
        (
            f"refit +1 week ({new_week} new papers): topics keeping their id",
            f"{kept:.1%} ({counts})",
        ),
        ("refit +1 week: papers whose topic id is unchanged", f"{same_id:.1%} of {len(common):,}"),
        ("time: backfill + first fit (incl. numba compile)", f"{t_fit:.0f} s"),
        ("time: a refit", f"{t_refit:.0f} s"),
    ]
    print("| measure | value |\n|---|---|")
    for k, v in rows:
        print(f"| {k} | {v} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        "| measure | value |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows) + "\n"
    )
    top = disc.sort_values("size", ascending=False).head(25)
    print("\nTop discovered topics by size:")
    for r in top.itertuples():
        print(f"  {r.size:5d}  {r.label}")
    named = topics_a[topics_a["kind"] == "named"]
    for r in named.itertuples():
        print(f"  named {r.size:5d}  {r.label}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
