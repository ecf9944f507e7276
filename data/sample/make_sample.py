"""Build the bundled demo sample from ../shared/data (reproducible; run from the repo root).

* ``hf_sample.jsonl.gz``: every Hugging Face daily paper dated 2026-01-01 .. 2026-08-21 from
  ``hf_daily.jsonl.gz`` (real records, unchanged).
* ``hf_sample.minilm.npz``: their all-MiniLM-L6-v2 vectors from ``hf_daily.minilm.npz`` as float16
  (ids, embeddings, text_sha256), EXCEPT the last two days (2026-08-20, 2026-08-21): the demo's
  daily runs embed those for real.
"""

import gzip
import json
from pathlib import Path

import numpy as np

SRC = Path("../shared/data")
OUT = Path(__file__).parent
FIRST, LAST, EMBED_UNTIL = "2026-01-01", "2026-08-21", "2026-08-19"

with gzip.open(SRC / "hf_daily.jsonl.gz", "rt", encoding="utf-8") as src:
    rows = [json.loads(line) for line in src]
keep = [r for r in rows if FIRST <= r["date"] <= LAST]
with gzip.open(OUT / "hf_sample.jsonl.gz", "wt", encoding="utf-8", compresslevel=9) as fh:
    for r in keep:
        fh.write(json.dumps(r, ensure_ascii=False) + "\n")
snap = np.load(SRC / "hf_daily.minilm.npz")
pos = {i: k for k, i in enumerate(snap["ids"].tolist())}
ids = [r["id"] for r in keep if r["date"] <= EMBED_UNTIL]
idx = np.array([pos[i] for i in ids])
np.savez_compressed(
    OUT / "hf_sample.minilm.npz",
    ids=np.array(ids),
    embeddings=snap["embeddings"][idx].astype(np.float16),
    text_sha256=snap["text_sha256"][idx],
)
print(f"{len(keep)} papers, {len(ids)} vectors")
