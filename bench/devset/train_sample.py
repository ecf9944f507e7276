"""Draw the judged papers (training labels) for the named topics: reproducible, no dev-set paper.

The dev set (``sample.jsonl``, 660 papers, split tune/test) measures the classifier; these papers
teach it. They are drawn from ``hf_daily.jsonl.gz`` with every dev-set paper excluded, so the
held-out test split stays unseen, in three rounds (``ROUNDS``; seeds 20261206-08), 5,337 papers:

* uniformly drawn papers (500, 800, 1,000: the feed as it is);
* per issue topic (reasoning-rl, moe, code-llm, mm-efficiency), papers whose confidence under
  the taxonomy-only classifier lies in [0.3, 0.7] (its uncertain band: where labels teach the
  most) and matches of the dev set's broad keyword pattern (``sample.PATTERNS``);
* per added topic (llm-agents, video-generation, embodied-vla), 100 band papers in round 1.

Papers drawn for one reason are not drawn again; a part smaller than asked takes all it has.
Each round was drawn before its papers were labelled. Labels were given by reading title and
abstract against ``DEFINITIONS.md`` (how: docs/named_topics.md, "The judged papers"); the
sampling reason is kept in ``sampled_as`` and is never a label. The record of what was drawn
is ``annotations/train.jsonl`` (and the shipped ``data/labels/named_topics.jsonl.gz``): this
script re-draws the same papers only while the taxonomy in config.yaml is unchanged, because
the band comes from the classifier.

Round 4 (seed 20261209, active learning, 1,896 papers) was drawn after rounds 1-3 were labelled:

* from the feed, papers in the uncertain band [0.1, 0.9] of the *stacked* classifier fitted on
  the rounds 1-3 labels (``band4:<slug>``; up to ``R4_BAND`` per topic), and 400 uniform papers;
* from ``arxiv_cs_cl.jsonl.gz`` (never in the feed; the feed's mm-efficiency matches were all
  drawn already), papers for the weakest topic, mm-efficiency: matches of its dev-set keyword
  pattern (``arxiv-keyword:mm-efficiency``) and multimodal-model papers that mention an
  efficiency word (``arxiv-mllm-efficiency``).

Usage: .venv/bin/python bench/devset/train_sample.py [--data DIR] -> bench/devset/train_sample.jsonl
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "bench"))

from eval_named import ISSUE_TOPICS, load_corpus  # noqa: E402
from sample import PATTERNS  # noqa: E402

from trends.config import load_config  # noqa: E402
from trends.embed import SentenceTransformerEmbedder  # noqa: E402
from trends.topics.named import NamedTopicClassifier  # noqa: E402

# (seed, uniform, band per issue topic, keyword per issue topic, band per added topic, tag)
ROUNDS = [
    (20261206, 500, 150, 150, 100, ""),
    (20261207, 800, 100, 200, 0, "/r2"),
    (20261208, 1000, 0, 250, 0, "/r3"),
]
BAND = (0.3, 0.7)
R4_SEED, R4_UNIFORM, R4_BAND_RANGE = 20261209, 400, (0.1, 0.9)
R4_BAND = {"reasoning-rl": 400, "moe": 50, "code-llm": 150, "mm-efficiency": 100}
R4_BAND_ADDED = 100
R4_ARXIV = {"arxiv-keyword:mm-efficiency": 350, "arxiv-mllm-efficiency": 250}
MLLM = re.compile(r"MLLM|\bVLMs?\b|vision[- ]language|multimodal large", re.IGNORECASE)
EFFICIENCY = re.compile(r"efficien|pruning|compress|latency|speed|FLOPs|KV[- ]cache", re.IGNORECASE)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--config", type=Path, default=REPO / "config.yaml")
    ap.add_argument("--out", type=Path, default=HERE / "train_sample.jsonl")
    args = ap.parse_args()

    cfg = load_config(args.config)
    ids, texts, emb = load_corpus(args.data)
    dev = {json.loads(x)["id"] for x in (HERE / "sample.jsonl").read_text().splitlines() if x}
    embedder = SentenceTransformerEmbedder(cfg.embedding)
    # the label-free classifier as shipped before any training labels existed
    label_free = [
        t.model_copy(update={"examples": [], "counter_examples": []}) for t in cfg.topics.named
    ]
    clf = NamedTopicClassifier(
        label_free, threshold=cfg.topics.named_threshold, seed=cfg.topics.seed
    )
    clf.fit(texts, emb, embedder.encode, ids=ids)
    proba = clf.predict_proba(texts, emb)

    chosen: dict[int, str] = {}
    pool = [i for i, pid in enumerate(ids) if pid not in dev]
    for seed, n_uniform, n_band, n_keyword, n_band_added, tag in ROUNDS:
        rng = random.Random(seed)

        def take(
            cands: list[int], n: int, why: str, rng: random.Random = rng, tag: str = tag
        ) -> None:
            cands = [i for i in cands if i not in chosen]
            for i in rng.sample(cands, min(n, len(cands))):
                chosen[i] = why + tag

        take(pool, n_uniform, "uniform")
        for j, slug in enumerate(clf.slugs_):
            band = [i for i in pool if BAND[0] <= proba[i, j] <= BAND[1]]
            take(band, n_band if slug in ISSUE_TOPICS else n_band_added, f"band:{slug}")
            if slug in PATTERNS:
                rx = re.compile(PATTERNS[slug], re.IGNORECASE)
                take([i for i in pool if rx.search(texts[i])], n_keyword, f"keyword:{slug}")

    # round 4: the stacked classifier fitted on the labels of rounds 1-3
    from trends.topics.supervision import LabelledPapers

    ann = [json.loads(x) for x in (HERE / "annotations" / "train.jsonl").read_text().splitlines()]
    ann = [a for a in ann if not a["sampled_as"].endswith("/r4")]
    slugs = [t.slug for t in cfg.topics.named]
    row = {pid: i for i, pid in enumerate(ids)}
    done = [row[a["id"]] for a in ann]
    labelled = LabelledPapers(
        [ids[i] for i in done],
        [texts[i] for i in done],
        ["" for _ in done],
        slugs,
        np.array([[a[s] for s in slugs] for a in ann], dtype=np.int8),
    )
    # knn_k=0: the classifier as it was when round 4 was drawn (no neighbour vote yet)
    stacked = NamedTopicClassifier(
        list(cfg.topics.named),
        threshold=cfg.topics.named_threshold,
        seed=cfg.topics.seed,
        knn_k=0,
    )
    stacked.fit(
        texts, emb, embedder.encode, ids=ids, labelled=labelled, labelled_embeddings=emb[done]
    )
    proba4 = stacked.predict_proba(texts, emb)
    rng = random.Random(R4_SEED)
    labelled_ids = set(labelled.ids)
    pool4 = [i for i in pool if i not in chosen and ids[i] not in labelled_ids]
    for i in rng.sample(pool4, R4_UNIFORM):
        chosen[i] = "uniform/r4"
    for j, slug in enumerate(slugs):
        band = [
            i
            for i in pool4
            if i not in chosen and R4_BAND_RANGE[0] <= proba4[i, j] <= R4_BAND_RANGE[1]
        ]
        for i in rng.sample(band, min(R4_BAND.get(slug, R4_BAND_ADDED), len(band))):
            chosen[i] = f"band4:{slug}/r4"
    with gzip.open(args.data / "arxiv_cs_cl.jsonl.gz", "rt", encoding="utf-8") as fh:
        arxiv = list(map(json.loads, fh))
    rx = re.compile(PATTERNS["mm-efficiency"], re.IGNORECASE)
    text_of = [r["title"] + " " + r["abstract"] for r in arxiv]
    cands = {
        "arxiv-keyword:mm-efficiency": [k for k, t in enumerate(text_of) if rx.search(t)],
        "arxiv-mllm-efficiency": [
            k
            for k, t in enumerate(text_of)
            if not rx.search(t) and MLLM.search(t) and EFFICIENCY.search(t)
        ],
    }
    extra: dict[str, str] = {}
    for why, n in R4_ARXIV.items():
        for k in rng.sample(cands[why], min(n, len(cands[why]))):
            extra[arxiv[k]["id"]] = why + "/r4"

    with gzip.open(args.data / "hf_daily.jsonl.gz", "rt", encoding="utf-8") as fh:
        by_id = {r["id"]: r for r in map(json.loads, fh)}
    by_id |= {r["id"]: r for r in arxiv if r["id"] in extra}
    why_of = {ids[i]: why for i, why in chosen.items()} | extra
    with args.out.open("w", encoding="utf-8") as fh:
        for pid in sorted(why_of):
            p = by_id[pid]
            row = {
                "id": pid,
                "sampled_as": why_of[pid],
                "date": p["date"],
                "title": p["title"],
                "abstract": p["abstract"],
            }
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts: dict[str, int] = {}
    for why in why_of.values():
        counts[why] = counts.get(why, 0) + 1
    print(f"wrote {len(why_of)} papers to {args.out}: {counts}")
    in_band = (proba >= BAND[0]) & (proba <= BAND[1])
    print(
        "papers in the uncertain band:",
        dict(zip(clf.slugs_, in_band.sum(axis=0).tolist(), strict=True)),
    )


if __name__ == "__main__":
    main()
