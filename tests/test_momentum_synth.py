"""Seeded synthetic paper streams whose truth is known, shared by the momentum tests.

Also holds the tests of the generator itself, so the helpers are checked before anything leans on
them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

ShareFn = Callable[[np.ndarray], np.ndarray]  # day index (0..) -> share of papers in the topic


def make_stream(
    share_fns: dict[int, ShareFn],
    *,
    start: str = "2024-01-01",
    days: int = 364,
    per_day: float = 80.0,
    weekend_factor: float = 1.0,
    seed: int = 0,
    labels: dict[int, str] | None = None,
    birth: dict[int, str] | None = None,
    upvotes: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Papers over ``days`` calendar days; topic ``k`` holds each paper with ``share_fns[k](day)``.

    Poisson papers per day (``per_day``, times ``weekend_factor`` on Saturday/Sunday); topics are
    independent Bernoulli labels, so a paper may have several topics or none.
    """
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, periods=days, freq="D")
    weekend = dates.day_of_week >= 5
    lam = np.where(weekend, per_day * weekend_factor, per_day)
    n = rng.poisson(lam)
    day_idx = np.repeat(np.arange(days), n)
    total = int(n.sum())
    papers = pd.DataFrame(
        {
            "paper_id": [f"p{i:07d}" for i in range(total)],
            "date": dates[day_idx].to_numpy(),
            "upvotes": rng.integers(0, 20, total).astype(float) if upvotes else np.nan,
        }
    )
    rows = []
    for k, fn in share_fns.items():
        hit = rng.random(total) < fn(day_idx)
        rows.append(
            pd.DataFrame(
                {"paper_id": papers["paper_id"].to_numpy()[hit], "topic_id": k, "confidence": 0.9}
            )
        )
    asg = (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame({"paper_id": [], "topic_id": [], "confidence": []})
    )
    ids = sorted(share_fns)
    topics = pd.DataFrame(
        {
            "topic_id": ids,
            "label": [(labels or {}).get(k, f"t{k}") for k in ids],
            "kind": "named",
            "birth_date": pd.to_datetime([(birth or {}).get(k) for k in ids]),
        }
    )
    return papers, asg, topics


def const(p: float) -> ShareFn:
    return lambda d: np.full(d.shape, p)


def step(before: float, after: float, at_day: int) -> ShareFn:
    return lambda d: np.where(d >= at_day, after, before)


def window(base: float, peak: float, start_day: int, end_day: int) -> ShareFn:
    return lambda d: np.where((d >= start_day) & (d < end_day), peak, base)


def test_stream_shape_and_truth():
    papers, asg, topics = make_stream({0: const(0.1), 1: step(0.0, 0.5, 100)}, days=200, seed=1)
    assert papers["paper_id"].is_unique
    assert set(asg["topic_id"]) == {0, 1}
    share0 = len(asg[asg.topic_id == 0]) / len(papers)
    assert 0.09 < share0 < 0.11
    late = papers[papers.date >= pd.Timestamp("2024-01-01") + pd.Timedelta(days=100)]
    t1 = asg[asg.topic_id == 1]
    assert set(t1.paper_id) <= set(late.paper_id)
    assert list(topics.topic_id) == [0, 1]


def test_weekend_factor_thins_weekends():
    papers, _, _ = make_stream({0: const(0.1)}, days=28, weekend_factor=0.05, seed=2)
    wd = papers["date"].dt.day_of_week
    assert (wd >= 5).sum() < 0.05 * (wd < 5).sum()
