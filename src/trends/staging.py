"""Staged batches: a fetched day written to disk before it is stored.

The Prefect daily flow fetches (network, with retries) and stores in two tasks; between them the
batch lives in ``<store dir>/staging/<day>.json``, so a crash after a successful fetch does not
fetch again, and flow parameters stay small (a path, never the papers).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from datetime import date
from pathlib import Path

from trends.records import IngestBatch, Paper, Rejected


def staging_path(store_path: Path, day: date, source: str) -> Path:
    return store_path.parent / "staging" / source / f"{day.isoformat()}.json"


def save_batch(batch: IngestBatch, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "papers": [asdict(p) for p in batch.papers],
        "rejected": [asdict(r) for r in batch.rejected],
        "duplicates": batch.duplicates,
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, default=str), encoding="utf-8")
    os.replace(tmp, path)
    return path


def load_batch(path: Path) -> IngestBatch:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    papers = [
        Paper(
            **{
                **p,
                "date": date.fromisoformat(p["date"]),
                "published": date.fromisoformat(p["published"]) if p["published"] else None,
                "authors": tuple(p["authors"]),
            }
        )
        for p in data["papers"]
    ]
    return IngestBatch(
        papers=papers,
        rejected=[Rejected(**r) for r in data["rejected"]],
        duplicates=int(data.get("duplicates", 0)),
    )
