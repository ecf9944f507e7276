"""The store's core: the DuckDB connection, the schema, transactions and small helpers."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Self

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from trends.errors import StoreError

log = logging.getLogger(__name__)

SCHEMA_VERSION = "1"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS papers (
    paper_id VARCHAR PRIMARY KEY, title VARCHAR NOT NULL, abstract VARCHAR NOT NULL,
    date DATE NOT NULL, published DATE, upvotes INTEGER, authors VARCHAR[], source VARCHAR,
    text_sha256 VARCHAR NOT NULL, first_run VARCHAR);
CREATE TABLE IF NOT EXISTS rejected (
    key VARCHAR PRIMARY KEY, source VARCHAR, ref VARCHAR, reason VARCHAR, raw VARCHAR,
    first_run VARCHAR);
CREATE TABLE IF NOT EXISTS embeddings (
    paper_id VARCHAR, text_sha256 VARCHAR, model_id VARCHAR, vector FLOAT[],
    PRIMARY KEY (paper_id, text_sha256, model_id));
CREATE TABLE IF NOT EXISTS topics (
    topic_id INTEGER PRIMARY KEY, kind VARCHAR NOT NULL, slug VARCHAR, label VARCHAR NOT NULL,
    name VARCHAR, description VARCHAR, top_terms VARCHAR[], birth_date DATE, status VARCHAR,
    size INTEGER, centroid FLOAT[], threshold DOUBLE, model_id VARCHAR, last_run VARCHAR);
CREATE TABLE IF NOT EXISTS topic_events (
    run_id VARCHAR, date DATE, topic_id INTEGER, event VARCHAR, other_topic_id INTEGER,
    similarity DOUBLE);
CREATE TABLE IF NOT EXISTS assignments (
    paper_id VARCHAR, topic_id INTEGER, confidence DOUBLE, method VARCHAR, run_id VARCHAR,
    PRIMARY KEY (paper_id, topic_id));
CREATE TABLE IF NOT EXISTS novelty (
    paper_id VARCHAR PRIMARY KEY, nearest_topic_id INTEGER, similarity DOUBLE, date DATE,
    run_id VARCHAR);
CREATE TABLE IF NOT EXISTS models (
    name VARCHAR PRIMARY KEY, model_id VARCHAR, state JSON, fitted_run VARCHAR);
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY, kind VARCHAR, run_key VARCHAR, date_from DATE, date_to DATE,
    status VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP, params JSON, versions JSON,
    counts JSON, timings JSON, error VARCHAR);
"""

TABLES = (
    "papers",
    "rejected",
    "embeddings",
    "topics",
    "topic_events",
    "assignments",
    "novelty",
    "models",
    "runs",
)


def _arrow(rel: Any) -> pa.Table:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "extra copy of the rows": fine at our sizes
        return rel.to_arrow_table()


def _matrix(col: pa.ChunkedArray, dim: int | None = None) -> np.ndarray:
    arr = col.combine_chunks()
    if len(arr) == 0:
        return np.zeros((0, dim or 0), dtype=np.float32)
    flat = np.asarray(arr.flatten(), dtype=np.float32)
    return flat.reshape(len(arr), -1)


def _list_array(matrix: np.ndarray) -> pa.Array:
    m = np.ascontiguousarray(matrix, dtype=np.float32)
    offsets = np.arange(
        0, m.size + 1, m.shape[1] if m.ndim == 2 and m.shape[1] else 1, dtype=np.int32
    )[: len(m) + 1]
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(m.ravel()))


class StoreCore:
    """Connection, schema check and transactions; the table mixins build on this."""

    def __init__(self, path: str | Path, *, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        if read_only and not self.path.exists():
            raise StoreError(f"no store at {self.path}: run `trends run` or `trends ingest` first")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as err:
            raise StoreError(
                f"cannot open store {self.path}: {err}. Another trends process may hold it; "
                "wait for it to finish (DuckDB allows one writer)."
            ) from None
        except duckdb.Error as err:
            raise StoreError(f"cannot open store {self.path}: {err}") from None
        if not read_only:
            self.exec(SCHEMA)
            self.exec(
                "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
                [SCHEMA_VERSION],
            )
        self._check_schema()
        self._in_tx = False

    def _check_schema(self) -> None:
        try:
            rows = self.con.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'"
            ).fetchall()
            row = rows[0] if rows else None
        except duckdb.CatalogException:
            raise StoreError(f"{self.path} is not a trends store (no meta table)") from None
        if row is None or row[0] != SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has store schema {row[0] if row else '?'}, this trends expects "
                f"{SCHEMA_VERSION}: point store.path at a new file or rebuild with "
                "`trends backfill`"
            )

    # ----------------------------------------------------------------- lifecycle
    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Self]:
        """All writes inside commit together or not at all (nesting joins the outer one)."""
        if self._in_tx:
            yield self
            return
        self.exec("BEGIN TRANSACTION")
        self._in_tx = True
        try:
            yield self
        except BaseException:
            self.exec("ROLLBACK")
            raise
        else:
            self.exec("COMMIT")
        finally:
            self._in_tx = False

    def exec(self, sql: str, params: Sequence[Any] | None = None) -> None:
        """Run a statement and finish its result (DuckDB 2 requires results to be consumed)."""
        self.con.execute(sql, params or []).fetchall()

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run a read query and return a DataFrame (escape hatch for analysts)."""
        return self.con.execute(sql, params or []).df()

    def counts(self) -> dict[str, int]:
        return {
            t: int(self.con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0])  # type: ignore[index]
            for t in TABLES
        }

    def _count(self, table: str) -> int:
        return int(self.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])


def now() -> datetime:
    return datetime.now().replace(microsecond=0)
