"""Draw the labelled dev set's papers from ../shared/data/hf_daily.jsonl.gz (reproducible).

Sampling (seed 20261204):
* a uniform random part: 200 papers drawn uniformly from all 15,192 feed papers;
* a keyword-enriched part: for each of the four named topics, 40 papers drawn uniformly from the
  papers whose title+abstract matches a broad keyword pattern for that topic (patterns below),
  excluding papers already drawn. Keyword hits are *candidates*, not labels: every paper is judged
  by reading its title and abstract against the definitions in config.yaml.

A second round (seed 20261205: 120 uniform + 45 keyword candidates per topic, excluding round
one) was added to give the tuning part more positives of the rarer topics; the split rule is
the same, so about half of round two is held out as well.

The split column assigns every paper to ``tune`` or ``test`` by a hash of its id (about 50/50), so
the held-out part is fixed before any tuning happens.

How the drawn papers were labelled (two passes per label, adjudication): ``agreement.py``.

Usage: python bench/devset/sample.py [path-to-hf_daily.jsonl.gz]  -> bench/devset/sample.jsonl
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
import sys
from pathlib import Path

SEED = 20261204
N_UNIFORM = 200
N_PER_TOPIC = 40
PATTERNS = {
    "reasoning-rl": r"reinforcement learning|\bGRPO\b|\bPPO\b|\bRLVR\b|verifiable reward|reward model|policy optimi[sz]ation|\bRLHF\b|\bDAPO\b",
    "moe": r"mixture[- ]of[- ]experts|\bMoE\b|expert routing|\bexperts\b",
    "code-llm": r"\bcode\b|program synthesis|software engineering|SWE-bench|\bcoding\b|repository",
    "mm-efficiency": r"token pruning|visual tokens?|token compression|token merging|efficient (?:multimodal|vision|video)|KV[- ]cache",
}


def split_of(paper_id: str) -> str:
    return "test" if int(hashlib.sha256(paper_id.encode()).hexdigest(), 16) % 2 else "tune"


ROUNDS = [(SEED, N_UNIFORM, N_PER_TOPIC), (20261205, 120, 45)]


def draw(
    papers: list[dict], chosen: dict[str, str], seed: int, n_uniform: int, n_topic: int, tag: str
) -> None:
    """Add one round: uniform papers, then keyword candidates per topic (none drawn before)."""
    rng = random.Random(seed)
    pool = [p for p in papers if p["id"] not in chosen]
    for p in rng.sample(pool, n_uniform):
        chosen[p["id"]] = f"uniform{tag}"
    for slug, pat in PATTERNS.items():
        rx = re.compile(pat, re.IGNORECASE)
        hits = [
            p
            for p in papers
            if p["id"] not in chosen and rx.search(p["title"] + " " + p["abstract"])
        ]
        for p in rng.sample(hits, n_topic):
            chosen[p["id"]] = f"keyword:{slug}{tag}"


def main() -> None:
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/hf_daily.jsonl.gz")
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        papers = [json.loads(line) for line in fh]
    chosen: dict[str, str] = {}
    for k, (seed, n_uniform, n_topic) in enumerate(ROUNDS):
        draw(papers, chosen, seed, n_uniform, n_topic, "" if k == 0 else f"/r{k + 1}")
    by_id = {p["id"]: p for p in papers}
    out = Path(__file__).with_name("sample.jsonl")
    with out.open("w", encoding="utf-8") as fh:
        for pid, how in chosen.items():
            p = by_id[pid]
            row = {
                "id": pid,
                "sampled_as": how,
                "split": split_of(pid),
                "date": p["date"],
                "title": p["title"],
                "abstract": p["abstract"],
            }
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(chosen)} papers to {out}")


if __name__ == "__main__":
    main()
