"""Build the shipped labels file and its vectors from the training annotations.

Inputs: ``annotations/train.jsonl`` (the drawn papers with their sampling reason and one label
pass, see docs/named_topics.md) and the feed, for titles, abstracts and vectors; papers of round
4 drawn from ``arxiv_cs_cl.jsonl.gz`` take their text from there and are embedded here (their
vectors are not in ``hf_daily.minilm.npz``).
Outputs, used by ``topics.named_labels`` / ``topics.named_labels_vectors`` in config.yaml:

* ``data/labels/named_topics.jsonl.gz``: id, title, abstract, one 0/1 column per topic, note,
  sampled_as;
* ``data/labels/named_topics.minilm.npz``: their all-MiniLM-L6-v2 vectors (float16) taken from
  ``hf_daily.minilm.npz``, keyed by id and text hash, with the model id.

Usage: .venv/bin/python bench/devset/export_labels.py [--data DIR]
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "src"))

from trends.config import load_config  # noqa: E402
from trends.embed import SentenceTransformerEmbedder, model_id_for  # noqa: E402
from trends.records import embed_text, text_sha256  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=REPO / "data" / "labels")
    args = ap.parse_args()
    cfg = load_config(REPO / "config.yaml")
    slugs = [t.slug for t in cfg.topics.named]
    labels = {
        r["id"]: r
        for r in map(json.loads, (HERE / "annotations" / "train.jsonl").read_text().splitlines())
    }
    with gzip.open(args.data / "hf_daily.jsonl.gz", "rt", encoding="utf-8") as fh:
        feed = {r["id"]: r for r in map(json.loads, fh)}
    if any(i not in feed for i in labels):
        with gzip.open(args.data / "arxiv_cs_cl.jsonl.gz", "rt", encoding="utf-8") as fh:
            feed |= {r["id"]: r for r in map(json.loads, fh) if r["id"] in labels}
    missing = [i for i in labels if i not in feed]
    if missing:
        raise SystemExit(f"{len(missing)} labelled papers are not in the feed, e.g. {missing[0]}")
    sample = [feed[i] | {"sampled_as": r["sampled_as"]} for i, r in labels.items()]
    args.out.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same labels give the same bytes
    raw = gzip.GzipFile(args.out / "named_topics.jsonl.gz", "wb", mtime=0)
    with raw, io.TextIOWrapper(raw, encoding="utf-8") as fh:
        for p in sample:
            lab = labels[p["id"]]
            row = {"id": p["id"], "title": p["title"], "abstract": p["abstract"]}
            row |= {s: lab[s] for s in slugs} | {"note": lab["note"], "sampled_as": p["sampled_as"]}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    snap = np.load(args.data / "hf_daily.minilm.npz")
    pos = {pid: i for i, pid in enumerate(snap["ids"].tolist())}
    ids = [p["id"] for p in sample]
    texts = [embed_text(p["title"], p["abstract"]) for p in sample]
    vecs = np.zeros((len(ids), snap["embeddings"].shape[1]), dtype=np.float32)
    known = [k for k, i in enumerate(ids) if i in pos]
    vecs[known] = snap["embeddings"][[pos[ids[k]] for k in known]]
    new = [k for k, i in enumerate(ids) if i not in pos]
    if new:
        vecs[new] = SentenceTransformerEmbedder(cfg.embedding).encode([texts[k] for k in new])
    np.savez_compressed(
        args.out / "named_topics.minilm.npz",
        ids=np.array(ids),
        text_sha256=np.array([text_sha256(t) for t in texts]),
        embeddings=vecs.astype(np.float16),
        model_id=np.array(model_id_for(cfg.embedding)),
    )
    print(f"wrote {len(sample)} labelled papers to {args.out} ({len(new)} embedded here)")


if __name__ == "__main__":
    main()
