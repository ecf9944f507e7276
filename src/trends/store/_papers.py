"""Papers, rejected rows and the embedding cache."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from trends.records import Paper, Rejected, text_sha256
from trends.store._core import StoreCore, _arrow, _list_array, _matrix


class PapersMixin(StoreCore):
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

    def unassigned_papers(self, *, until: date) -> list[str]:
        """Ids of papers up to ``until`` with no topic and not in the novelty pool."""
        rows = self.con.execute(
            "SELECT paper_id FROM papers p WHERE date <= ? AND NOT EXISTS "
            "(SELECT 1 FROM assignments a WHERE a.paper_id = p.paper_id) AND NOT EXISTS "
            "(SELECT 1 FROM novelty n WHERE n.paper_id = p.paper_id) ORDER BY paper_id",
            [until],
        ).fetchall()
        return [r[0] for r in rows]

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

    def cached_vectors(
        self, paper_ids: Sequence[str], shas: Sequence[str], model_id: str
    ) -> tuple[np.ndarray, np.ndarray]:
        """Cached vectors for (id, text hash) keys, papers in the store or not.

        Returns ``(found, matrix)``: a boolean mask over the keys and a ``[n, dim]`` matrix whose
        rows are zero where nothing is cached. Keys must be unique.
        """
        if len(set(zip(paper_ids, shas, strict=True))) != len(paper_ids):
            raise ValueError("cached_vectors: (paper id, text hash) keys must be unique")
        keys = pa.table({"paper_id": list(paper_ids), "text_sha256": list(shas)})
        self.con.register("_keys", keys)
        try:
            tbl = _arrow(
                self.con.execute(
                    """
                SELECT k.paper_id, k.text_sha256, e.vector FROM _keys k
                JOIN embeddings e ON e.paper_id = k.paper_id AND e.text_sha256 = k.text_sha256
                                 AND e.model_id = ?""",
                    [model_id],
                )
            )
        finally:
            self.con.unregister("_keys")
        pos = {key: i for i, key in enumerate(zip(paper_ids, shas, strict=True))}
        found = np.zeros(len(pos), dtype=bool)
        if tbl.num_rows == 0:
            return found, np.zeros((len(pos), 0), dtype=np.float32)
        got = _matrix(tbl.column("vector"))
        out = np.zeros((len(pos), got.shape[1]), dtype=np.float32)
        rows = [
            pos[key]
            for key in zip(
                tbl.column("paper_id").to_pylist(),
                tbl.column("text_sha256").to_pylist(),
                strict=True,
            )
        ]
        out[rows] = got
        found[rows] = True
        return found, out

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
