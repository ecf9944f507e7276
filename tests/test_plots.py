"""Charts of the report: each returns a titled Figure with labelled axes, nothing global leaks."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from scipy.stats import norm

from trends import plots

LONG_LABEL = (
    "efficient long-context retrieval-augmented generation · sparse attention · "
    "key-value cache compression for multimodal agents with tool use and memory"
)
LABELS = [
    "Reasoning RL",
    "Mixture-of-Experts",
    "Code LLMs",
    "Multimodal efficiency",
    "video · generation · diffusion",
    LONG_LABEL,
    "speech · audio · tts",
    "robot · manipulation · policy",
    "graph · molecule · protein",
    "empty · zero · topic",
]
BASE = [0.08, 0.05, 0.07, 0.05, 0.03, 0.02, 0.03, 0.04, 0.02, 0.0]
SLOPE = [0.03, 0.0, 0.02, -0.06, 0.05, 0.05, -0.04, 0.0, 0.01, 0.0]
BIRTH = [0, 0, 0, 0, 48, 0, 0, 0, 0, 0]


def make_frames(seed: int = 0, n_periods: int = 60) -> dict[str, pd.DataFrame]:
    """Synthetic momentum frames (10 topics x ``n_periods`` weeks) following the contract."""
    rng = np.random.default_rng(seed)
    periods = pd.date_range("2025-06-30", periods=n_periods, freq="7D")
    total = rng.poisson(250, n_periods)
    rows, summ, fc = [], [], []
    for k, label in enumerate(LABELS):
        t = np.arange(n_periods)
        p = BASE[k] * np.exp(SLOPE[k] * (t - n_periods / 2)) * (t >= BIRTH[k])
        count = rng.binomial(total, np.clip(p, 0, 0.5))
        if k == 4:
            count[54:57] += 25  # a burst
        share = count / total
        z, n = 1.96, total
        centre = (count + z * z / 2) / (n + z * z)
        half = z * np.sqrt(count * (n - count) / n + z * z / 4) / (n + z * z)
        ewma = pd.Series(share).ewm(halflife=2.0).mean().to_numpy()
        rc = pd.Series(count).rolling(4, min_periods=1).sum().to_numpy()
        rt = pd.Series(total).rolling(4, min_periods=1).sum().to_numpy()
        bc = pd.Series(count).shift(4).rolling(12, min_periods=1).sum().fillna(0).to_numpy()
        bt = pd.Series(total).shift(4).rolling(12, min_periods=1).sum().fillna(1).to_numpy()
        growth = np.log((rc + 0.5) / rt) - np.log((bc + 0.5) / bt)
        se = np.sqrt(1 / (rc + 0.5) + 1 / (bc + 0.5))
        p_r, p_f = norm.sf(growth / se), norm.cdf(growth / se)
        q_r, q_f = np.minimum(1, p_r * 10), np.minimum(1, p_f * 10)
        burst = (share > 1.6 * np.r_[ewma[0], ewma[:-1]]) & (count >= 8)
        age = t - BIRTH[k]
        status = np.where(
            (age < 20) & (q_r < 0.05),
            "emerging",
            np.where(
                q_r < 0.05,
                "rising",
                np.where(
                    (q_f < 0.05) & (growth < -0.5),
                    "fading",
                    np.where(q_f < 0.05, "cooling", "steady"),
                ),
            ),
        )
        rows.append(
            pd.DataFrame(
                {
                    "topic_id": k,
                    "label": label,
                    "period": periods,
                    "count": count,
                    "total": total,
                    "share": share,
                    "share_lo": np.clip(centre - half, 0, 1),
                    "share_hi": np.clip(centre + half, 0, 1),
                    "attention_share": share,
                    "ewma_share": ewma,
                    "growth": growth,
                    "growth_lo": growth - 1.96 * se,
                    "growth_hi": growth + 1.96 * se,
                    "acceleration": np.gradient(growth),
                    "p_rising": p_r,
                    "p_falling": p_f,
                    "q_rising": q_r,
                    "q_falling": q_f,
                    "burst": burst,
                    "burst_level": burst.astype(int),
                    "status": status,
                }
            )
        )
        starts = [periods[i] for i in range(n_periods) if burst[i] and (i == 0 or not burst[i - 1])]
        summ.append(
            {
                "topic_id": k,
                "label": label,
                "kind": "named" if k < 4 else "discovered",
                "status": status[-1],
                "recent_share": rc[-1] / rt[-1],
                "baseline_share": bc[-1] / bt[-1],
                "growth": growth[-1],
                "growth_lo": growth[-1] - 1.96 * se[-1],
                "growth_hi": growth[-1] + 1.96 * se[-1],
                "acceleration": 0.0,
                "q_rising": q_r[-1],
                "q_falling": q_f[-1],
                "in_burst": bool(burst[-1]),
                "burst_start": starts[-1] if burst[-1] else pd.NaT,
                "age_periods": int(age[-1]),
            }
        )
        sd = 0.004 * np.sqrt(np.arange(1, 5))
        fc.append(
            pd.DataFrame(
                {
                    "topic_id": k,
                    "period": periods[-1] + pd.to_timedelta(7 * np.arange(1, 5), "D"),
                    "mean": ewma[-1],
                    "lo": np.clip(ewma[-1] - 1.96 * sd, 0, 1),
                    "hi": ewma[-1] + 1.96 * sd,
                }
            )
        )
    return {
        "table": pd.concat(rows, ignore_index=True),
        "summary": pd.DataFrame(summ),
        "forecast": pd.concat(fc, ignore_index=True),
    }


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return make_frames()


def _texts(fig: Figure) -> tuple[list[str], list[str], list[str]]:
    titles, xlabels, ylabels = [fig._suptitle.get_text()] if fig._suptitle else [], [], []
    for ax in fig.axes:
        titles += [ax.get_title(loc) for loc in ("left", "center", "right")]
        xlabels.append(ax.get_xlabel())
        ylabels.append(ax.get_ylabel())
    if fig._supxlabel:
        xlabels.append(fig._supxlabel.get_text())
    if fig._supylabel:
        ylabels.append(fig._supylabel.get_text())
    return [t for t in titles if t], [t for t in xlabels if t], [t for t in ylabels if t]


def _check_figure(fig: Figure) -> None:
    assert isinstance(fig, Figure)
    titles, xlabels, ylabels = _texts(fig)
    assert titles and xlabels and ylabels
    fig.canvas.draw()  # renders without error (also resolves the constrained layout)
    assert plt.get_fignums() == []  # nothing registered with pyplot


def test_topic_shares(frames: dict[str, pd.DataFrame]) -> None:
    fig = plots.plot_topic_shares(frames["table"], top=8)
    _check_figure(fig)
    assert sum(ax.get_visible() for ax in fig.axes) == 8
    panel_titles = [ax.get_title("left") for ax in fig.axes if ax.get_visible()]
    assert all(len(line) <= 32 for t in panel_titles for line in t.split("\n"))


def test_topic_shares_explicit_topics_and_empty(frames: dict[str, pd.DataFrame]) -> None:
    fig = plots.plot_topic_shares(frames["table"], topics=[5, 9, 99], top=8)
    _check_figure(fig)
    _check_figure(plots.plot_topic_shares(frames["table"].iloc[:0], top=8))


def test_momentum(frames: dict[str, pd.DataFrame]) -> None:
    fig = plots.plot_momentum(frames["summary"], top=15)
    _check_figure(fig)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 9  # the topic without papers has no growth to show
    assert not any("empty" in label for label in labels)
    assert any(label.endswith("…") for label in labels)  # the long label is cut
    assert all(len(line) <= 42 for label in labels for line in label.split("\n")[:2])
    # drawn sorted by growth: strongest riser at the top (highest y)
    growth = frames["summary"].query("recent_share > 0").set_index("label")["growth"]
    assert plots.wrap_label(growth.idxmax(), 42) == labels[-1]
    assert fig.legends and len(ax.containers) == 9  # one error bar per topic


def test_momentum_top_limits_and_empty(frames: dict[str, pd.DataFrame]) -> None:
    fig = plots.plot_momentum(frames["summary"], top=3)
    assert len(fig.axes[0].get_yticklabels()) == 3
    empty = frames["summary"].assign(growth=np.nan)
    _check_figure(plots.plot_momentum(empty))


def test_topic_trend(frames: dict[str, pd.DataFrame]) -> None:
    fig = plots.plot_topic_trend(frames["table"], 4, frames["forecast"])
    _check_figure(fig)
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"burst", "forecast", "smoothed (EWMA)", "share, 95% interval"} <= set(legend)
    assert "Share" in ax.get_ylabel()


@pytest.mark.parametrize("forecast", [None, "empty"])
def test_topic_trend_without_forecast(
    frames: dict[str, pd.DataFrame], forecast: str | None
) -> None:
    fc = frames["forecast"].iloc[:0] if forecast == "empty" else None
    fig = plots.plot_topic_trend(frames["table"], 0, fc)
    _check_figure(fig)
    assert "forecast" not in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


@pytest.mark.parametrize("topic_id", [9, 12345])  # zero papers; no rows at all
def test_topic_trend_zero_papers(frames: dict[str, pd.DataFrame], topic_id: int) -> None:
    fig = plots.plot_topic_trend(frames["table"], topic_id, frames["forecast"])
    _check_figure(fig)
    assert "no papers" in fig.axes[0].get_title("left")


def test_status_counts(frames: dict[str, pd.DataFrame]) -> None:
    fig = plots.plot_status_counts(frames["summary"])
    _check_figure(fig)
    widths = [p.get_width() for p in fig.axes[0].patches]
    assert sum(widths) == len(frames["summary"])


def test_text_helpers() -> None:
    assert plots.wrap_label("a $x$ b") == r"a \$x\$ b"
    cut = plots.wrap_label("word " * 50, width=20, max_lines=2)
    assert cut.count("\n") == 1 and cut.endswith("…")
    assert plots.ratio_text(np.log(2)) == "×2"
    assert plots.ratio_text(float("nan")) == "n/a"
    assert plots.growth_text(0.0, np.log(0.5), np.log(2)) == "×1 [0.5–2]"
    assert plots.q_text(0.0001) == "<0.001" and plots.q_text(None) == "n/a"


def _drawn_texts(fig: Figure) -> list[tuple[str, object]]:
    """(text, window extent) of every text drawn: tick labels outside the view are not drawn."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    hidden: set[int] = set()
    for ax in fig.axes:
        (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
        for label in ax.get_xticklabels():
            if not x0 - 1e-9 <= label.get_position()[0] <= x1 + 1e-9:
                hidden.add(id(label))
        for label in ax.get_yticklabels():
            if not y0 - 1e-9 <= label.get_position()[1] <= y1 + 1e-9:
                hidden.add(id(label))
    out = []
    for t in fig.findobj(Text):
        visible = t.get_visible() and t.get_text().strip() and id(t) not in hidden
        if visible and (t.axes is None or t.axes.get_visible()):
            out.append((t.get_text(), t.get_window_extent(renderer)))
    return out


def test_no_text_overlaps_with_many_long_labels(frames: dict[str, pd.DataFrame]) -> None:
    s = frames["summary"]
    longer = s.assign(topic_id=s["topic_id"] + 10, label=s["label"] + " plus further long words")
    many = pd.concat([s, longer], ignore_index=True)
    table = frames["table"]
    long_table = table.assign(label=lambda d: d["label"].where(d["topic_id"] != 0, LONG_LABEL))
    figures = [
        plots.plot_momentum(many, top=15),
        plots.plot_topic_shares(long_table, top=8),
        plots.plot_topic_trend(long_table, 0, frames["forecast"]),
        plots.plot_topic_trend(table, 5, frames["forecast"]),
        plots.plot_status_counts(many),
    ]
    for fig in figures:
        texts = _drawn_texts(fig)
        clashes = [
            (a, b) for (a, ba), (b, bb) in itertools.combinations(texts, 2) if ba.overlaps(bb)
        ]  # type: ignore[attr-defined]
        assert clashes == [], fig.get_suptitle() or fig.axes[0].get_title("left")
