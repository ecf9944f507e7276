"""The topic registry, lineage events, assignments, the novelty pool and fitted models."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from trends.store._core import StoreCore, _arrow, _matrix


class TopicsMixin(StoreCore):
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
