"""No look-ahead (as_of), determinism, forecasts and their backtest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_momentum_synth import const, make_stream, step, window
from trends.config import MomentumConfig
from trends.momentum import compute_momentum, forecast_backtest

CFG = MomentumConfig()
FNS = {
    0: step(0.03, 0.08, 150),
    1: const(0.05),
    2: window(0.02, 0.1, 100, 121),
    3: step(0.0, 0.05, 200),
}
PAPERS, ASG, TOPICS = make_stream(FNS, days=300, per_day=40, seed=31, birth={3: "2024-07-20"})


def _assert_same(a, b):
    pdt.assert_frame_equal(a.table, b.table)
    pdt.assert_frame_equal(a.summary, b.summary)
    pdt.assert_frame_equal(a.bursts, b.bursts)
    pdt.assert_frame_equal(a.forecast, b.forecast)


@settings(max_examples=12, deadline=None)
@given(cut=st.integers(20, 299), freq=st.sampled_from(["D", "W", "M"]))
def test_as_of_equals_filtering_the_data_first(cut, freq):
    d = pd.Timestamp("2024-01-01") + pd.Timedelta(days=cut)
    got = compute_momentum(PAPERS, ASG, TOPICS, CFG, freq=freq, as_of=d.date())
    kept = PAPERS[PAPERS["date"] <= d]
    want = compute_momentum(kept, ASG[ASG.paper_id.isin(kept.paper_id)], TOPICS, CFG, freq=freq)
    # same numbers; as_of also keeps a birth date later than the cut out of the age
    if not (TOPICS["birth_date"] > d).any():
        _assert_same(got, want)
    else:
        cols = [c for c in got.table.columns if c not in ("age_days", "status")]
        pdt.assert_frame_equal(got.table[cols], want.table[cols])
    # ('D' counts a weekend paper on the next Monday, which may start after a weekend cut)
    assert got.table["period"].max() <= d + pd.Timedelta(days=2 if freq == "D" else 0)
    assert got.table.groupby("period")["total"].first().sum() == len(kept)


def test_every_row_is_what_was_known_at_the_end_of_its_period():
    full = compute_momentum(PAPERS, ASG, TOPICS, CFG).table
    trailing = [c for c in full.columns if c not in ("burst", "burst_level")]
    for week in (10, 23, 30, 41):
        start = pd.Timestamp("2024-01-01") + pd.Timedelta(weeks=week)
        end = start + pd.Timedelta(days=6)
        past = compute_momentum(PAPERS, ASG, TOPICS, CFG, as_of=end).table
        a = full[full.period <= start][trailing].reset_index(drop=True)
        b = past[trailing].reset_index(drop=True)
        pdt.assert_frame_equal(a, b)


def test_late_papers_and_birth_dates_are_invisible_before_they_happen():
    r = compute_momentum(PAPERS, ASG, TOPICS, CFG, as_of="2024-06-30")
    s = r.summary.set_index("topic_id")
    assert s.loc[3, "papers"] == 0  # topic 3 starts on day 200
    assert np.isnan(s.loc[3, "age_days"])  # born 2024-07-20: not yet
    assert r.as_of == pd.Timestamp("2024-06-30") and r.last_period == pd.Timestamp("2024-06-24")
    later = compute_momentum(PAPERS, ASG, TOPICS, CFG, as_of="2024-08-05").summary
    assert later.set_index("topic_id").loc[3, "age_days"] >= 0


def test_deterministic():
    _assert_same(
        compute_momentum(PAPERS, ASG, TOPICS, CFG),
        compute_momentum(PAPERS.sample(frac=1, random_state=1), ASG[::-1], TOPICS, CFG),
    )


def test_forecast_frame():
    for freq in ("W", "D"):
        r = compute_momentum(PAPERS, ASG, TOPICS, CFG, freq=freq)
        f = r.forecast
        assert len(f) == len(TOPICS) * CFG.forecast_horizon
        assert (f["period"] > r.last_period).all()
        assert ((f["lo"] <= f["mean"]) & (f["mean"] <= f["hi"])).all()
        assert f["lo"].ge(0).all() and f["hi"].le(1).all()
        if freq == "D":
            assert (f["period"].dt.day_of_week < 5).all()
        width = f[f.topic_id == 1].set_index("horizon").eval("hi - lo")
        assert width.is_monotonic_increasing
        s = r.summary.set_index("topic_id")
        last = f[f.horizon == CFG.forecast_horizon].set_index("topic_id")
        assert np.allclose(s["forecast_mean"], last["mean"])


def test_forecast_beats_naive_on_noisy_flat_shares_and_is_calibrated():
    papers, asg, topics = make_stream(
        {k: const(0.05) for k in range(6)}, days=7 * 60, per_day=40, seed=32
    )
    bt = forecast_backtest(papers, asg, topics, CFG)
    assert list(bt["horizon"]) == ["1", "2", "3", "4", "all"]
    overall = bt.set_index("horizon").loc["all"]
    assert overall["relative_mae"] < 0.9
    assert 0.85 < overall["coverage"] <= 1.0
    assert overall["pairs"] > 6 * 20
