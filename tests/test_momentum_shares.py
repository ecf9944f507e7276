"""Counts, shares, zero-filling, attention share and the invariants every row must satisfy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_momentum_synth import const, make_stream
from trends.config import MomentumConfig
from trends.errors import ConfigError, TrendsError
from trends.momentum import TABLE_COLUMNS, compute_momentum
from trends.momentum.shares import build_panel, next_periods, period_grid, period_start

D = pd.Timestamp


def _frames(rows, asg, topics=None):
    papers = pd.DataFrame(rows, columns=["paper_id", "date", "upvotes"])
    papers["date"] = pd.to_datetime(papers["date"])
    a = pd.DataFrame(asg, columns=["paper_id", "topic_id", "confidence"])
    if topics is None:
        ids = sorted(a["topic_id"].unique())
        topics = pd.DataFrame(
            {
                "topic_id": ids,
                "label": [f"t{i}" for i in ids],
                "kind": "named",
                "birth_date": pd.NaT,
            }
        )
    return papers, a, topics


def test_period_start_week_month_and_business_day():
    dates = pd.to_datetime(["2024-03-06", "2024-03-09", "2024-03-10", "2024-03-11"])
    wk = period_start(dates, "W")
    assert list(pd.DatetimeIndex(wk)) == [D("2024-03-04")] * 3 + [D("2024-03-11")]
    mo = period_start(dates, "M")
    assert set(pd.DatetimeIndex(mo)) == {D("2024-03-01")}
    day = pd.DatetimeIndex(period_start(dates, "D", business_days=True))
    assert list(day) == [D("2024-03-06"), D("2024-03-11"), D("2024-03-11"), D("2024-03-11")]
    raw = pd.DatetimeIndex(period_start(dates, "D", business_days=False))
    assert list(raw) == list(dates)
    with pytest.raises(TrendsError, match="unknown momentum freq"):
        period_start(dates, "Q")


def test_grid_and_next_periods_skip_weekends():
    g = period_grid(np.datetime64("2024-03-08"), np.datetime64("2024-03-12"), "D")
    assert list(g) == [D("2024-03-08"), D("2024-03-11"), D("2024-03-12")]
    assert list(next_periods(D("2024-03-08"), 2, "D")) == [D("2024-03-11"), D("2024-03-12")]
    assert list(next_periods(D("2024-01-01"), 2, "M")) == [D("2024-02-01"), D("2024-03-01")]
    assert list(next_periods(D("2024-01-01"), 1, "W")) == [D("2024-01-08")]


def test_zero_fill_multilabel_duplicates_and_unknown_topic():
    rows = [("a", "2024-01-01", 4.0), ("b", "2024-01-02", np.nan), ("c", "2024-01-22", 6.0)]
    asg = [
        ("a", 1, 1.0),
        ("a", 2, 0.8),
        ("a", 2, 0.8),
        ("b", 1, 0.5),
        ("c", 9, 0.7),
        ("zzz", 1, 1.0),
    ]
    papers, a, _ = _frames(rows, asg)
    topics = pd.DataFrame(
        {"topic_id": [1, 2], "label": ["one", "two"], "kind": "named", "birth_date": pd.NaT}
    )
    t = compute_momentum(papers, a, topics, MomentumConfig()).table
    assert list(t.columns) == list(TABLE_COLUMNS)
    assert sorted(t["topic_id"].unique()) == [1, 2, 9]
    assert t.loc[t.topic_id == 9, "label"].iloc[0] == "topic 9"
    # 4 weeks (Jan 1, 8, 15, 22) for every topic, the two middle ones empty
    assert len(t) == 3 * 4
    w1 = t[t.period == D("2024-01-01")].set_index("topic_id")
    assert w1.loc[1, "count"] == 2 and w1.loc[2, "count"] == 1 and w1.loc[1, "total"] == 2
    assert w1.loc[1, "share"] == 1.0 and w1.loc[2, "share"] == 0.5
    empty = t[t.period == D("2024-01-08")]
    assert (empty["count"] == 0).all() and (empty["total"] == 0).all()
    assert empty["share"].isna().all()  # no papers at all: the share is undefined, not 0
    # attention: only papers with known upvotes; week 1 has paper a (4 upvotes) only
    assert w1.loc[1, "attention_share"] == 1.0 and w1.loc[2, "attention_share"] == 1.0
    w4 = t[t.period == D("2024-01-22")].set_index("topic_id")
    assert w4.loc[9, "attention_share"] == 1.0 and w4.loc[1, "attention_share"] == 0.0


def test_min_confidence_drops_weak_assignments():
    rows = [("a", "2024-01-01", 1.0), ("b", "2024-01-01", 1.0)]
    papers, a, topics = _frames(rows, [("a", 1, 0.9), ("b", 1, 0.2)])
    cfg = MomentumConfig(min_confidence=0.5)
    t = compute_momentum(papers, a, topics, cfg).table
    assert t["count"].tolist() == [1] and t["share"].tolist() == [0.5]


def test_freq_override_and_empty_inputs():
    papers, asg, topics = make_stream({0: const(0.2)}, days=70, seed=3)
    m = compute_momentum(papers, asg, topics, MomentumConfig(), freq="M")
    assert m.freq == "M" and set(m.table.period.dt.day) == {1}
    r = compute_momentum(papers, asg, topics, MomentumConfig(), as_of="2023-01-01")
    assert r.table.empty and r.last_period is None and len(r.summary) == 1
    with pytest.raises(TrendsError, match="not a date"):
        compute_momentum(papers, asg, topics, MomentumConfig(), as_of="yesterday")
    with pytest.raises(TrendsError, match="lacks column"):
        compute_momentum(papers.drop(columns="date"), asg, topics, MomentumConfig())


def test_panel_matches_groupby_reference():
    papers, asg, topics = make_stream({0: const(0.1), 1: const(0.3)}, days=60, seed=4)
    panel = build_panel(papers, asg, topics, freq="W")
    ref = asg.merge(papers, on="paper_id")
    ref["week"] = ref["date"] - pd.to_timedelta(ref["date"].dt.day_of_week, unit="D")
    want = ref.groupby(["week", "topic_id"]).size().unstack(fill_value=0)
    got = pd.DataFrame(panel.counts, index=panel.periods, columns=panel.topic_ids)
    assert np.array_equal(want.reindex(got.index, fill_value=0).to_numpy(), got.to_numpy())


def test_config_rejects_inconsistent_ratios():
    from trends.config import config_from_dict

    with pytest.raises(ConfigError, match="emerging_min_ratio"):
        config_from_dict({"momentum": {"rising_min_ratio": 3.0, "emerging_min_ratio": 2.0}})


@st.composite
def _small_store(draw):
    n = draw(st.integers(1, 60))
    days = draw(st.lists(st.integers(0, 120), min_size=n, max_size=n))
    ups = draw(st.lists(st.one_of(st.none(), st.integers(0, 50)), min_size=n, max_size=n))
    k = draw(st.integers(1, 4))
    labels = draw(st.lists(st.sets(st.integers(0, k - 1), max_size=k), min_size=n, max_size=n))
    base = D("2024-01-01")
    rows = [
        (f"p{i}", base + pd.Timedelta(days=d), np.nan if u is None else float(u))
        for i, (d, u) in enumerate(zip(days, ups, strict=True))
    ]
    asg = [(f"p{i}", t, 1.0) for i, ls in enumerate(labels) for t in ls]
    topics = pd.DataFrame(
        {
            "topic_id": range(k),
            "label": [f"t{i}" for i in range(k)],
            "kind": "named",
            "birth_date": pd.NaT,
        }
    )
    freq = draw(st.sampled_from(["D", "W", "M"]))
    return (*_frames(rows, asg, topics)[:2], topics, freq, max(len(x) for x in labels))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_small_store())
def test_row_invariants(data):
    papers, asg, topics, freq, max_labels = data
    cfg = MomentumConfig(recent_periods=2, baseline_periods=3)
    t = compute_momentum(papers, asg, topics, cfg, freq=freq).table
    s = t["share"].dropna()
    assert ((s >= 0) & (s <= 1)).all()
    per_period = t.groupby("period")["share"].sum(min_count=1).dropna()
    assert (per_period <= max_labels + 1e-9).all()
    a = t["attention_share"].dropna()
    assert ((a >= 0) & (a <= 1 + 1e-12)).all()
    for point, lo, hi in (
        ("share", "share_lo", "share_hi"),
        ("growth", "growth_lo", "growth_hi"),
        ("acceleration", "acceleration_lo", "acceleration_hi"),
    ):
        ok = t[point].notna()
        assert (t.loc[ok, lo] <= t.loc[ok, point] + 1e-12).all()
        assert (t.loc[ok, point] <= t.loc[ok, hi] + 1e-12).all()
    for side in ("rising", "falling"):
        ok = t[f"p_{side}"].notna()
        assert (t.loc[ok, f"q_{side}"] >= t.loc[ok, f"p_{side}"] - 1e-12).all()
        assert t.loc[ok, f"q_{side}"].between(0, 1).all()
    assert set(t["status"]) <= {"emerging", "rising", "steady", "cooling", "fading"}
    assert (t["count"] <= t["total"]).all()
    assert (t.groupby("topic_id").size().nunique()) <= 1  # same grid for every topic
