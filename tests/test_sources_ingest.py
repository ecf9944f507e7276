"""Tests of the source dispatch (trends.sources.ingest_day / ingest_file)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from trends.config import (
    HFDailySourceConfig,
    HttpConfig,
    IngestConfig,
)
from trends.sources import ingest_day, ingest_file

FIXTURES = Path(__file__).parent / "fixtures"
HTTP = HttpConfig.model_validate({"retries": 1, "backoff_s": (1.0,)})


def ingest_cfg(path: Path, **changes: Any) -> IngestConfig:
    # model_validate: mypy without the pydantic plugin misreads positional Field defaults
    return IngestConfig.model_validate({"source": {"kind": "local", "path": path}, **changes})


def write_jsonl(path: Path) -> None:
    abstract = "An abstract long enough to be a real one. " * 6
    rows = [
        {"id": "2501.00001", "title": "A", "abstract": abstract, "date": "2025-01-20"},
        {"id": "2501.00002", "title": "B", "abstract": abstract, "date": "2025-01-21"},
        {"id": "2501.00003", "title": "C", "abstract": abstract, "date": "2025-01-20"},
        {"id": "2501.00001", "title": "A again", "abstract": abstract, "date": "2025-01-20"},
        {"id": "2501.00004", "title": "D", "date": "2025-01-21"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")


def test_ingest_day_local_keeps_the_day_and_all_rejected(tmp_path: Path) -> None:
    path = tmp_path / "papers.jsonl"
    write_jsonl(path)
    cfg = ingest_cfg(path)
    batch = ingest_day(cfg, date(2025, 1, 20))
    assert [p.id for p in batch.papers] == ["2501.00001", "2501.00003"]
    assert [(r.ref, r.reason) for r in batch.rejected] == [("papers.jsonl:5", "missing abstract")]
    assert batch.duplicates == 1


def test_ingest_file_reads_everything_with_cfg_limits(tmp_path: Path) -> None:
    path = tmp_path / "papers.jsonl"
    write_jsonl(path)
    assert len(ingest_file(path, ingest_cfg(path)).papers) == 3
    tight = ingest_cfg(path, max_abstract_chars=200)
    batch = ingest_file(path, tight)
    assert batch.papers == [] and len(batch.rejected) == 5


def test_ingest_day_hf_daily() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        day = request.url.params["date"]
        return httpx.Response(200, content=(FIXTURES / "hf_daily_api" / f"{day}.json").read_bytes())

    cfg = IngestConfig.model_validate({"source": HFDailySourceConfig(), "http": HTTP})
    client = httpx.Client(transport=httpx.MockTransport(handler))
    batch = ingest_day(cfg, date(2025, 1, 20), client=client, sleep=lambda s: None)
    assert len(batch.papers) == 9 and {p.date for p in batch.papers} == {date(2025, 1, 20)}
    assert seen[0].url.params["date"] == "2025-01-20"


def test_ingest_day_arxiv() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params["start"]) // 5 + 1
        return httpx.Response(200, content=(FIXTURES / "arxiv" / f"page{n}.xml").read_bytes())

    cfg = IngestConfig.model_validate(
        {"source": {"kind": "arxiv", "page_size": 5, "delay_s": 0.5}, "http": HTTP}
    )
    client = httpx.Client(transport=httpx.MockTransport(handler))
    sleeps: list[float] = []
    batch = ingest_day(cfg, date(2025, 1, 14), client=client, sleep=sleeps.append)
    assert len(batch.papers) == 12 and len(batch.rejected) == 1 and batch.duplicates == 1
    assert sleeps == [0.5, 0.5]
