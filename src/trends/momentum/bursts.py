"""Burst detection: Kleinberg's automaton for documents arriving in batches.

Kleinberg, "Bursty and Hierarchical Structure in Streams", KDD 2002 / DMKD 2003, section 4
("enumerating bursts"). In period ``t``, ``r_t`` of the ``d_t`` papers belong to the topic. A
hidden state ``i = 0 .. L`` emits topic papers at rate ``p_i = p_0 * s^i`` (capped below 1), where
``p_0`` is the topic's overall share. Staying in a state or going down is free; going up from ``i``
to ``j`` costs ``(j - i) * gamma * ln(T)``. The cheapest state sequence (Viterbi) marks bursts:
maximal runs of periods in a state above 0; a burst's *level* is its highest state.

Periods with no papers emit nothing (cost 0 in every state), so an empty weekend neither starts nor
ends a burst. All topics are decoded at once (vectorised over topics and states).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def kleinberg_states(
    counts: np.ndarray,
    totals: np.ndarray,
    *,
    scale: float = 2.0,
    gamma: float = 1.0,
    levels: int = 2,
) -> np.ndarray:
    """Most likely burst state (0 = base) for every period (rows) and topic (columns)."""
    t_len, k = counts.shape
    states = np.zeros((t_len, k), dtype=np.int8)
    if t_len == 0 or k == 0:
        return states
    d = totals.astype(float)
    r = counts.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p0 = r.sum(axis=0) / d.sum()
    active = p0 > 0
    p0 = np.where(active, p0, 0.5)
    s_idx = np.arange(levels + 1)
    rates = np.minimum(p0[:, None] * scale ** s_idx[None, :], 0.9999)  # K x S
    # negative log-likelihood per period, topic, state (binomial coefficient dropped: constant)
    lr, l1r = np.log(rates), np.log1p(-rates)
    cost = -(r[:, :, None] * lr[None] + (d[:, None] - r)[:, :, None] * l1r[None])  # T x K x S
    cost -= cost.min(axis=2, keepdims=True)
    up = gamma * np.log(max(t_len, 2))
    trans = np.maximum(s_idx[None, :] - s_idx[:, None], 0) * up  # from i (rows) to j (cols)
    back = np.zeros((t_len, k, levels + 1), dtype=np.int8)
    acc = cost[0] + trans[0][None, :]  # the automaton starts in state 0
    for t in range(1, t_len):
        cand = acc[:, :, None] + trans[None, :, :]  # K x from x to
        back[t] = cand.argmin(axis=1)
        acc = cand.min(axis=1) + cost[t]
    cur = acc.argmin(axis=1)
    for t in range(t_len - 1, -1, -1):
        states[t] = cur
        if t > 0:
            cur = back[t, np.arange(k), cur]
    states[:, ~active] = 0
    return states


def burst_table(
    states: np.ndarray,
    periods: pd.DatetimeIndex,
    topic_ids: np.ndarray,
    counts: np.ndarray,
    totals: np.ndarray,
) -> pd.DataFrame:
    """One row per burst: topic_id, start, end (period starts, inclusive), level, intensity.

    ``intensity`` is the topic's share during the burst divided by its overall share.
    """
    cols = ["topic_id", "start", "end", "level", "intensity"]
    if states.size == 0:
        return pd.DataFrame(
            {
                c: pd.Series(dtype=t)
                for c, t in zip(
                    cols,
                    ["int64", "datetime64[ns]", "datetime64[ns]", "int64", "float64"],
                    strict=True,
                )
            }
        )
    on = states > 0
    pad = np.zeros((1, on.shape[1]), dtype=bool)
    edges = np.diff(np.vstack([pad, on, pad]).astype(np.int8), axis=0)
    s_t, s_k = np.nonzero(edges == 1)
    e_t, e_k = np.nonzero(edges == -1)
    # nonzero scans row-major (by time); order both by (topic, time) so starts pair with ends
    o1, o2 = np.lexsort((s_t, s_k)), np.lexsort((e_t, e_k))
    s_t, s_k, e_t = s_t[o1], s_k[o1], e_t[o2] - 1
    cx = np.vstack([np.zeros((1, counts.shape[1])), np.cumsum(counts, axis=0)])
    cn = np.concatenate([[0.0], np.cumsum(totals)])
    x = cx[e_t + 1, s_k] - cx[s_t, s_k]
    n = cn[e_t + 1] - cn[s_t]
    base = counts.sum(axis=0) / max(totals.sum(), 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        intensity = (x / n) / base[s_k]
    # highest state inside each burst: reduceat over the topic-major flattened states
    flat = np.concatenate([states.T.ravel(), [0]]).astype(np.int64)
    t_len = states.shape[0]
    bounds = np.column_stack([s_k * t_len + s_t, s_k * t_len + e_t + 1]).ravel()
    level = np.maximum.reduceat(flat, bounds)[::2] if len(bounds) else np.zeros(0, np.int64)
    return (
        pd.DataFrame(
            {
                "topic_id": topic_ids[s_k].astype(np.int64),
                "start": periods[s_t].to_numpy(),
                "end": periods[e_t].to_numpy(),
                "level": level,
                "intensity": intensity,
            }
        )
        .sort_values(["topic_id", "start"], kind="stable")
        .reset_index(drop=True)
    )
