"""Smoothed share, growth and acceleration, each with a count-model interval.

Everything here is trailing: the value at period ``t`` uses periods ``<= t`` only.

Count model: a topic's papers in a window are binomial out of the window's papers, with a
*quasi-binomial* dispersion factor ``phi >= 1`` (McCullagh & Nelder 1989) estimated from the
topic's own baseline window by successive differences (see :func:`dispersion`). ``phi`` widens
every interval and deflates every test when weeks differ more than binomial noise allows (papers
on one topic arrive in clumps: a lab's batch of papers, a conference deadline).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from trends.momentum.shares import Panel, window_sum

HALF = 0.5  # Haldane-Anscombe correction: keeps log shares finite when a window has 0 papers


@dataclass(frozen=True)
class Windows:
    """Trailing window sums (T x K, NaN until the window is complete)."""

    x_recent: np.ndarray
    n_recent: np.ndarray
    x_base: np.ndarray
    n_base: np.ndarray
    phi: np.ndarray  # dispersion factor, >= 1

    @property
    def recent_share(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.n_recent > 0, self.x_recent / self.n_recent, np.nan)

    @property
    def baseline_share(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.n_base > 0, self.x_base / self.n_base, np.nan)


def ewma_share(panel: Panel, halflife: float) -> np.ndarray:
    """EWMA of counts divided by EWMA of totals (a ratio estimator; empty periods weigh 0)."""
    if panel.counts.shape[0] == 0:
        return panel.counts.copy()
    num = pd.DataFrame(panel.counts).ewm(halflife=halflife).mean().to_numpy()
    den = pd.Series(panel.totals).ewm(halflife=halflife).mean().to_numpy()[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def dispersion(panel: Panel, length: int, lag: int) -> np.ndarray:
    """Quasi-binomial dispersion ``phi`` of each topic over a trailing window (floored at 1).

    Successive-difference estimator: for each pair of neighbouring non-empty periods in the window,
    ``d = (s_2 - s_1)^2 / (1/n_1 + 1/n_2)`` with ``s`` the period share and ``n`` its papers; under
    a constant binomial share ``E[d] = p(1-p)``. ``phi = mean(d) / (p(1-p))`` with ``p`` the pooled
    share of the window. Unlike a chi-square around the window's mean, a slow trend or a single step
    inside the window adds little to it (a step adds one term), so a topic that is really moving
    does not hide its own rise by inflating ``phi``.
    """
    x, n = panel.counts, panel.totals
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(n[:, None] > 0, x / n[:, None], np.nan)
        d = np.full(x.shape, np.nan)
        d[1:] = (s[1:] - s[:-1]) ** 2 / (1.0 / n[1:, None] + 1.0 / n[:-1, None])
    ok = ~np.isnan(d)
    pairs = max(length - 1, 1)
    sd = window_sum(np.where(ok, d, 0.0), pairs, lag)
    cnt = window_sum(ok.astype(float), pairs, lag)
    sx = window_sum(x, length, lag)
    sn = window_sum(np.broadcast_to(n[:, None], x.shape), length, lag)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = sx / sn
        phi = (sd / cnt) / (p * (1 - p))
    if length < 2:
        phi = np.ones_like(x)
    phi = np.where(np.isfinite(phi), phi, 1.0)
    return np.maximum(phi, 1.0)


def windows(panel: Panel, recent: int, baseline: int, overdispersion: bool = True) -> Windows:
    """Recent window = the last ``recent`` periods; baseline = the ``baseline`` periods before."""
    n = np.broadcast_to(panel.totals[:, None], panel.counts.shape)
    phi = dispersion(panel, baseline, recent) if overdispersion else np.ones_like(panel.counts)
    return Windows(
        x_recent=window_sum(panel.counts, recent),
        n_recent=window_sum(n, recent),
        x_base=window_sum(panel.counts, baseline, recent),
        n_base=window_sum(n, baseline, recent),
        phi=phi,
    )


def _log_share_var(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Delta-method variance of ``log((x + .5) / (n + .5))`` for binomial ``x`` of ``n``."""
    return np.maximum(1.0 / (x + HALF) - 1.0 / (n + HALF), 0.0)


def _log_share(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    return np.log((x + HALF) / (n + HALF))


def growth(w: Windows, level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log ratio of recent to baseline share, with its ``level`` interval (Katz log-ratio).

    ``growth = log((x_r + .5)/(n_r + .5)) - log((x_b + .5)/(n_b + .5))``; 0 means unchanged,
    ``log 2 = 0.69`` means doubled. Its variance is the binomial delta-method variance times phi.
    """
    z = norm.ppf(0.5 + level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = _log_share(w.x_recent, w.n_recent) - _log_share(w.x_base, w.n_base)
        se = np.sqrt(
            w.phi * (_log_share_var(w.x_recent, w.n_recent) + _log_share_var(w.x_base, w.n_base))
        )
    bad = (w.n_recent <= 0) | (w.n_base <= 0) | np.isnan(w.n_base)
    g = np.where(bad, np.nan, g)
    se = np.where(bad, np.nan, se)
    return g, g - z * se, g + z * se


def acceleration(
    panel: Panel, recent: int, phi: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Change in growth: ``L1 - 2 L2 + L3`` over three back-to-back windows of ``recent`` periods.

    ``L1`` is the log share of the last window, ``L2`` of the one before, ``L3`` of the one before
    that. Positive: growth is speeding up (or a decline slowing down). The windows do not overlap,
    so the variance is ``phi * (v1 + 4 v2 + v3)``.
    """
    z = norm.ppf(0.5 + level / 2)
    n = np.broadcast_to(panel.totals[:, None], panel.counts.shape)
    parts = []
    for lag in (0, recent, 2 * recent):
        x = window_sum(panel.counts, recent, lag)
        nn = window_sum(n, recent, lag)
        with np.errstate(invalid="ignore", divide="ignore"):
            parts.append((_log_share(x, nn), _log_share_var(x, nn), nn))
    (l1, v1, n1), (l2, v2, n2), (l3, v3, n3) = parts
    a = l1 - 2 * l2 + l3
    se = np.sqrt(phi * (v1 + 4 * v2 + v3))
    bad = ~((n1 > 0) & (n2 > 0) & (n3 > 0))
    a = np.where(bad, np.nan, a)
    se = np.where(bad, np.nan, se)
    return a, a - z * se, a + z * se


def share_interval(
    x: np.ndarray, n: np.ndarray, phi: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of ``x / n`` with the effective sample size ``n / phi``.

    Wilson's interval always contains ``x / n`` and stays inside [0, 1]. NaN when ``n == 0``.
    """
    z = norm.ppf(0.5 + level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        ne = n / phi
        p = x / n
        z2 = z * z
        centre = (p + z2 / (2 * ne)) / (1 + z2 / ne)
        half = z * np.sqrt(p * (1 - p) / ne + z2 / (4 * ne * ne)) / (1 + z2 / ne)
        lo = np.clip(np.minimum(centre - half, p), 0.0, 1.0)
        hi = np.clip(np.maximum(centre + half, p), 0.0, 1.0)
    empty = ~(n > 0)
    return np.where(empty, np.nan, lo), np.where(empty, np.nan, hi)
