"""The run manifest."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from trends.store._core import StoreCore


class RunsMixin(StoreCore):
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
