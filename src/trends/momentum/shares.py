"""Counts and shares per (topic, period): the wide panel every other statistic is computed on.

The panel is a set of ``T x K`` matrices (periods x topics) plus per-period totals. Periods with
no papers are present (zero-filled); a period's *share* is ``count / total`` and is undefined
(NaN) when the period holds no papers at all, so an empty weekend or holiday never looks like a
collapse, and a weekday never looks like a spike next to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from trends.errors import TrendsError

FREQS = ("D", "W", "M")
_EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday: (days + 3) % 7 is 0 on Mondays


@dataclass(frozen=True)
class Panel:
    """Zero-filled counts on a regular grid of periods (rows) for every topic (columns)."""

    freq: str
    periods: pd.DatetimeIndex  # period starts, T
    topic_ids: np.ndarray  # K ints
    counts: np.ndarray  # T x K papers of the topic in the period
    totals: np.ndarray  # T papers in the period (all papers, with or without a topic)
    att_num: np.ndarray  # T x K upvotes of the topic's papers (papers with known upvotes)
    att_den: np.ndarray  # T upvotes of all papers with known upvotes
    topics: pd.DataFrame  # topic_id, label, kind, slug, birth_date: one row per column, in order
    as_of: pd.Timestamp | None = None  # the cut, when one was given

    @property
    def shares(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.totals[:, None] > 0, self.counts / self.totals[:, None], np.nan)

    @property
    def attention(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            den = self.att_den[:, None]
            return np.where(den > 0, self.att_num / den, np.nan)


def period_start(
    dates: pd.Series | pd.DatetimeIndex | np.ndarray, freq: str, business_days: bool = True
) -> np.ndarray:
    """Start (datetime64[ns]) of the period holding each date.

    ``W`` weeks start on Monday, ``M`` months on the 1st. ``D`` with ``business_days`` moves
    Saturday and Sunday to the following Monday, the day the feed lists them.
    """
    if freq not in FREQS:
        raise TrendsError(f"unknown momentum freq {freq!r} (expected one of {', '.join(FREQS)})")
    days = np.asarray(dates, dtype="datetime64[ns]").astype("datetime64[D]")
    if freq == "M":
        return days.astype("datetime64[M]").astype("datetime64[ns]")
    d = days.astype(np.int64)
    weekday = (d + _EPOCH_WEEKDAY) % 7
    if freq == "W":
        d = d - weekday
    elif business_days:
        d = np.where(weekday >= 5, d + (7 - weekday), d)
    return d.astype("datetime64[D]").astype("datetime64[ns]")


def period_grid(
    first: np.datetime64, last: np.datetime64, freq: str, business_days: bool = True
) -> pd.DatetimeIndex:
    """Every period start from ``first`` to ``last`` (both period starts), inclusive."""
    unit = "datetime64[M]" if freq == "M" else "datetime64[D]"
    lo = int(np.asarray(first).astype(unit).astype(np.int64))
    hi = int(np.asarray(last).astype(unit).astype(np.int64))
    if freq == "M":
        months = np.arange(lo, hi + 1).astype(unit)
        return pd.DatetimeIndex(months.astype("datetime64[ns]"))
    step = 7 if freq == "W" else 1
    days = np.arange(lo, hi + 1, step).astype(unit)
    if freq == "D" and business_days:
        days = days[((days.astype(np.int64) + _EPOCH_WEEKDAY) % 7) < 5]
    return pd.DatetimeIndex(days.astype("datetime64[ns]"))


def next_periods(
    last: pd.Timestamp, n: int, freq: str, business_days: bool = True
) -> pd.DatetimeIndex:
    """The ``n`` period starts after ``last`` (for forecasts)."""
    if freq == "M":
        start = np.datetime64(last, "M")
        return pd.DatetimeIndex((start + np.arange(1, n + 1)).astype("datetime64[ns]"))
    step = 7 if freq == "W" else 1
    d0 = np.datetime64(last, "D")
    days = d0 + step * np.arange(1, 3 * n + 8)
    if freq == "D" and business_days:
        days = days[((days.astype(np.int64) + _EPOCH_WEEKDAY) % 7) < 5]
    return pd.DatetimeIndex(days[:n].astype("datetime64[ns]"))


def _as_timestamp(as_of: date | str | pd.Timestamp | None) -> pd.Timestamp | None:
    if as_of is None:
        return None
    try:
        ts = pd.Timestamp(as_of)
    except (ValueError, TypeError):
        raise TrendsError(f"not a date: {as_of!r} (expected YYYY-MM-DD)") from None
    return ts.normalize()


def _clean_topics(topics: pd.DataFrame, extra_ids: np.ndarray) -> pd.DataFrame:
    t = topics.copy()
    for col, default in (("label", None), ("kind", "discovered"), ("birth_date", pd.NaT)):
        if col not in t.columns:
            t[col] = default
    if "slug" not in t.columns:
        t["slug"] = None
    t = t[["topic_id", "label", "kind", "slug", "birth_date"]].drop_duplicates("topic_id")
    t["topic_id"] = t["topic_id"].astype(np.int64)
    missing = np.setdiff1d(extra_ids, t["topic_id"].to_numpy())
    if len(missing):
        add = pd.DataFrame(
            {
                "topic_id": missing,
                "label": None,
                "kind": "discovered",
                "slug": None,
                "birth_date": pd.NaT,
            }
        )
        t = pd.concat([t, add], ignore_index=True) if len(t) else add
    t["label"] = t["label"].where(t["label"].notna(), "topic " + t["topic_id"].astype(str))
    t["label"] = t["label"].astype(str)
    t["birth_date"] = pd.to_datetime(t["birth_date"]).astype("datetime64[ns]")
    return t.sort_values("topic_id", kind="stable").reset_index(drop=True)


def build_panel(
    papers: pd.DataFrame,
    assignments: pd.DataFrame,
    topics: pd.DataFrame,
    *,
    freq: str,
    as_of: date | str | pd.Timestamp | None = None,
    business_days: bool = True,
    min_confidence: float = 0.0,
) -> Panel:
    """Turn the store's three tables into a zero-filled :class:`Panel`.

    Only papers dated on or before ``as_of`` are used; the grid runs from the first to the last
    period holding such a paper. A paper with several topics counts once for each; duplicate
    (paper, topic) rows count once.
    """
    for name, frame, cols in (
        ("papers", papers, ("paper_id", "date")),
        ("assignments", assignments, ("paper_id", "topic_id")),
        ("topics", topics, ("topic_id",)),
    ):
        miss = [c for c in cols if c not in frame.columns]
        if miss:
            raise TrendsError(f"momentum: {name} table lacks column(s) {', '.join(miss)}")
    cut = _as_timestamp(as_of)
    p = papers.drop_duplicates("paper_id")
    dates = pd.to_datetime(p["date"]).to_numpy(dtype="datetime64[ns]")
    keep = ~np.isnat(dates)
    if cut is not None:
        keep &= dates <= cut.to_datetime64()
    p_ids = p["paper_id"].to_numpy()[keep]
    upv = (
        p["upvotes"].to_numpy(dtype=float, na_value=np.nan)[keep]
        if "upvotes" in p.columns
        else np.full(keep.sum(), np.nan)
    )
    starts = period_start(dates[keep], freq, business_days)

    a = assignments
    if min_confidence > 0 and "confidence" in a.columns:
        a = a[a["confidence"].to_numpy(dtype=float, na_value=0.0) >= min_confidence]
    a = a.drop_duplicates(["paper_id", "topic_id"])
    topic_col = a["topic_id"].to_numpy(dtype=np.int64)
    t = _clean_topics(topics, np.unique(topic_col))
    topic_ids = t["topic_id"].to_numpy(dtype=np.int64)

    if len(starts) == 0:
        empty = np.zeros((0, len(topic_ids)))
        return Panel(
            freq,
            pd.DatetimeIndex([], dtype="datetime64[ns]"),
            topic_ids,
            empty,
            np.zeros(0),
            empty.copy(),
            np.zeros(0),
            t,
            cut,
        )
    grid = period_grid(starts.min(), starts.max(), freq, business_days)
    row_of_paper = grid.get_indexer(starts)
    n_t = len(grid)
    totals = np.bincount(row_of_paper, minlength=n_t).astype(float)
    known = ~np.isnan(upv)
    att_den = np.bincount(row_of_paper[known], weights=upv[known], minlength=n_t)

    paper_pos = pd.Index(p_ids).get_indexer(a["paper_id"].to_numpy())
    ok = paper_pos >= 0
    rows = row_of_paper[paper_pos[ok]]
    cols = np.searchsorted(topic_ids, topic_col[ok])
    flat = rows * len(topic_ids) + cols
    size = n_t * len(topic_ids)
    counts = np.bincount(flat, minlength=size).astype(float).reshape(n_t, len(topic_ids))
    w = upv[paper_pos[ok]]
    kn = ~np.isnan(w)
    att_num = np.bincount(flat[kn], weights=w[kn], minlength=size).reshape(n_t, len(topic_ids))
    return Panel(freq, grid, topic_ids, counts, totals, att_num, att_den, t, cut)


def window_sum(x: np.ndarray, length: int, lag: int = 0) -> np.ndarray:
    """Trailing sum over ``length`` periods ending ``lag`` periods before each row.

    Rows without a complete window are NaN, so no statistic is computed from a partial history.
    Works on 1-D (T) and 2-D (T x K) arrays.
    """
    x = np.asarray(x, dtype=float)
    c = np.concatenate([np.zeros((1, *x.shape[1:])), np.cumsum(x, axis=0)], axis=0)
    out = np.full(x.shape, np.nan)
    end = np.arange(x.shape[0]) - lag  # last row in the window
    start = end - length + 1
    ok = start >= 0
    out[ok] = c[end[ok] + 1] - c[start[ok]]
    return out
