"""Status of every topic at every period: emerging, rising, steady, cooling or fading.

Rules (thresholds in :class:`trends.config.MomentumConfig`; ``ratio = exp(growth)`` is recent share
over baseline share):

* **emerging** - rising (below) *and* young (first seen at most ``emerging_max_age_days`` ago)
  *and* ``ratio >= emerging_min_ratio``.
* **rising** - ``q_rising < fdr_alpha`` and ``ratio >= rising_min_ratio``.
* **fading** - ``q_falling < fdr_alpha`` and ``ratio <= cooling_max_ratio`` and the recent share is
  below ``fading_peak_ratio`` x the topic's highest smoothed share so far.
* **cooling** - ``q_falling < fdr_alpha`` and ``ratio <= cooling_max_ratio`` (not fading).
* **steady** - everything else, including topics not tested (too few papers, warm-up).

A topic is *first seen* at its ``birth_date`` when that date is known and not after the period,
otherwise at the period of its ``young_min_papers``-th paper. A topic without a birth date that is
first seen within the first ``baseline_periods`` periods of the data may be older than the data,
so it is never young (never emerging). All inputs are trailing, so the status
at period ``t`` is what an analyst would have seen at the end of ``t``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trends.config import MomentumConfig
from trends.momentum.shares import Panel

STATUSES = ("emerging", "rising", "steady", "cooling", "fading")
FLAGGED = ("emerging", "rising")


def first_seen(panel: Panel, young_min_papers: int) -> np.ndarray:
    """Start (datetime64[ns], NaT = not yet) of each topic as known at each period (T x K)."""
    t_len, k = panel.counts.shape
    if t_len == 0:
        return np.full((0, k), np.datetime64("NaT"), dtype="datetime64[ns]")
    periods = panel.periods.to_numpy()
    reached = np.cumsum(panel.counts, axis=0) >= young_min_papers
    any_reached = reached.any(axis=0)
    first_row = np.where(any_reached, reached.argmax(axis=0), t_len)
    by_count = np.full((t_len, k), np.datetime64("NaT"), dtype="datetime64[ns]")
    rows = np.arange(t_len)[:, None]
    seen = rows >= first_row[None, :]
    safe_first = np.minimum(first_row, t_len - 1)
    by_count = np.where(seen, periods[safe_first][None, :], by_count)
    birth = panel.topics["birth_date"].to_numpy(dtype="datetime64[ns]")
    # a birth date counts from the period that contains it on
    birth_known = (~np.isnat(birth))[None, :] & (birth[None, :] <= _period_ends(panel)[:, None])
    return np.where(birth_known, np.broadcast_to(birth[None, :], (t_len, k)), by_count)


def _period_ends(panel: Panel) -> np.ndarray:
    p = panel.periods.to_numpy()
    if len(p) == 0:
        return p
    nxt = np.empty_like(p)
    nxt[:-1] = p[1:]
    if panel.freq == "M":
        nxt[-1] = (np.datetime64(p[-1], "M") + 1).astype("datetime64[ns]")
    else:
        nxt[-1] = p[-1] + np.timedelta64(7 if panel.freq == "W" else 1, "D")
    ends = nxt - np.timedelta64(1, "ns")
    if panel.as_of is not None:  # never look past the cut, not even at topic metadata
        cut = (panel.as_of + pd.Timedelta(days=1)).to_datetime64() - np.timedelta64(1, "ns")
        ends = np.minimum(ends, cut)
    return ends


def classify(
    panel: Panel,
    cfg: MomentumConfig,
    *,
    growth: np.ndarray,
    q_rising: np.ndarray,
    q_falling: np.ndarray,
    recent_share: np.ndarray,
    ewma: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Status (T x K object array) and age in days at each period start (NaN: not seen yet)."""
    if panel.counts.shape[0] == 0:
        return np.full(growth.shape, "steady", dtype=object), np.full(growth.shape, np.nan)
    seen = first_seen(panel, cfg.young_min_papers)
    starts = panel.periods.to_numpy()
    age_days = (starts[:, None] - seen) / np.timedelta64(1, "D")
    age_days = np.where(np.isnat(seen), np.nan, np.maximum(np.floor(age_days), 0.0))
    ratio = np.exp(growth)
    # first seen inside the first baseline window of the data: it may be older than the data
    # (left-censored), so it only counts as young when its birth date says so
    censor_end = panel.periods[min(cfg.baseline_periods, len(panel.periods)) - 1].to_datetime64()
    birth = panel.topics["birth_date"].to_numpy(dtype="datetime64[ns]")
    censored = (seen <= censor_end) & np.isnat(birth)[None, :]
    with np.errstate(invalid="ignore"):
        up = (q_rising < cfg.fdr_alpha) & (ratio >= cfg.rising_min_ratio)
        young = (age_days <= cfg.emerging_max_age_days) & ~censored
        emerging = up & young & (ratio >= cfg.emerging_min_ratio)
        down = (q_falling < cfg.fdr_alpha) & (ratio <= cfg.cooling_max_ratio)
        peak = pd.DataFrame(ewma).cummax().to_numpy()
        fading = down & (recent_share < cfg.fading_peak_ratio * peak)
    status = np.full(growth.shape, "steady", dtype=object)
    status[down] = "cooling"
    status[fading] = "fading"
    status[up] = "rising"
    status[emerging] = "emerging"
    return status, age_days
