"""The store: one DuckDB file, and the only code that knows SQL and the file layout.

Tables (``SCHEMA`` below is the reference):

* ``papers`` — one row per paper id (arXiv id without version).
* ``rejected`` — input records that could not be used, with source, reference and reason.
* ``embeddings`` — the embedding cache, keyed by (paper id, SHA-256 of embedded text, model id).
* ``topics`` — the topic registry (named and discovered) with stable ids, labels, centroids.
* ``topic_events`` — registry lineage: born, matched, merged, split, dormant, per fit.
* ``assignments`` — one row per (paper, topic) with a confidence.
* ``novelty`` — papers that fit no discovered topic well, waiting for the next refit.
* ``models`` — fitted model state (JSON), e.g. the named-topic classifier.
* ``runs`` — the manifest: one row per run with parameters, versions, counts, timings.

Every write of a run happens inside :meth:`Store.transaction`, so a run killed half-way leaves the
store as it was before that transaction (DuckDB's write-ahead log is replayed or discarded on the
next open). Long steps (embedding) commit in chunks, so a crash keeps the finished chunks and a
re-run resumes from there.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from trends.errors import StoreError
from trends.records import Paper, Rejected, text_sha256

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


class Store:
    """A DuckDB store file. Use as a context manager, or call :meth:`close`."""

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

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Store]:
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

    # ----------------------------------------------------------------- papers
    def upsert_papers(self, papers: Sequence[Paper], run_id: str) -> dict[str, int]:
        """Insert new papers; for known ids keep the max upvotes and the latest text.

        Returns counts: new, updated (text or upvotes changed), unchanged.
        """
        if not papers:
            return {"new": 0, "updated": 0, "unchanged": 0}
        tbl = pa.table(
            {
                "paper_id": [p.id for p in papers],
                "title": [p.title for p in papers],
                "abstract": [p.abstract for p in papers],
                "date": pa.array([p.date for p in papers], pa.date32()),
                "published": pa.array([p.published for p in papers], pa.date32()),
                "upvotes": pa.array([p.upvotes for p in papers], pa.int32()),
                "authors": pa.array([list(p.authors) for p in papers], pa.list_(pa.string())),
                "source": [p.source for p in papers],
                "text_sha256": [text_sha256(p.text) for p in papers],
                "first_run": [run_id] * len(papers),
            }
        )
        con = self.con
        con.register("_incoming", tbl)
        try:
            new, updated = con.execute("""
                SELECT count(*) FILTER (WHERE p.paper_id IS NULL),
                       count(*) FILTER (WHERE p.paper_id IS NOT NULL AND (
                           p.text_sha256 <> i.text_sha256
                           OR coalesce(i.upvotes, -1) > coalesce(p.upvotes, -1)))
                FROM (SELECT DISTINCT ON (paper_id) * FROM _incoming) i
                LEFT JOIN papers p USING (paper_id)""").fetchall()[0]
            with self.transaction():
                self.exec("""
                    INSERT INTO papers SELECT DISTINCT ON (paper_id) * FROM _incoming
                    ON CONFLICT (paper_id) DO UPDATE SET
                        title = excluded.title, abstract = excluded.abstract,
                        text_sha256 = excluded.text_sha256,
                        upvotes = CASE
                            WHEN coalesce(excluded.upvotes, -1) > coalesce(papers.upvotes, -1)
                                       THEN excluded.upvotes ELSE papers.upvotes END
                    WHERE papers.text_sha256 <> excluded.text_sha256
                       OR coalesce(excluded.upvotes, -1) > coalesce(papers.upvotes, -1)""")
        finally:
            con.unregister("_incoming")
        return {
            "new": int(new),
            "updated": int(updated),
            "unchanged": len(set(p.id for p in papers)) - int(new) - int(updated),
        }

    def add_rejected(self, rows: Sequence[Rejected], run_id: str) -> int:
        """Keep bad input aside; returns how many were not already kept."""
        if not rows:
            return 0
        tbl = pa.table(
            {
                "key": [r.key for r in rows],
                "source": [r.source for r in rows],
                "ref": [r.ref for r in rows],
                "reason": [r.reason for r in rows],
                "raw": [r.raw for r in rows],
                "first_run": [run_id] * len(rows),
            }
        )
        self.con.register("_rej", tbl)
        try:
            before = self._count("rejected")
            with self.transaction():
                self.exec(
                    "INSERT INTO rejected SELECT DISTINCT ON (key) * FROM _rej "
                    "ON CONFLICT DO NOTHING"
                )
            return self._count("rejected") - before
        finally:
            self.con.unregister("_rej")

    def _count(self, table: str) -> int:
        return int(self.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])  # type: ignore[index]

    def papers(
        self, *, until: date | None = None, ids: Sequence[str] | None = None, columns: str = "*"
    ) -> pd.DataFrame:
        where, params = self._paper_filter(until, ids)
        return self.con.execute(
            f"SELECT {columns} FROM papers {where} ORDER BY date, paper_id", params
        ).df()

    def _paper_filter(
        self, until: date | None, ids: Sequence[str] | None, prefix: str = ""
    ) -> tuple[str, list[Any]]:
        conds: list[str] = []
        params: list[Any] = []
        if until is not None:
            conds.append(f"{prefix}date <= ?")
            params.append(until)
        if ids is not None:
            conds.append(f"{prefix}paper_id IN (SELECT unnest(?::VARCHAR[]))")
            params.append(list(ids))
        return ("WHERE " + " AND ".join(conds) if conds else ""), params

    def paper_dates(self) -> list[date]:
        return [
            r[0]
            for r in self.con.execute("SELECT DISTINCT date FROM papers ORDER BY date").fetchall()
        ]

    def rejected(self) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM rejected ORDER BY source, ref").df()

    # ----------------------------------------------------------------- embeddings
    def missing_embeddings(self, model_id: str, *, until: date | None = None) -> pd.DataFrame:
        """Papers with no cached vector for their current text under ``model_id``."""
        params: list[Any] = [model_id]
        cond = ""
        if until is not None:
            cond = "AND p.date <= ?"
            params.append(until)
        return self.con.execute(
            f"""
            SELECT p.paper_id, p.title, p.abstract, p.text_sha256 FROM papers p
            WHERE NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.paper_id = p.paper_id
                              AND e.text_sha256 = p.text_sha256 AND e.model_id = ?) {cond}
            ORDER BY p.date, p.paper_id""",
            params,
        ).df()

    def put_embeddings(
        self, paper_ids: Sequence[str], shas: Sequence[str], model_id: str, vectors: np.ndarray
    ) -> int:
        """Add vectors to the cache (existing keys are left alone); returns rows added."""
        if len(paper_ids) == 0:
            return 0
        if len(paper_ids) != len(vectors) or len(shas) != len(vectors):
            raise ValueError("paper_ids, shas and vectors must have the same length")
        tbl = pa.table(
            {
                "paper_id": list(paper_ids),
                "text_sha256": list(shas),
                "model_id": [model_id] * len(paper_ids),
                "vector": _list_array(vectors),
            }
        )
        self.con.register("_emb", tbl)
        try:
            before = self._count("embeddings")
            with self.transaction():
                self.exec("INSERT INTO embeddings SELECT * FROM _emb ON CONFLICT DO NOTHING")
            return self._count("embeddings") - before
        finally:
            self.con.unregister("_emb")

    def embeddings(
        self, model_id: str, *, until: date | None = None, ids: Sequence[str] | None = None
    ) -> tuple[pd.DataFrame, np.ndarray]:
        """(papers frame with paper_id/date/upvotes, matrix) for papers' current texts."""
        where, params = self._paper_filter(until, ids, prefix="p.")
        where = where.replace("WHERE", "AND") if where else ""
        tbl = _arrow(
            self.con.execute(
                f"""
            SELECT p.paper_id, p.date, p.upvotes, e.vector FROM papers p
            JOIN embeddings e ON e.paper_id = p.paper_id AND e.text_sha256 = p.text_sha256
                             AND e.model_id = ?
            WHERE TRUE {where} ORDER BY p.date, p.paper_id""",
                [model_id, *params],
            )
        )
        meta = tbl.drop(["vector"]).to_pandas()
        return meta, _matrix(tbl.column("vector"))

    # ----------------------------------------------------------------- topics
    def topics(self) -> pd.DataFrame:
        return self.con.execute("SELECT * EXCLUDE (centroid) FROM topics ORDER BY topic_id").df()

    def topic_centroids(
        self, kind: str = "discovered", *, active_only: bool = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(topic ids, unit centroids, per-topic join thresholds) of topics with a centroid."""
        cond = "AND status = 'active'" if active_only else ""
        tbl = _arrow(
            self.con.execute(
                f"SELECT topic_id, centroid, coalesce(threshold, 0.0) AS threshold FROM topics "
                f"WHERE kind = ? AND centroid IS NOT NULL {cond} ORDER BY topic_id",
                [kind],
            )
        )
        return (
            np.asarray(tbl.column("topic_id").to_numpy(), dtype=np.int64),
            _matrix(tbl.column("centroid")),
            np.asarray(tbl.column("threshold").to_numpy(), dtype=np.float64),
        )

    def replace_topics(self, frame: pd.DataFrame, centroids: Sequence[np.ndarray | None]) -> None:
        """Write registry rows (upsert by topic_id); ``frame`` has every column but centroid."""
        df = frame.copy()
        df["centroid"] = [
            None if c is None else np.asarray(c, np.float32).tolist() for c in centroids
        ]
        cols = [
            "topic_id",
            "kind",
            "slug",
            "label",
            "name",
            "description",
            "top_terms",
            "birth_date",
            "status",
            "size",
            "centroid",
            "threshold",
            "model_id",
            "last_run",
        ]
        for c in cols:
            if c not in df:
                df[c] = None
        df = df[cols]
        self.con.register("_topics", df)
        try:
            with self.transaction():
                self.exec("DELETE FROM topics WHERE topic_id IN (SELECT topic_id FROM _topics)")
                self.exec(
                    f"INSERT INTO topics ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _topics"
                )
        finally:
            self.con.unregister("_topics")

    def next_topic_id(self) -> int:
        row = self.con.execute("SELECT coalesce(max(topic_id), 0) FROM topics").fetchall()
        return int(row[0][0]) + 1

    def add_topic_events(self, events: pd.DataFrame) -> None:
        if events.empty:
            return
        self.con.register("_ev", events)
        try:
            with self.transaction():
                self.exec(
                    "INSERT INTO topic_events SELECT run_id, date, topic_id, event, "
                    "other_topic_id, similarity FROM _ev"
                )
        finally:
            self.con.unregister("_ev")

    def topic_events(self) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM topic_events ORDER BY date, topic_id").df()

    # ----------------------------------------------------------------- assignments
    def assignments(self, *, kind: str | None = None) -> pd.DataFrame:
        cond = "WHERE t.kind = ?" if kind else ""
        return self.con.execute(
            f"""
            SELECT a.paper_id, a.topic_id, t.kind, t.slug, t.label, a.confidence, a.method,
                   a.run_id
            FROM assignments a JOIN topics t USING (topic_id) {cond}
            ORDER BY a.paper_id, a.topic_id""",
            [kind] if kind else [],
        ).df()

    def write_assignments(
        self,
        frame: pd.DataFrame,
        *,
        replace_kind: str | None = None,
        paper_ids: Sequence[str] | None = None,
    ) -> None:
        """Upsert (paper_id, topic_id, confidence, method, run_id) rows.

        ``replace_kind`` first deletes every assignment to topics of that kind (a refit);
        ``paper_ids`` first deletes those papers' assignments of that kind (a re-assignment).
        """
        self.con.register("_asg", frame[["paper_id", "topic_id", "confidence", "method", "run_id"]])
        try:
            with self.transaction():
                if replace_kind is not None:
                    scope = ""
                    params: list[Any] = [replace_kind]
                    if paper_ids is not None:
                        scope = "AND paper_id IN (SELECT unnest(?::VARCHAR[]))"
                        params.append(list(paper_ids))
                    self.exec(
                        "DELETE FROM assignments WHERE topic_id IN "
                        f"(SELECT topic_id FROM topics WHERE kind = ?) {scope}",
                        params,
                    )
                self.exec("""
                    INSERT INTO assignments SELECT * FROM _asg
                    ON CONFLICT (paper_id, topic_id) DO UPDATE SET
                        confidence = excluded.confidence, method = excluded.method,
                        run_id = excluded.run_id
                    WHERE assignments.confidence <> excluded.confidence
                       OR assignments.method <> excluded.method""")
        finally:
            self.con.unregister("_asg")

    # ----------------------------------------------------------------- novelty pool
    def novelty(self) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM novelty ORDER BY date, paper_id").df()

    def set_novelty(
        self, frame: pd.DataFrame, *, clear: bool = False, paper_ids: Sequence[str] | None = None
    ) -> None:
        """Put papers in the pool (``clear`` empties it first, as after a refit)."""
        self.con.register(
            "_nov", frame[["paper_id", "nearest_topic_id", "similarity", "date", "run_id"]]
        )
        try:
            with self.transaction():
                if clear:
                    self.exec("DELETE FROM novelty")
                elif paper_ids is not None:
                    self.exec(
                        "DELETE FROM novelty WHERE paper_id IN (SELECT unnest(?::VARCHAR[]))",
                        [list(paper_ids)],
                    )
                self.exec("INSERT INTO novelty SELECT * FROM _nov ON CONFLICT DO NOTHING")
        finally:
            self.con.unregister("_nov")

    # ----------------------------------------------------------------- fitted models
    def save_model(self, name: str, model_id: str, state: dict[str, Any], run_id: str) -> None:
        with self.transaction():
            self.exec("DELETE FROM models WHERE name = ?", [name])
            self.exec(
                "INSERT INTO models VALUES (?, ?, ?, ?)",
                [name, model_id, json.dumps(state), run_id],
            )

    def load_model(self, name: str) -> tuple[str, dict[str, Any]] | None:
        row = self.con.execute(
            "SELECT model_id, state FROM models WHERE name = ?", [name]
        ).fetchall()
        return None if not row else (row[0][0], json.loads(row[0][1]))

    # ----------------------------------------------------------------- runs
    def find_run(self, run_key: str, status: str = "success") -> dict[str, Any] | None:
        df = self.con.execute(
            "SELECT * FROM runs WHERE run_key = ? AND status = ? ORDER BY started_at DESC LIMIT 1",
            [run_key, status],
        ).df()
        return None if df.empty else df.iloc[0].to_dict()

    def record_run(self, run: dict[str, Any]) -> None:
        """Insert or update the manifest row of a run (JSON fields are dumped here)."""
        row = dict(run)
        for k in ("params", "versions", "counts", "timings"):
            row[k] = json.dumps(row.get(k) or {}, sort_keys=True, default=str)
        cols = [
            "run_id",
            "kind",
            "run_key",
            "date_from",
            "date_to",
            "status",
            "started_at",
            "finished_at",
            "params",
            "versions",
            "counts",
            "timings",
            "error",
        ]
        with self.transaction():
            self.exec("DELETE FROM runs WHERE run_id = ?", [row["run_id"]])
            self.exec(
                f"INSERT INTO runs VALUES ({', '.join('?' * len(cols))})",
                [row.get(c) for c in cols],
            )

    def runs(self) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM runs ORDER BY started_at").df()

    def last_run(self, kind: str | None = None, status: str = "success") -> dict[str, Any] | None:
        cond = "AND kind = ?" if kind else ""
        df = self.con.execute(
            f"SELECT * FROM runs WHERE status = ? {cond} ORDER BY started_at DESC LIMIT 1",
            [status, kind] if kind else [status],
        ).df()
        return None if df.empty else df.iloc[0].to_dict()


def now() -> datetime:
    return datetime.now().replace(microsecond=0)
