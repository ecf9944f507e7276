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

    with gzip.open(args.data / "hf_daily.jsonl.gz", "rt", encoding="utf-8") as fh:
        by_id = {r["id"]: r for r in map(json.loads, fh)}
    with args.out.open("w", encoding="utf-8") as fh:
        for i in sorted(chosen, key=lambda i: ids[i]):
            p = by_id[ids[i]]
            row = {
                "id": ids[i],
                "sampled_as": chosen[i],
                "date": p["date"],
                "title": p["title"],
                "abstract": p["abstract"],
            }
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts: dict[str, int] = {}
    for why in chosen.values():
        counts[why] = counts.get(why, 0) + 1
    print(f"wrote {len(chosen)} papers to {args.out}: {counts}")
    in_band = (proba >= BAND[0]) & (proba <= BAND[1])
    print(
        "papers in the uncertain band:",
        dict(zip(clf.slugs_, in_band.sum(axis=0).tolist(), strict=True)),
    )


if __name__ == "__main__":
    main()
