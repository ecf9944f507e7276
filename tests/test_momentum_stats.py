"""Growth, tests, FDR control and status on streams whose truth is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import binomtest
from statsmodels.stats.multitest import multipletests

from tests.test_momentum_synth import const, make_stream, step
from trends.config import MomentumConfig
from trends.momentum import bh_qvalues, compute_momentum
from trends.momentum.significance import rate_tests

CFG = MomentumConfig()
START = pd.Timestamp("2024-01-01")


def _day(n: int) -> pd.Timestamp:
    return START + pd.Timedelta(days=n)


def test_doubling_topic_is_flagged_rising_and_flat_topics_are_not():
    fns = {0: step(0.04, 0.08, 217), **{k: const(0.04) for k in range(1, 9)}}
    papers, asg, topics = make_stream(fns, days=364, per_day=60, seed=11)
    r = compute_momentum(papers, asg, topics, CFG)
    t = r.table
    dbl = t[t.topic_id == 0]
    flagged = dbl[dbl.status.isin(["rising", "emerging"])]
    assert len(flagged) >= 3
    assert (flagged["q_rising"] < CFG.fdr_alpha).all()
    first = flagged["period"].min()
    assert _day(217) <= first <= _day(217 + 21)  # found within 3 weeks of the change
    assert (dbl.loc[dbl.period >= _day(217 + 7 * 4), "growth"].head(4) > 0.4).all()
    flat = t[t.topic_id >= 1]
    assert (flat["status"] == "steady").mean() > 0.98
    # a truly doubled share: the interval of the growth holds log 2 at the end of the recent window
    row = dbl[dbl.period == _day(217 + 7 * 4 - 1) - pd.Timedelta(days=6)]
    assert (row["growth_lo"] < np.log(2)).all() and (row["growth_hi"] > np.log(2)).all()


def test_falling_topics_cool_and_fade():
    fns = {0: step(0.10, 0.06, 200), 1: step(0.10, 0.01, 200), 2: const(0.05)}
    papers, asg, topics = make_stream(fns, days=280, per_day=60, seed=12)
    s = compute_momentum(papers, asg, topics, CFG, as_of=_day(200 + 24)).summary.set_index(
        "topic_id"
    )
    assert s.loc[0, "status"] == "cooling"
    assert s.loc[1, "status"] == "fading"
    assert s.loc[2, "status"] == "steady"
    assert s.loc[1, "q_falling"] < CFG.fdr_alpha


def test_new_topic_is_emerging_then_rising_once_old():
    fns = {0: step(0.0, 0.06, 150), 1: const(0.05)}
    papers, asg, topics = make_stream(fns, days=364, per_day=60, seed=13)
    t = compute_momentum(papers, asg, topics, CFG).table
    new = t[t.topic_id == 0].set_index("period")
    assert new.loc[new.index[new.index >= _day(150)][1], "status"] == "emerging"
    assert (new["status"] == "emerging").sum() >= 2
    assert new["age_days"].iloc[-1] > CFG.emerging_max_age_days
    assert new["status"].iloc[-1] == "steady"
    # with a birth date given and in the past, age counts from it
    topics2 = topics.assign(birth_date=pd.to_datetime(["2023-01-01", None]))
    t2 = compute_momentum(papers, asg, topics2, CFG).table
    old = t2[t2.topic_id == 0]
    assert not (old["status"] == "emerging").any()


def test_overdispersion_keeps_false_alarms_down():
    # weekly shares wander (beta noise around 5 %) with no trend: binomial tests over-react
    rng = np.random.default_rng(5)
    days = 7 * 80
    wk_share = rng.beta(20, 380, size=(days // 7 + 1, 12))  # mean 0.05, sd ~0.011
    fns = {k: (lambda d, k=k: wk_share[d // 7, k]) for k in range(12)}
    papers, asg, topics = make_stream(fns, days=days, per_day=100, seed=6)
    on = compute_momentum(papers, asg, topics, CFG).table
    off = compute_momentum(
        papers, asg, topics, CFG.model_copy(update={"overdispersion": False})
    ).table
    flags_on = (on["status"] != "steady").mean()
    flags_off = (off["status"] != "steady").mean()
    assert flags_on < flags_off
    assert flags_on < 0.05
    assert on["dispersion"].dropna().median() > 1.5


def test_rate_test_matches_exact_binomial_when_phi_is_one():
    x_r, n_r, x_b, n_b = 30.0, 400.0, 40.0, 1200.0
    p_up, p_down = rate_tests(
        np.array([x_r]), np.array([n_r]), np.array([x_b]), np.array([n_b]), np.array([1.0])
    )
    m, pi0 = int(x_r + x_b), n_r / (n_r + n_b)
    assert np.isclose(p_up[0], binomtest(int(x_r), m, pi0, alternative="greater").pvalue)
    assert np.isclose(p_down[0], binomtest(int(x_r), m, pi0, alternative="less").pvalue)
    # too few papers / empty windows: not tested
    p, _ = rate_tests(
        np.array([1.0, 5.0]),
        np.array([10.0, 0.0]),
        np.array([1.0, 5.0]),
        np.array([10.0, 10.0]),
        np.ones(2),
        min_papers=5,
    )
    assert np.isnan(p).all()


def test_rate_test_is_calibrated_under_the_null():
    rng = np.random.default_rng(7)
    n_r, n_b, share = 300, 900, 0.03
    x_r = rng.binomial(n_r, share, 20000).astype(float)
    x_b = rng.binomial(n_b, share, 20000).astype(float)
    p_up, p_down = rate_tests(x_r, np.full(20000, n_r), x_b, np.full(20000, n_b), np.ones(20000))
    for p in (p_up, p_down):
        assert (p < 0.05).mean() <= 0.055  # valid (a discrete test is a bit conservative)
        assert (p < 0.05).mean() >= 0.02


def test_bh_matches_statsmodels_and_is_monotone():
    rng = np.random.default_rng(8)
    p = np.concatenate([rng.uniform(size=40), rng.uniform(0, 1e-3, size=10)])
    q = bh_qvalues(p)
    assert np.allclose(q, multipletests(p, method="fdr_bh")[1])
    order = np.argsort(p)
    assert np.all(np.diff(q[order]) >= -1e-15)
    assert np.all(q >= p)
    m = np.vstack([p, p[::-1]])
    m[0, 3] = np.nan
    qm = bh_qvalues(m)
    assert np.isnan(qm[0, 3])
    keep = ~np.isnan(m[0])
    assert np.allclose(qm[0, keep], multipletests(m[0, keep], method="fdr_bh")[1])
    assert np.allclose(qm[1], multipletests(m[1], method="fdr_bh")[1])
    assert bh_qvalues(np.array([])).shape == (0,)
