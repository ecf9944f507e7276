"""Kleinberg bursts, and the weekly cycle of the feed (few papers on weekends)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.test_momentum_synth import const, make_stream, window
from trends.config import MomentumConfig
from trends.momentum import compute_momentum
from trends.momentum.bursts import burst_table, kleinberg_states

CFG = MomentumConfig()
START = pd.Timestamp("2024-01-01")  # a Monday


def test_three_week_burst_has_the_right_start_and_end():
    # weeks 20, 21, 22 (days 140..160) at 4x the base share
    fns = {0: window(0.03, 0.12, 140, 161), 1: const(0.05), 2: const(0.02)}
    papers, asg, topics = make_stream(fns, days=364, per_day=60, seed=21)
    r = compute_momentum(papers, asg, topics, CFG)
    b = r.bursts
    assert list(b["topic_id"]) == [0]
    assert b["start"].iloc[0] == START + pd.Timedelta(weeks=20)
    assert b["end"].iloc[0] == START + pd.Timedelta(weeks=22)
    assert b["level"].iloc[0] >= 1 and b["intensity"].iloc[0] > 2.5
    t = r.table[r.table.topic_id == 0]
    assert t["burst"].sum() == 3 and (t.loc[t.burst, "burst_level"] >= 1).all()
    # the burst also drives the momentum flags at the time
    assert t.loc[t.period == START + pd.Timedelta(weeks=21), "status"].iloc[0] in (
        "rising",
        "emerging",
    )


def test_daily_burst_and_summary_reports_an_ongoing_burst():
    fns = {0: window(0.03, 0.15, 150, 400), 1: const(0.05)}
    papers, asg, topics = make_stream(fns, days=175, per_day=60, seed=22)
    r = compute_momentum(papers, asg, topics, CFG, freq="D")
    b = r.bursts[r.bursts.topic_id == 0]
    assert len(b) == 1
    assert abs((b["start"].iloc[0] - (START + pd.Timedelta(days=150))).days) <= 3
    s = r.summary.set_index("topic_id")
    assert bool(s.loc[0, "in_burst"]) and s.loc[0, "burst_start"] == b["start"].iloc[0]
    assert not bool(s.loc[1, "in_burst"]) and pd.isna(s.loc[1, "burst_start"])


def test_weekend_dip_makes_no_fake_spikes_or_bursts():
    fns = {k: const(p) for k, p in enumerate([0.02, 0.05, 0.1, 0.2])}
    papers, asg, topics = make_stream(fns, days=7 * 40, per_day=80, weekend_factor=0.03, seed=23)
    for business_days in (True, False):
        cfg = MomentumConfig(
            freq="D", business_days=business_days, recent_periods=5, baseline_periods=20
        )
        r = compute_momentum(papers, asg, topics, cfg)
        t = r.table
        # the weekly cycle starts no burst: none begins on a weekend or a Monday, and what
        # chance bursts a 0.1 %-level fluctuation makes are rare
        starts = r.bursts["start"].dt.day_of_week
        assert not starts.isin([5, 6, 0]).any()
        assert t["burst"].mean() < 0.005
        flagged = t[t.status != "steady"]
        assert len(flagged) <= 0.01 * len(t)
        wkend = t[t.period.dt.day_of_week >= 5]
        if business_days:
            assert wkend.empty
        else:
            assert not wkend.empty
        # weekend and Monday rows are flagged as rarely as the rest (chance flags only; a
        # count-based rule would flag every Monday after every thin weekend)
        edge = t[t.period.dt.day_of_week.isin([5, 6, 0])]
        assert (edge.status != "steady").mean() <= 0.03
        # the smoothed share does not dip around weekends: Mondays look like Wednesdays
        ew = t[t.topic_id == 2].set_index("period")["ewma_share"].dropna().iloc[20:]
        wd = ew.index.day_of_week
        assert abs(ew[wd == 0].mean() - ew[wd == 2].mean()) < 0.01
        assert 0.09 < ew.mean() < 0.11


def test_empty_periods_neither_start_nor_end_a_burst():
    counts = np.array([[1], [1], [1], [10], [0], [10], [10], [1], [1], [1]], dtype=float)
    totals = np.array([20, 20, 20, 20, 0, 20, 20, 20, 20, 20], dtype=float)
    states = kleinberg_states(counts, totals, scale=2.0, gamma=0.5, levels=2)
    assert states[:, 0].tolist() == [0, 0, 0, 1, 1, 1, 1, 0, 0, 0]  # 50 % is closest to 2 x 20 %
    periods = pd.date_range("2024-01-01", periods=10, freq="W-MON")
    b = burst_table(states, periods, np.array([7]), counts, totals)
    assert b.to_dict("records")[0]["start"] == periods[3]
    assert b.to_dict("records")[0]["end"] == periods[6]
    assert b["level"].tolist() == [1] and b["topic_id"].tolist() == [7]
    assert np.isclose(b["intensity"].iloc[0], (30 / 60) / 0.2)


def test_no_topic_no_papers_no_burst():
    assert kleinberg_states(np.zeros((5, 2)), np.zeros(5)).sum() == 0
    b = burst_table(
        np.zeros((0, 0), dtype=np.int8),
        pd.DatetimeIndex([]),
        np.array([]),
        np.zeros((0, 0)),
        np.zeros(0),
    )
    assert list(b.columns) == ["topic_id", "start", "end", "level", "intensity"]
