"""How much of the feed each candidate topic is, per half-year (why the added named topics).

Counts, per half-year of ``hf_daily.jsonl.gz``, the share of papers whose title or abstract
matches a broad pattern per candidate topic. Patterns are candidates' rough footprints, not
labels; they only show which subjects are large or growing enough to name in config.yaml.

Usage: .venv/bin/python bench/feed_shares.py [path-to-hf_daily.jsonl.gz]
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from collections import Counter
from pathlib import Path

PATTERNS = {
    "agents": r"\bagent(s|ic)?\b",
    "video generation": (
        r"video (generation|diffusion|synthesis|editing)|text-to-video|image-to-video"
    ),
    "robotics / embodied / VLA": r"\brobot|\bVLA\b|vision-language-action|embodied",
    "retrieval-augmented generation": r"retrieval[- ]augmented|\bRAG\b",
    "diffusion language models": r"diffusion language model|\bdLLMs?\b|masked diffusion",
    "safety / jailbreaks": r"jailbreak|\bsafety\b|red[- ]teaming",
    "speech / audio": r"\bspeech\b|\baudio\b|\bTTS\b",
}


def main() -> None:
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "hf_daily.jsonl.gz"
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    total: Counter[str] = Counter()
    hits: dict[str, Counter[str]] = {k: Counter() for k in PATTERNS}
    compiled = {k: re.compile(p, re.IGNORECASE) for k, p in PATTERNS.items()}
    for r in rows:
        half = f"{r['date'][:4]}H{1 if int(r['date'][5:7]) <= 6 else 2}"
        total[half] += 1
        text = f"{r['title']} {r['abstract']}"
        for k, rx in compiled.items():
            hits[k][half] += bool(rx.search(text))
    halves = sorted(total)
    print("| pattern | " + " | ".join(halves) + " |")
    print("|---|" + "---:|" * len(halves))
    print("| papers | " + " | ".join(f"{total[h]:,}" for h in halves) + " |")
    for k in PATTERNS:
        cells = " | ".join(f"{100 * hits[k][h] / total[h]:.1f} %" for h in halves)
        print(f"| {k} | {cells} |")


if __name__ == "__main__":
    main()
