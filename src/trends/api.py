"""The notebook API: ``store = trends.open("config.yaml")`` and DataFrames from there.

Everything here reads what the pipeline already computed (papers, topics, assignments) and runs
only table maths on top (momentum); nothing is re-embedded or refitted.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from trends.config import Config, load_config, parse_date
from trends.store import Store


class TrendsStore:
    """A read-only view of a trends store for analysts."""

    def __init__(self, config: Config, *, read_only: bool = True):
        self.config = config
        self._store = Store(config.store.path, read_only=read_only)

    # -- plain tables
    def papers(self, *, as_of: str | date | None = None) -> pd.DataFrame:
        """One row per paper: paper_id, title, abstract, date, published, upvotes, authors…"""
        until = parse_date(as_of) if as_of is not None else None
        df = self._store.papers(until=until)
        df["date"] = pd.to_datetime(df["date"])
        return df

    def topics(self) -> pd.DataFrame:
        """One row per topic: topic_id, slug (named), label, kind, size, birth_date, status…"""
        return self._store.topics()

    def assignments(self, *, kind: str | None = None) -> pd.DataFrame:
        """One row per (paper, topic) with its confidence and how it was made."""
        return self._store.assignments(kind=kind)

    def rejected(self) -> pd.DataFrame:
        """Input rows that were kept aside, with their reasons."""
        return self._store.rejected()

    def runs(self) -> pd.DataFrame:
        """The manifest: one row per run with params, versions, counts and timings."""
        return self._store.runs()

    def topic_events(self) -> pd.DataFrame:
        """Registry lineage: born / matched / split / merged / dormant / revived per refit."""
        return self._store.topic_events()

    def novelty(self) -> pd.DataFrame:
        """Papers that fit no topic well, waiting for the next refit."""
        return self._store.novelty()

    def query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Any read-only SQL over the store's tables."""
        return self._store.query(sql, params)

    # -- momentum
    def momentum_result(self, *, freq: str | None = None, as_of: str | date | None = None) -> Any:
        """The full :class:`trends.momentum.MomentumResult` (table, summary, bursts, forecast)."""
        from trends.momentum import compute_momentum
        from trends.reporting import momentum_inputs

        until = parse_date(as_of) if as_of is not None else None
        papers, asg, topics = momentum_inputs(self._store, until)
        return compute_momentum(papers, asg, topics, self.config.momentum, freq=freq, as_of=until)

    def momentum(self, freq: str | None = None, as_of: str | date | None = None) -> pd.DataFrame:
        """One row per (topic, period): count, share, attention share, smoothed share, growth
        with its interval, p/q-values, burst flag and status. ``as_of`` uses only papers dated
        up to that day (no look-ahead)."""
        return self.momentum_result(freq=freq, as_of=as_of).table

    def summary(self, freq: str | None = None, as_of: str | date | None = None) -> pd.DataFrame:
        """One row per topic as of the last period: status, growth and its interval, q-values."""
        return self.momentum_result(freq=freq, as_of=as_of).summary

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> TrendsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open(config: str | Path | Config = "config.yaml") -> TrendsStore:
    """Open the store named by a config file (or a loaded :class:`Config`) for reading."""
    cfg = config if isinstance(config, Config) else load_config(config)
    return TrendsStore(cfg)
