"""Speed of ``compute_momentum`` on ~152k real papers, next to BERTopic's ``topics_over_time``.

Data: /work/shared/data/arxiv_cs_cl.jsonl.gz (137,640 arXiv cs.CL papers) + hf_daily.jsonl.gz
(15,192 Hugging Face daily papers), real dates 2008-09 .. 2026-08.

Topic assignments (the same for both tools, one topic per paper): TF-IDF of titles (1-2 grams,
English stop words, min_df=5) -> TruncatedSVD(64) -> L2-normalise -> MiniBatchKMeans(100,
seed 0). This is only a way to get ~100 realistic, uneven topics quickly; the store's real topics
come from the topic-discovery step.

BERTopic is given the same labels through its "manual" route (BaseDimensionalityReduction +
BaseCluster, ``fit(docs, embeddings=svd_vectors, y=labels)``) so no embedding model runs, and
``topics_over_time`` gets week-start timestamps (one bin per week, like ``freq="W"``). Its cost
grows with the number of bins (it computes a c-TF-IDF matrix per bin), so to keep the run bounded
it is timed on the papers since ``--bertopic-since`` (default 2025-01-01: the busiest ~85 weeks,
~40 % of the papers), next to ``compute_momentum`` on exactly the same subset, and its per-week
cost is extrapolated to all weeks. ``--bertopic-since 1900-01-01`` times every week (minutes).

Run: .venv/bin/python bench/bench_momentum.py [--bertopic-since 2025-01-01] [--no-bertopic]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from trends.config import MomentumConfig
from trends.momentum import compute_momentum

DATA = Path("/work/shared/data")


def load(path: Path) -> pd.DataFrame:
    ids, titles, dates, ups = [], [], [], []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            ids.append(r["id"])
            titles.append(r["title"])
            dates.append(r["date"])
            ups.append(np.nan if r.get("upvotes") is None else float(r["upvotes"]))
    return pd.DataFrame(
        {
            "paper_id": ids,
            "title": titles,
            "date": pd.to_datetime(dates),
            "upvotes": np.asarray(ups, dtype=float),
        }
    )


def kmeans_topics(titles: list[str], k: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    x = TfidfVectorizer(
        ngram_range=(1, 2), stop_words="english", min_df=5, sublinear_tf=True
    ).fit_transform(titles)
    z = normalize(TruncatedSVD(64, random_state=seed).fit_transform(x))
    km = MiniBatchKMeans(k, random_state=seed, batch_size=4096, n_init=3).fit(z)
    return km.labels_.astype(np.int64), z.astype(np.float32)


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def bertopic_over_time(
    docs: list[str], emb: np.ndarray, labels: np.ndarray, weeks: pd.Series, sel: np.ndarray
) -> dict[str, float]:
    import logging

    from bertopic import BERTopic
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction
    from sklearn.feature_extraction.text import CountVectorizer

    logging.getLogger("BERTopic").setLevel(logging.ERROR)
    model = BERTopic(
        embedding_model=None,
        umap_model=BaseDimensionalityReduction(),
        hdbscan_model=BaseCluster(),
        vectorizer_model=CountVectorizer(stop_words="english", min_df=5),
        calculate_probabilities=False,
        verbose=False,
    )
    fit_s, _ = timed(lambda: model.fit(docs, embeddings=emb, y=labels))
    all_weeks = np.sort(weeks.unique())
    sub_docs = [d for d, s in zip(docs, sel, strict=True) if s]
    sub_ts = [pd.Timestamp(t) for t in weeks[sel]]
    sub_topics = [int(t) for t in np.asarray(model.topics_)[sel]]
    n_bins = len(set(sub_ts))
    tot_s, tot = timed(
        lambda: model.topics_over_time(
            sub_docs, sub_ts, topics=sub_topics, evolution_tuning=True, global_tuning=True
        )
    )
    assert isinstance(tot, pd.DataFrame) and len(tot) > 0
    return {
        "fit_s": fit_s,
        "tot_s": tot_s,
        "bins": n_bins,
        "docs": len(sub_docs),
        "per_bin_s": tot_s / n_bins,
        "all_bins": len(all_weeks),
        "extrapolated_s": tot_s / n_bins * len(all_weeks),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--topics", type=int, default=100)
    ap.add_argument(
        "--bertopic-since",
        default="2025-01-01",
        help="time topics_over_time (and momentum, again) on papers since this day",
    )
    ap.add_argument("--no-bertopic", action="store_true")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    df = pd.concat(
        [load(DATA / "arxiv_cs_cl.jsonl.gz"), load(DATA / "hf_daily.jsonl.gz")], ignore_index=True
    )
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    labels, emb = kmeans_topics(df["title"].tolist(), args.topics)
    assign_s = time.perf_counter() - t0
    papers = df[["paper_id", "date", "upvotes"]]
    asg = pd.DataFrame({"paper_id": df["paper_id"], "topic_id": labels, "confidence": 1.0})
    topics = pd.DataFrame(
        {
            "topic_id": np.arange(args.topics),
            "label": [f"k{i}" for i in range(args.topics)],
            "kind": "discovered",
            "birth_date": pd.NaT,
        }
    )
    print(
        f"papers: {len(papers):,}  topics: {args.topics}  dates: {df.date.min().date()} .. "
        f"{df.date.max().date()}"
    )
    print(f"load {load_s:.1f} s, assignments (TF-IDF+SVD+KMeans on titles) {assign_s:.1f} s\n")

    cfg = MomentumConfig()
    rows = []
    for freq in ("W", "D", "M"):
        secs, res = timed(
            lambda f=freq: compute_momentum(papers, asg, topics, cfg, freq=f), repeat=3
        )
        rows.append(
            (
                f"compute_momentum freq={freq}",
                secs,
                len(res.table),  # type: ignore
                f"{res.table['period'].nunique()} periods, "  # type: ignore
                f"{int((res.summary['status'] != 'steady').sum())} topics flagged",
            )
        )  # type: ignore
    secs, res = timed(
        lambda: compute_momentum(papers, asg, topics, cfg, as_of="2025-06-30"), repeat=3
    )
    rows.append(("compute_momentum W as_of=2025-06-30", secs, len(res.table), ""))  # type: ignore

    if not args.no_bertopic:
        weeks = pd.Series(df["date"] - pd.to_timedelta(df["date"].dt.day_of_week, unit="D"))
        sel = (df["date"] >= pd.Timestamp(args.bertopic_since)).to_numpy()
        sub = papers[sel]
        secs, res = timed(lambda: compute_momentum(sub, asg[sel], topics, cfg), repeat=3)
        rows.append(
            (
                f"compute_momentum W, papers since {args.bertopic_since}",
                secs,
                int(sel.sum()),
                f"{res.table['period'].nunique()} weeks",
            )
        )  # type: ignore
        try:
            b = bertopic_over_time(df["title"].tolist(), emb, labels, weeks, sel)
            rows.append(("BERTopic fit (manual labels, all papers)", b["fit_s"], len(papers), ""))
            rows.append(
                (
                    f"BERTopic topics_over_time, since {args.bertopic_since}",
                    b["tot_s"],
                    b["docs"],
                    f"{b['bins']} weeks, {b['per_bin_s']:.2f} s/week",
                )
            )
            if b["bins"] < b["all_bins"]:
                rows.append(
                    (
                        f"  -> extrapolated to all {b['all_bins']} weeks",
                        b["extrapolated_s"],
                        len(papers),
                        "per-week cost x weeks",
                    )
                )
        except Exception as err:  # keep the momentum numbers even if BERTopic breaks
            print(f"BERTopic failed: {type(err).__name__}: {err}", file=sys.stderr)

    print(f"{'what':<46} {'seconds':>9} {'rows/docs':>10}  note")
    print("-" * 100)
    for name, secs, n, note in rows:
        print(f"{name:<46} {secs:>9.2f} {n:>10,}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
