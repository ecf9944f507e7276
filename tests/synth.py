"""Seeded synthetic papers and a deterministic bag-of-words embedder for pipeline tests."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import numpy as np

THEMES = {
    "rl": "reinforcement learning GRPO verifiable rewards policy optimization math reasoning "
    "chain-of-thought reward",
    "video": "video generation diffusion temporal frames motion synthesis camera",
    "robot": "robot manipulation grasping embodied policy action control arm",
    "speech": "speech recognition audio spoken asr acoustic waveform voice",
    "code": "code generation programming software engineering repository bugs SWE-bench",
    "moe": "mixture-of-experts MoE experts routing gating load balancing sparse",
}
# the topics section of the small test configs (pipeline and notebook tests)
TEST_TOPICS = {
    "named": [
        {
            "slug": "reasoning-rl",
            "name": "Reasoning RL",
            "description": "reinforcement learning for math reasoning",
            "seeds": ["GRPO verifiable rewards math reasoning"],
            "keywords": [r"\bGRPO\b", "verifiable rewards?"],
        }
    ],
    "discovery": {
        "min_cluster_size": 8,
        "min_samples": 3,
        "umap_n_neighbors": 10,
        "min_fit_papers": 50,
        "assign_threshold": 0.3,
        "umap_runs": 2,  # the ensemble path at a test's cost (default 8)
    },
    "refit": {"every_days": 1000, "min_novel": 1000},
}
FILLER = [
    "we",
    "propose",
    "new",
    "method",
    "results",
    "show",
    "strong",
    "performance",
    "across",
    "benchmarks",
]


def make_papers(
    n_days: int = 60, per_day: int = 6, start: date = date(2025, 1, 1), seed: int = 0
) -> list[dict]:
    rng = random.Random(seed)
    out = []
    k = 0
    names = list(THEMES)
    for d in range(n_days):
        day = start + timedelta(days=d)
        for _ in range(per_day):
            # the "rl" theme grows over time: a real trend to detect
            w = [1.0 + 3.0 * d / n_days if t == "rl" else 1.0 for t in names]
            theme = rng.choices(names, weights=w)[0]
            words = THEMES[theme].split()
            title = " ".join(rng.sample(words, 4)).capitalize()
            body = " ".join(
                rng.choice(words) if rng.random() < 0.6 else rng.choice(FILLER) for _ in range(45)
            )
            out.append(
                {
                    "id": f"2501.{k:05d}",
                    "title": title,
                    "abstract": f"In this paper {body}. " * 2,
                    "date": day.isoformat(),
                    "published": day.isoformat(),
                    "upvotes": rng.randint(0, 50),
                    "authors": ["A. Author"],
                    "source": "synthetic",
                }
            )
            k += 1
    return out


def write_jsonl(rows: Sequence[dict | str], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write((r if isinstance(r, str) else json.dumps(r)) + "\n")
    return path


class BagOfWordsEmbedder:
    """Random projection of hashed word counts: similar words, similar vectors. Deterministic."""

    model_id = "test/bow-64"

    def __init__(self, dim: int = 64, fail_after: int | None = None):
        self.dim = dim
        self.calls = 0
        self.texts_seen = 0
        self.fail_after = fail_after

    def _word(self, w: str) -> np.ndarray:
        seed = int(hashlib.sha256(w.lower().encode()).hexdigest()[:8], 16)
        return np.random.default_rng(seed).normal(size=self.dim)

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        self.calls += 1
        if self.fail_after is not None and self.texts_seen >= self.fail_after:
            raise RuntimeError("embedder crashed (simulated)")
        self.texts_seen += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.replace(".", " ").split():
                out[i] += self._word(w)
        return out
