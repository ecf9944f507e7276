"""Is a topic's share really rising (or falling)? One test per topic, FDR control across topics.

Test: the conditional test for two Poisson rates (Przyborowski & Wilenski 1940; the "C-test" of
Gu et al. 2008). Given ``m = x_r + x_b`` papers of the topic in the recent and baseline windows,
under "same share in both windows" the recent window's count is ``Binomial(m, pi0)`` with
``pi0 = n_r / (n_r + n_b)``, the recent window's fraction of all papers. The one-sided p-values
are binomial tail probabilities. Overdispersion: both counts are divided by the dispersion factor
``phi`` first (effective counts), and the binomial tail is evaluated by its continuous extension,
the regularised incomplete beta function. For topics holding a large share of all papers (> ~20 %)
the test is conservative (the exact null is hypergeometric, with less variance).

Multiplicity: Benjamini-Hochberg across all tested topics *at the same period*, separately for
"rising" and for "falling" (each family has FDR <= alpha; BH is valid under independence and
positive regression dependence, Benjamini & Yekutieli 2001).
"""

from __future__ import annotations

import numpy as np
from scipy.special import betainc


def _upper_tail(k: np.ndarray, m: np.ndarray, pi0: np.ndarray) -> np.ndarray:
    """``P(X >= k)``, ``X ~ Binomial(m, pi0)``; real ``k``, ``m`` via ``I_pi0(k, m - k + 1)``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        b = np.maximum(m - k + 1.0, 1e-12)
        a = np.maximum(k, 1e-300)
        p = betainc(a, b, np.clip(pi0, 0.0, 1.0))
    return np.where(k <= 0, 1.0, p)


def rate_tests(
    x_r: np.ndarray,
    n_r: np.ndarray,
    x_b: np.ndarray,
    n_b: np.ndarray,
    phi: np.ndarray,
    min_papers: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """One-sided p-values (rising, falling) of recent share vs baseline share.

    NaN (not tested) where a window is incomplete or empty, or the topic has fewer than
    ``min_papers`` papers in both windows together.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        pi0 = n_r / (n_r + n_b)
        k = x_r / phi
        m = (x_r + x_b) / phi
        p_rise = _upper_tail(k, m, pi0)
        # P(X <= k) = 1 - P(X >= k + 1); P = 1 when k >= m
        p_fall = np.where(k >= m, 1.0, 1.0 - _upper_tail(k + 1.0, m, pi0))
    untested = ~((n_r > 0) & (n_b > 0) & ((x_r + x_b) >= min_papers))
    p_rise = np.where(untested, np.nan, np.clip(p_rise, 0.0, 1.0))
    p_fall = np.where(untested, np.nan, np.clip(p_fall, 0.0, 1.0))
    return p_rise, p_fall


def bh_qvalues(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values) along the last axis; NaN stays NaN.

    For each row, ``q_(i) = min_{j >= i} p_(j) * m / j`` over the ``m`` non-NaN p-values, capped at
    1. ``q >= p`` and q is monotone in p within a row.
    """
    p = np.asarray(p, dtype=float)
    squeeze = p.ndim == 1
    if squeeze:
        p = p[None, :]
    if p.shape[-1] == 0:
        return p[0] if squeeze else p
    nan = np.isnan(p)
    m = (~nan).sum(axis=-1, keepdims=True)
    order = np.argsort(np.where(nan, np.inf, p), axis=-1, kind="stable")
    ps = np.take_along_axis(p, order, axis=-1)
    rank = np.arange(1, p.shape[-1] + 1)[None, :]
    with np.errstate(invalid="ignore"):
        scaled = np.where(rank <= m, ps * m / rank, np.inf)
    q_sorted = np.minimum.accumulate(scaled[:, ::-1], axis=-1)[:, ::-1]
    q_sorted = np.minimum(q_sorted, 1.0)
    q = np.empty_like(p)
    np.put_along_axis(q, order, q_sorted, axis=-1)
    q = np.where(nan, np.nan, q)
    return q[0] if squeeze else q
