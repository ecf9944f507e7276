"""Tests of local file reading (trends.sources.local): JSON Lines, CSV, Parquet."""

from __future__ import annotations

import gzip
import json
import time
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from trends.errors import SourceError, SourceFormatError
from trends.records import IngestBatch, Paper
from trends.sources import read_local

LIMITS = {"max_abstract_chars": 10_000, "max_title_chars": 1_000}
SHARED_HF = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "hf_daily.jsonl.gz"


def rec(i: int, **changes: Any) -> dict[str, Any]:
    r: dict[str, Any] = {
        "id": f"2501.{10000 + i}",
        "title": f"Paper number {i}",
        "abstract": f"Abstract of paper {i}. " + "Words about models and data. " * 8,
        "date": f"2025-01-{10 + i % 3:02d}",
        "published": "2025-01-09",
        "upvotes": i,
        "authors": [f"Author {i}", "Second Author"],
        "source": "github:example/archive",
    }
    r.update(changes)
    return {k: v for k, v in r.items() if v is not ...}


def read(path: Path) -> IngestBatch:
    return read_local(path, **LIMITS)


def test_jsonl_with_broken_rows(tmp_path: Path) -> None:
    lines = [
        json.dumps(rec(0)),
        '{"id": "2501.10001", "title": "Broken", ',  # line 2
        json.dumps(rec(2, title=...)),  # line 3
        "",  # blank line 4 is skipped
        json.dumps(rec(4, abstract=...)),  # line 5
        json.dumps(rec(5, date="2024-13-45")),  # line 6
        json.dumps(rec(6, upvotes="12")),  # line 7
        json.dumps(rec(7, abstract="a" * 60_000)),  # line 8
        json.dumps(rec(8, id="2501.10000v2")),  # line 9: duplicate of line 1
        json.dumps(rec(9, id="2501.10009v3")),  # line 10
        "[1, 2, 3]",  # line 11
    ]
    path = tmp_path / "papers.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    batch = read(path)

    assert [p.id for p in batch.papers] == ["2501.10000", "2501.10009"]
    assert batch.papers[0].title == "Paper number 0"  # the first of the duplicates is kept
    assert batch.duplicates == 1
    got = {r.ref: r.reason for r in batch.rejected}
    assert got.pop("papers.jsonl:2").startswith("broken JSON: ")
    assert got == {
        "papers.jsonl:3": "missing title",
        "papers.jsonl:5": "missing abstract",
        "papers.jsonl:6": "unparseable date '2024-13-45'",
        "papers.jsonl:7": "wrong type for upvotes: str",
        "papers.jsonl:8": "abstract too long: 60000 chars > 10000",
        "papers.jsonl:11": "record is not an object: list",
    }
    assert all(r.source == "local:papers.jsonl" for r in batch.rejected)
    broken = next(r for r in batch.rejected if r.ref == "papers.jsonl:2")
    assert broken.raw == lines[1]
    too_long = next(r for r in batch.rejected if r.ref == "papers.jsonl:8")
    assert len(too_long.raw) == 20_000


def test_jsonl_gz_and_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "papers.jsonl.gz"
    body = (json.dumps(rec(1)) + "\n").encode() + b'{"id": "\xff"}\n' + json.dumps(rec(2)).encode()
    path.write_bytes(gzip.compress(body))
    batch = read(path)
    assert [p.id for p in batch.papers] == ["2501.10001", "2501.10002"]
    assert [(r.ref, r.reason.split(":")[0]) for r in batch.rejected] == [
        ("papers.jsonl.gz:2", "invalid UTF-8")
    ]


def test_json_array_file(tmp_path: Path) -> None:
    path = tmp_path / "papers.json"
    path.write_text(json.dumps([rec(1), rec(2, title=None)], indent=2), encoding="utf-8")
    batch = read(path)
    assert [p.id for p in batch.papers] == ["2501.10001"]
    assert [(r.ref, r.reason) for r in batch.rejected] == [("papers.json[1]", "missing title")]


def test_csv_round_trip_with_pandas(tmp_path: Path) -> None:
    records = [rec(1), rec(2, upvotes=None, published=None, authors=[]), rec(3)]
    frame = pd.DataFrame(records)
    frame["authors"] = frame["authors"].map(json.dumps)
    path = tmp_path / "papers.csv.gz"
    frame.to_csv(path, index=False)  # upvotes with a gap are written as "1.0"

    batch = read(path)

    assert not batch.rejected
    assert [p.id for p in batch.papers] == ["2501.10001", "2501.10002", "2501.10003"]
    first, second, _ = batch.papers
    assert first.upvotes == 1 and first.authors == ("Author 1", "Second Author")
    assert first.date == date(2025, 1, 11) and first.published == date(2025, 1, 9)
    assert second.upvotes is None and second.published is None and second.authors == ()


def test_csv_semicolon_authors_and_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "papers.csv"
    good = rec(1)
    text = (
        "id,title,abstract,date,published,upvotes,authors\n"
        f'{good["id"]},"A title, with comma","{good["abstract"]}",2025-01-11,,7,Ann Lee; Bo Chen\n'
        f'2501.20000,,"{good["abstract"]}",2025-01-11,,,\n'
        f'2501.20001,T,"{good["abstract"]}",2025-01-11,,many,\n'
    )
    path.write_text(text, encoding="utf-8")
    batch = read(path)
    assert len(batch.papers) == 1
    p = batch.papers[0]
    assert (p.title, p.upvotes, p.authors) == ("A title, with comma", 7, ("Ann Lee", "Bo Chen"))
    assert p.source == "local:papers.csv"
    assert [(r.ref, r.reason) for r in batch.rejected] == [
        ("papers.csv:3", "missing title"),
        ("papers.csv:4", "wrong type for upvotes: str"),
    ]


def test_csv_without_id_column(tmp_path: Path) -> None:
    path = tmp_path / "papers.csv"
    path.write_text("title,abstract\nx,y\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="no 'id' column"):
        read(path)


def test_parquet_round_trip(tmp_path: Path) -> None:
    records = [rec(1), rec(2, upvotes=None), rec(3, abstract=None)]
    path = tmp_path / "papers.parquet"
    pd.DataFrame(records).to_parquet(path)  # upvotes become float64 with a null

    batch = read(path)

    assert [p.id for p in batch.papers] == ["2501.10001", "2501.10002"]
    assert batch.papers[0].upvotes == 1 and batch.papers[1].upvotes is None
    assert batch.papers[0].authors == ("Author 1", "Second Author")
    assert [(r.ref, r.reason) for r in batch.rejected] == [("papers.parquet:3", "missing abstract")]


def test_parquet_with_typed_columns(tmp_path: Path) -> None:
    table = pa.table(
        {
            "id": ["2501.10001"],
            "title": ["Typed"],
            "abstract": [rec(1)["abstract"]],
            "date": pa.array([date(2025, 1, 11)], pa.date32()),
            "published": pa.array([None], pa.date32()),
            "upvotes": pa.array([5], pa.int64()),
            "authors": pa.array([["A", "B"]], pa.list_(pa.string())),
        }
    )
    path = tmp_path / "typed.parquet"
    pq.write_table(table, path)
    (p,) = read(path).papers
    assert p == Paper(
        id="2501.10001",
        title="Typed",
        abstract=rec(1)["abstract"].strip(),
        date=date(2025, 1, 11),
        published=None,
        upvotes=5,
        authors=("A", "B"),
        source="local:typed.parquet",
    )


@pytest.mark.parametrize("name", ["papers.txt", "papers.xlsx", "papers"])
def test_unknown_extension(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"JSON Lines .*CSV .*Parquet"):
        read(path)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("broken.parquet", b"not parquet at all"),
        ("broken.jsonl.gz", b"not gzip"),
        ("truncated.jsonl.gz", gzip.compress(b'{"id": "2501.10001"}\n' * 50)[:40]),
    ],
)
def test_unreadable_file(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SourceFormatError):
        read(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        read(tmp_path / "absent.jsonl")


@pytest.mark.realdata
@pytest.mark.skipif(not SHARED_HF.is_file(), reason="needs ../shared/data/hf_daily.jsonl.gz")
def test_real_hf_daily_file_reads_fast() -> None:
    t0 = time.perf_counter()
    batch = read(SHARED_HF)
    elapsed = time.perf_counter() - t0
    assert len(batch.papers) == 15_192
    assert not batch.rejected and batch.duplicates == 0
    assert elapsed < 5.0, f"took {elapsed:.1f} s"
