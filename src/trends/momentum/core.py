"""``compute_momentum``: the store's three tables in, one row per (topic, period) out.

The computation is a handful of ``T x K`` array operations (periods x topics); no Python loop runs
over papers, and the only loops over periods are the burst decoder's and the backtest's horizons.
See docs/momentum.md for what each column means.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from trends.config import MomentumConfig
from trends.momentum import bursts as _bursts
from trends.momentum import forecast as _forecast
from trends.momentum import growth as _growth
from trends.momentum import significance as _sig
from trends.momentum import status as _status
from trends.momentum.shares import Panel, build_panel, period_start

TABLE_COLUMNS = (
    "topic_id",
    "label",
    "period",
    "count",
    "total",
    "share",
    "share_lo",
    "share_hi",
    "attention_share",
    "ewma_share",
    "recent_share",
    "baseline_share",
    "growth",
    "growth_lo",
    "growth_hi",
    "acceleration",
    "acceleration_lo",
    "acceleration_hi",
    "dispersion",
    "p_rising",
    "p_falling",
    "q_rising",
    "q_falling",
    "burst",
    "burst_level",
    "age_days",
    "status",
)

# the summary's per-topic values: the table's columns taken at the last period
SUMMARY_LAST_COLUMNS = tuple(
    c
    for c in TABLE_COLUMNS
    if c
    not in {
        "topic_id",
        "label",
        "period",
        "count",
        "total",
        "share_lo",
        "share_hi",
        "attention_share",
        "dispersion",
        "burst",
    }
)


@dataclass(frozen=True)
class MomentumResult:
    """What :func:`compute_momentum` returns; every frame is sorted by topic_id (then time)."""

    table: pd.DataFrame  # one row per (topic_id, period)
    summary: pd.DataFrame  # one row per topic as of the last period
    bursts: pd.DataFrame  # topic_id, start, end, level, intensity
    forecast: pd.DataFrame  # topic_id, period, horizon, mean, lo, hi
    freq: str
    as_of: pd.Timestamp | None  # the cut that was asked for (None: all papers)
    last_period: pd.Timestamp | None  # start of the last period in the table


@dataclass(frozen=True)
class _Stats:
    panel: Panel
    ewma: np.ndarray
    arrays: dict[str, np.ndarray]
    bursts: pd.DataFrame


def _compute(panel: Panel, cfg: MomentumConfig) -> _Stats:
    level = cfg.interval_level
    w = _growth.windows(panel, cfg.recent_periods, cfg.baseline_periods, cfg.overdispersion)
    g, g_lo, g_hi = _growth.growth(w, level)
    acc, acc_lo, acc_hi = _growth.acceleration(panel, cfg.recent_periods, w.phi, level)
    p_up, p_down = _sig.rate_tests(
        w.x_recent, w.n_recent, w.x_base, w.n_base, w.phi, cfg.min_papers
    )
    q_up, q_down = _sig.bh_qvalues(p_up), _sig.bh_qvalues(p_down)
    ewma = _growth.ewma_share(panel, cfg.ewma_halflife)
    n = np.broadcast_to(panel.totals[:, None], panel.counts.shape)
    s_lo, s_hi = _growth.share_interval(panel.counts, n, w.phi, level)
    states = _bursts.kleinberg_states(
        panel.counts,
        panel.totals,
        scale=cfg.burst_scale,
        gamma=cfg.burst_gamma,
        levels=cfg.burst_levels,
    )
    recent = w.recent_share
    status, age = _status.classify(
        panel, cfg, growth=g, q_rising=q_up, q_falling=q_down, recent_share=recent, ewma=ewma
    )
    arrays = {
        "count": panel.counts,
        "share": panel.shares,
        "share_lo": s_lo,
        "share_hi": s_hi,
        "attention_share": panel.attention,
        "ewma_share": ewma,
        "recent_share": recent,
        "baseline_share": w.baseline_share,
        "growth": g,
        "growth_lo": g_lo,
        "growth_hi": g_hi,
        "acceleration": acc,
        "acceleration_lo": acc_lo,
        "acceleration_hi": acc_hi,
        "dispersion": w.phi,
        "p_rising": p_up,
        "p_falling": p_down,
        "q_rising": q_up,
        "q_falling": q_down,
        "burst_level": states.astype(np.int64),
        "age_days": age,
        "status": status,
    }
    table_bursts = _bursts.burst_table(
        states, panel.periods, panel.topic_ids, panel.counts, panel.totals
    )
    return _Stats(panel, ewma, arrays, table_bursts)


def _long_table(st: _Stats) -> pd.DataFrame:
    panel = st.panel
    t_len, k = panel.counts.shape
    labels = panel.topics["label"].to_numpy()
    cols: dict[str, object] = {
        "topic_id": np.repeat(panel.topic_ids, t_len),
        "label": np.repeat(labels, t_len),
        "period": np.tile(panel.periods.to_numpy(), k),
        "total": np.tile(panel.totals, k).astype(np.int64),
    }
    for name, arr in st.arrays.items():
        cols[name] = np.asarray(arr).ravel(order="F")
    df = pd.DataFrame(cols)
    df["count"] = df["count"].astype(np.int64)
    df["burst"] = df["burst_level"] > 0
    df["status"] = df["status"].astype(str)
    return df[list(TABLE_COLUMNS)]


def _summary(st: _Stats, forecast: pd.DataFrame, cfg: MomentumConfig) -> pd.DataFrame:
    panel = st.panel
    t = panel.topics[["topic_id", "label", "kind", "slug"]].reset_index(drop=True).copy()
    if panel.counts.shape[0] == 0:
        for c in SUMMARY_LAST_COLUMNS:
            t[c] = np.nan
        return t
    last = {name: np.asarray(arr)[-1] for name, arr in st.arrays.items()}
    for c in SUMMARY_LAST_COLUMNS:
        t[c] = last[c]
    t["status"] = t["status"].astype(str)
    t["in_burst"] = t["burst_level"] > 0
    last_p = panel.periods[-1]
    b = st.bursts
    cur = b[b["end"] == last_p].set_index("topic_id")["start"]
    t["burst_start"] = pd.Series(
        cur.reindex(t["topic_id"].to_numpy()).to_numpy(), dtype="datetime64[ns]"
    )
    seen = _status.first_seen(panel, cfg.young_min_papers)[-1]
    seen_start = period_start(
        np.where(np.isnat(seen), panel.periods[-1].to_datetime64(), seen), panel.freq
    )
    idx = np.searchsorted(panel.periods.to_numpy(), seen_start)
    t["age_periods"] = np.where(np.isnat(seen), np.nan, len(panel.periods) - 1 - idx)
    t["papers"] = panel.counts.sum(axis=0).astype(np.int64)
    if len(forecast):
        h = forecast[forecast["horizon"] == forecast["horizon"].max()].set_index("topic_id")
        for c in ("mean", "lo", "hi"):
            t[f"forecast_{c}"] = t["topic_id"].map(h[c])
    return t


def _resolve(cfg: MomentumConfig, freq: str | None) -> MomentumConfig:
    if freq is None or freq == cfg.freq:
        return cfg
    return cfg.model_copy(update={"freq": freq})


def _panel(
    papers: pd.DataFrame,
    assignments: pd.DataFrame,
    topics: pd.DataFrame,
    cfg: MomentumConfig,
    as_of: date | str | pd.Timestamp | None,
) -> Panel:
    return build_panel(
        papers,
        assignments,
        topics,
        freq=cfg.freq,
        as_of=as_of,
        business_days=cfg.business_days,
        min_confidence=cfg.min_confidence,
    )


def compute_momentum(
    papers: pd.DataFrame,
    assignments: pd.DataFrame,
    topics: pd.DataFrame,
    cfg: MomentumConfig | None = None,
    *,
    freq: str | None = None,
    as_of: date | str | pd.Timestamp | None = None,
) -> MomentumResult:
    """Momentum of every topic at every period, using only papers dated on or before ``as_of``.

    ``freq`` overrides ``cfg.freq`` ('D', 'W' or 'M'); window lengths stay in periods.
    """
    cfg = _resolve(cfg or MomentumConfig(), freq)
    panel = _panel(papers, assignments, topics, cfg, as_of)
    st = _compute(panel, cfg)
    fc = _forecast.forecast_frame(panel, st.ewma, cfg, cfg.business_days)
    summary = _summary(st, fc, cfg)
    return MomentumResult(
        table=_long_table(st),
        summary=summary,
        bursts=st.bursts,
        forecast=fc,
        freq=cfg.freq,
        as_of=panel.as_of,
        last_period=panel.periods[-1] if len(panel.periods) else None,
    )


def forecast_backtest(
    papers: pd.DataFrame,
    assignments: pd.DataFrame,
    topics: pd.DataFrame,
    cfg: MomentumConfig | None = None,
    *,
    freq: str | None = None,
    as_of: date | str | pd.Timestamp | None = None,
    warmup: int | None = None,
) -> pd.DataFrame:
    """Rolling-origin error of the share forecast vs the naive "same as last period" forecast.

    One row per horizon and an ``all`` row: pairs, mae_model, mae_naive, relative_mae, coverage.
    """
    cfg = _resolve(cfg or MomentumConfig(), freq)
    panel = _panel(papers, assignments, topics, cfg, as_of)
    ewma = _growth.ewma_share(panel, cfg.ewma_halflife)
    return _forecast.backtest_errors(panel, ewma, cfg, warmup)
