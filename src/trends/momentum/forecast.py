"""Short-horizon share forecast and its backtest against the naive "same as last period".

Model: simple exponential smoothing of the share (a local-level model). The forecast for every
horizon ``h`` is the smoothed share now (``ewma_share``, the same number the table shows). The
interval comes from the topic's own one-step-ahead errors over the last ``forecast_error_window``
periods (``sigma``, their root mean square) widened for the horizon as in the ARIMA(0,1,1) form of
SES: ``sd_h = sigma * sqrt(1 + (h - 1) * alpha^2)`` with ``alpha = 1 - 2^(-1/halflife)`` (Hyndman &
Athanasopoulos, FPP3 s. 8.7), clipped to [0, 1]. Everything is trailing, so a backtest replays it
without look-ahead by reading the row of each origin period.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from trends.config import MomentumConfig
from trends.momentum.shares import Panel, next_periods


def _alpha(halflife: float) -> float:
    return float(1.0 - 2.0 ** (-1.0 / halflife))


def one_step_sigma(shares: np.ndarray, level: np.ndarray, window: int) -> np.ndarray:
    """RMS of ``share_t - level_{t-1}`` over the trailing ``window`` periods (T x K, NaN < 3)."""
    err = np.full(shares.shape, np.nan)
    err[1:] = shares[1:] - level[:-1]
    ok = ~np.isnan(err)
    e2 = np.where(ok, err * err, 0.0)
    # partial windows are fine here: sum over what exists so far, up to ``window`` periods
    c2 = np.vstack([np.zeros((1, *e2.shape[1:])), np.cumsum(e2, axis=0)])
    cn = np.vstack([np.zeros((1, *ok.shape[1:])), np.cumsum(ok, axis=0)])
    end = np.arange(1, shares.shape[0] + 1)
    start = np.maximum(end - window, 0)
    s2, n = c2[end] - c2[start], cn[end] - cn[start]
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.sqrt(s2 / n)
    return np.where(n >= 3, sigma, np.nan)


def horizon_sd(sigma: np.ndarray, h: int, halflife: float) -> np.ndarray:
    return np.asarray(sigma * np.sqrt(1.0 + (h - 1) * _alpha(halflife) ** 2))


def forecast_frame(
    panel: Panel, ewma: np.ndarray, cfg: MomentumConfig, business_days: bool = True
) -> pd.DataFrame:
    """Forecast for the ``forecast_horizon`` periods after the last one: one row per (topic, h)."""
    cols = ["topic_id", "period", "horizon", "mean", "lo", "hi"]
    k = len(panel.topic_ids)
    if panel.counts.shape[0] == 0 or k == 0:
        return pd.DataFrame({c: [] for c in cols})
    sigma = one_step_sigma(panel.shares, ewma, cfg.forecast_error_window)[-1]
    z = norm.ppf(0.5 + cfg.interval_level / 2)
    fut = next_periods(panel.periods[-1], cfg.forecast_horizon, panel.freq, business_days)
    frames = []
    for h, period in enumerate(fut, start=1):
        sd = horizon_sd(sigma, h, cfg.ewma_halflife)
        mean = ewma[-1]
        frames.append(
            pd.DataFrame(
                {
                    "topic_id": panel.topic_ids,
                    "period": np.repeat(period.to_datetime64(), k),
                    "horizon": h,
                    "mean": mean,
                    "lo": np.clip(mean - z * sd, 0.0, 1.0),
                    "hi": np.clip(mean + z * sd, 0.0, 1.0),
                }
            )
        )
    return (
        pd.concat(frames, ignore_index=True)
        .sort_values(["topic_id", "horizon"], kind="stable")
        .reset_index(drop=True)
    )


def backtest_errors(
    panel: Panel, ewma: np.ndarray, cfg: MomentumConfig, warmup: int | None = None
) -> pd.DataFrame:
    """Rolling-origin backtest of the forecast vs the naive last-period share.

    For every origin period ``t`` after ``warmup`` periods and every horizon ``h``, both forecasts
    use data up to ``t`` only and are scored on the realised share at ``t + h`` (periods whose
    share is defined). Returns one row per horizon plus an ``all`` row: pairs scored, mean absolute
    error of each (in share units), ``relative_mae`` (model / naive; < 1 means the model is better)
    and the interval's empirical coverage.
    """
    shares = panel.shares
    t_len = shares.shape[0]
    warm = cfg.forecast_error_window if warmup is None else warmup
    sigma = one_step_sigma(shares, ewma, cfg.forecast_error_window)
    naive = pd.DataFrame(shares).ffill().to_numpy()
    z = norm.ppf(0.5 + cfg.interval_level / 2)
    rows = []
    tot_m, tot_n, tot_c, tot_cnt = 0.0, 0.0, 0.0, 0
    for h in range(1, cfg.forecast_horizon + 1):
        if t_len - h <= warm:
            continue
        origin = slice(warm, t_len - h)
        actual = shares[warm + h :]
        model, nv = ewma[origin], naive[origin]
        sd = horizon_sd(sigma[origin], h, cfg.ewma_halflife)
        ok = ~(np.isnan(actual) | np.isnan(model) | np.isnan(nv) | np.isnan(sd))
        em = np.abs(actual - model)[ok]
        en = np.abs(actual - nv)[ok]
        lo, hi = np.clip(model - z * sd, 0, 1)[ok], np.clip(model + z * sd, 0, 1)[ok]
        cover = (actual[ok] >= lo) & (actual[ok] <= hi)
        rows.append(_row(str(h), em.sum(), en.sum(), cover.sum(), int(ok.sum())))
        tot_m += em.sum()
        tot_n += en.sum()
        tot_c += cover.sum()
        tot_cnt += int(ok.sum())
    rows.append(_row("all", tot_m, tot_n, tot_c, tot_cnt))
    return pd.DataFrame(rows)


def _row(h: str, sum_model: float, sum_naive: float, covered: float, n: int) -> dict[str, object]:
    mae_m = sum_model / n if n else np.nan
    mae_n = sum_naive / n if n else np.nan
    return {
        "horizon": h,
        "pairs": n,
        "mae_model": mae_m,
        "mae_naive": mae_n,
        "relative_mae": mae_m / mae_n if n and mae_n > 0 else np.nan,
        "coverage": covered / n if n else np.nan,
    }


__all__ = ["backtest_errors", "forecast_frame", "horizon_sd", "one_step_sigma"]
