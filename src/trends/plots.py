"""Charts of the trend report: pandas frames in, :class:`matplotlib.figure.Figure` out.

Every ``plot_*`` function builds a fresh ``Figure`` through the object-oriented API (no pyplot, so
nothing is registered in pyplot's global figure list and nothing has to be closed) and never
saves it; :mod:`trends.report` does all file output. The ``draw_*`` functions draw the same
charts into an existing ``Axes`` so report pages can combine a chart with text.

Frames follow the momentum contract (see :mod:`trends.report`): ``table`` has one row per
(topic_id, period), ``summary`` one row per topic as of the last period, ``forecast`` one row per
(topic_id, future period). Labels may be long (discovered topics are c-TF-IDF word lists): they are
wrapped and truncated with :func:`wrap_label`, and any ``$`` is escaped so matplotlib never reads a
paper title or label as mathtext. Layouts are ``constrained`` so labels never overlap.

Colours, page size, text and drawing helpers live in :mod:`trends.plot_style`; the public ones
are re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from trends.plot_style import (
    A4_LANDSCAPE,
    BURST_COLOR,
    STATUS_COLORS,
    STATUS_ORDER,
    UNKNOWN_COLOR,
    as_float,
    burst_spans,
    escape_text,
    growth_text,
    legend_below,
    legend_dot,
    no_data,
    note,
    q_text,
    ratio_text,
    ratio_ticks,
    status_color,
    style_time_axis,
    to_dates,
    to_num,
    topic_rows,
    wrap_label,
)


def draw_topic_trend(
    ax: Axes, table: pd.DataFrame, topic_id: int, forecast: pd.DataFrame | None = None
) -> None:
    """One topic's share per period with its interval, EWMA, bursts and forecast, on ``ax``."""
    rows = topic_rows(table, topic_id)
    label = rows["label"].iloc[-1] if len(rows) else f"Topic {topic_id}"
    ax.set_xlabel("Period start")
    ax.set_ylabel("Share of all papers")
    if rows.empty or not np.nansum(to_num(rows["count"])) > 0:
        ax.set_title(f"{wrap_label(label, 90)}\n(no papers yet)", loc="left", fontsize=11)
        no_data(ax, "No papers in this topic yet")
        return
    last = rows.iloc[-1]
    color = status_color(last.get("status"))
    x, ewma = to_dates(rows["period"]), to_num(rows["ewma_share"])
    ax.fill_between(
        x,
        to_num(rows["share_lo"]),
        to_num(rows["share_hi"]),
        color=color,
        alpha=0.18,
        lw=0,
        label="share, 95% interval",
    )
    ax.plot(
        x, to_num(rows["share"]), "o", ms=2.5, color="0.35", alpha=0.7, label="share per period"
    )
    ax.plot(x, ewma, "-", lw=2.2, color=color, label="smoothed (EWMA)")
    if "burst" in rows:
        spans = burst_spans(x, rows["burst"].fillna(False).astype(bool).to_numpy())
        for i, (x0, x1) in enumerate(spans):
            ax.axvspan(x0, x1, color=BURST_COLOR, alpha=0.25, lw=0, label=None if i else "burst")
    fc = None if forecast is None or forecast.empty else topic_rows(forecast, topic_id)
    if fc is not None and not fc.empty:  # joined to the last smoothed value
        fx = np.concatenate([x[-1:], to_dates(fc["period"])])
        lo, hi, mean = (np.concatenate([ewma[-1:], to_num(fc[c])]) for c in ("lo", "hi", "mean"))
        ax.fill_between(
            fx,
            lo,
            hi,
            facecolor="none",
            edgecolor=color,
            hatch="///",
            lw=0,
            alpha=0.6,
            label="forecast interval",
        )
        ax.plot(fx, mean, "--", lw=1.8, color=color, label="forecast")
    growth = growth_text(last.get("growth"), last.get("growth_lo"), last.get("growth_hi"))
    stats = f"{last.get('status', '?')} · growth {growth} · q(rising) = {q_text(last['q_rising'])}"
    ax.set_title(f"{wrap_label(label, 90)}\n{stats}", loc="left", fontsize=11)
    style_time_axis(ax)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)


def plot_topic_trend(
    table: pd.DataFrame, topic_id: int, forecast: pd.DataFrame | None = None
) -> Figure:
    """Share of ``topic_id`` over time: interval band, EWMA line, burst periods, forecast."""
    fig = Figure(figsize=(10.5, 4.6), layout="constrained")
    draw_topic_trend(fig.add_subplot(), table, topic_id, forecast)
    return fig


def default_share_topics(table: pd.DataFrame, top: int) -> list[int]:
    """The ``top`` topics with the largest smoothed share in the last period."""
    if table.empty:
        return []
    last = table.loc[table["period"] == table["period"].max()]
    last = last.assign(_s=pd.to_numeric(last["ewma_share"], errors="coerce").fillna(0.0))
    ranked = last.sort_values(["_s", "topic_id"], ascending=[False, True])
    return [int(t) for t in ranked["topic_id"].head(top)]


def plot_topic_shares(
    table: pd.DataFrame, topics: Sequence[int] | None = None, top: int = 8
) -> Figure:
    """Small multiples of each topic's smoothed share over time (with its interval band).

    ``topics`` lists the topic ids to show, in order (the report passes its top topics); when
    ``None`` the ``top`` topics with the largest smoothed share in the last period are shown.
    Small multiples rather than a stacked area: a paper may belong to more than one topic, so
    shares need not add up, and each panel keeps its own y scale (starting at zero) so small
    topics' trends stay visible. Lines are coloured by each topic's latest status.
    """
    ids = list(topics)[:top] if topics is not None else default_share_topics(table, top)
    n = max(1, len(ids))
    ncols = min(4, n)
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(A4_LANDSCAPE[0], min(7.6, 1.2 + 3.0 * nrows)), layout="constrained")
    axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False).ravel()
    fig.suptitle(
        f"Topic shares over time ({len(ids)} topics, smoothed, with 95% interval)",
        fontsize=13,
        fontweight="bold",
    )
    fig.supylabel("Share of all papers in the period", fontsize=10)
    if not ids:
        no_data(axes[0], "No topics to show")
        axes[0].set_title("No topics", fontsize=9)
    seen: list[str] = []
    for ax, topic_id in zip(axes, ids, strict=False):
        rows = topic_rows(table, topic_id)
        if rows.empty:
            ax.set_title(wrap_label(f"Topic {topic_id}", 30), fontsize=9, loc="left")
            no_data(ax, "no data")
            continue
        status = str(rows["status"].iloc[-1])
        color = status_color(status)
        seen.append(status)
        x = to_dates(rows["period"])
        ax.fill_between(
            x, to_num(rows["share_lo"]), to_num(rows["share_hi"]), color=color, alpha=0.15, lw=0
        )
        ax.plot(x, to_num(rows["share"]), ".", ms=2, color="0.55")
        ax.plot(x, to_num(rows["ewma_share"]), "-", lw=2, color=color)
        ax.set_title(wrap_label(rows["label"].iloc[-1], 32), fontsize=9, loc="left")
        ax.tick_params(labelsize=8)
        style_time_axis(ax)
    for i, ax in enumerate(axes):
        ax.set_visible(i < n)
        if i + ncols >= n:  # lowest visible panel of its column
            ax.set_xlabel("Period start", fontsize=9)
            ax.xaxis.set_tick_params(labelbottom=True)
    handles = [Patch(color="none", label="Line colour = latest status:")]
    handles += [Patch(color=status_color(s), label=s) for s in STATUS_ORDER if s in seen]
    handles.append(Patch(color="0.6", alpha=0.3, label="95% interval"))
    legend_below(fig, handles)
    return fig


def _momentum_rows(summary: pd.DataFrame, top: int, alpha: float) -> pd.DataFrame:
    df = summary.copy()
    for col in ("growth", "growth_lo", "growth_hi", "q_rising", "q_falling"):
        df[col] = pd.to_numeric(df[col], errors="coerce") if col in df else np.nan
    df = df.loc[np.isfinite(df["growth"])]
    if {"recent_share", "baseline_share"} <= set(df.columns):  # topics without any papers
        shares = df[["recent_share", "baseline_share"]].apply(pd.to_numeric, errors="coerce")
        df = df.loc[(shares.fillna(0.0) > 0).any(axis=1)]
    q = np.where(df["growth"] >= 0, df["q_rising"], df["q_falling"])
    df = df.assign(_q=q, _sig=np.nan_to_num(q, nan=1.0) <= alpha, _abs=df["growth"].abs())
    df = df.sort_values(["_sig", "_abs", "topic_id"], ascending=[False, False, True]).head(top)
    return df.sort_values(["growth", "topic_id"], ascending=[True, False]).reset_index(drop=True)


def draw_momentum(ax: Axes, summary: pd.DataFrame, top: int = 15, alpha: float = 0.05) -> int:
    """Growth (log ratio recent vs baseline share) with intervals; returns the rows drawn.

    Shows at most ``top`` topics: significant ones (q ≤ ``alpha`` in the direction of their
    growth) first, then by absolute growth; drawn sorted by growth, strongest riser on top.
    Topics without papers are left out. Filled markers are significant, hollow ones are not; the
    q-value is printed on the right; " (burst)" marks topics in a burst.
    """
    df = _momentum_rows(summary, top, alpha)
    ax.set_xlabel("Growth: recent share ÷ baseline share (log scale, bars = 95% interval)")
    ax.set_ylabel("Topic")
    if df.empty:
        no_data(ax, "No topic has a growth estimate yet")
        return 0
    y, g = np.arange(len(df)), df["growth"].to_numpy(dtype=float)
    lo = np.clip(g - df["growth_lo"].fillna(df["growth"]).to_numpy(dtype=float), 0, None)
    hi = np.clip(df["growth_hi"].fillna(df["growth"]).to_numpy(dtype=float) - g, 0, None)
    ax.axvline(0, color="0.3", lw=1, ls="--", zorder=1)
    for i, row in df.iterrows():
        c, sig = status_color(row.get("status")), bool(row["_sig"])
        ax.errorbar(
            g[i],
            y[i],
            xerr=[[lo[i]], [hi[i]]],
            fmt="o",
            ms=7,
            color=c,
            ecolor=c,
            elinewidth=2,
            capsize=3,
            zorder=3,
            mfc=c if sig else "white",
            mew=1.8,
        )
        note(
            ax,
            q_text(row["_q"]),
            (1.0, y[i]),
            6,
            0,
            ("axes fraction", "data"),
            va="center",
            fontsize=8,
            fontweight="bold" if sig else "normal",
        )
    note(ax, "q-value", (1.0, 1.0), 6, 4, va="bottom", fontsize=8, fontweight="bold")
    burst = df["in_burst"].fillna(False).astype(bool) if "in_burst" in df else df["_sig"] & False
    labels = [
        wrap_label(t, 42) + (" (burst)" if b else "")
        for t, b in zip(df["label"], burst, strict=True)
    ]
    ax.set_yticks(y, labels, fontsize=9)
    ax.set_ylim(-0.7, len(df) - 0.3)
    span = np.nanmax(np.abs(np.concatenate([g - lo, g + hi, [0.3]])))
    ax.set_xlim(-1.1 * span, 1.1 * span)
    ratio_ticks(ax)
    ax.grid(axis="x", alpha=0.3)
    return len(df)


def plot_momentum(summary: pd.DataFrame, top: int = 15, alpha: float = 0.05) -> Figure:
    """Momentum overview: each topic's growth with its interval, coloured by status.

    See :func:`draw_momentum` for which topics are shown and how significance is marked.
    """
    fig = Figure(figsize=A4_LANDSCAPE, layout="constrained")
    ax = fig.add_subplot()
    n = draw_momentum(ax, summary, top, alpha)
    fig.suptitle(
        f"Momentum of {n} topics: recent vs baseline share",
        x=0.01,
        ha="left",
        fontsize=14,
        fontweight="bold",
    )
    ax.set_title(
        "Significant topics first, then the largest changes; q-value in the direction of change",
        loc="left",
        fontsize=9,
        color="0.3",
    )
    statuses = set(summary["status"].astype(str)) if "status" in summary else set()
    handles = [legend_dot(status_color(s), s) for s in STATUS_ORDER if s in statuses]
    handles += [
        legend_dot("0.3", f"significant (q ≤ {alpha:g})"),
        legend_dot("0.3", "not significant", mfc="white", mew=1.8),
    ]
    legend_below(fig, handles)
    return fig


def draw_status_counts(ax: Axes, summary: pd.DataFrame) -> None:
    """Horizontal bars: number of topics per momentum status."""
    counts = summary["status"].astype(str).value_counts() if len(summary) else pd.Series()
    order = list(STATUS_ORDER) + sorted(set(counts.index) - set(STATUS_ORDER))
    values = [int(counts.get(s, 0)) for s in order]
    y = np.arange(len(order))[::-1]
    ax.barh(y, values, color=[status_color(s) for s in order], height=0.6)
    for yi, v in zip(y, values, strict=True):
        note(ax, str(v), (v, yi), 3, 0, "data", va="center", fontsize=9)
    ax.set_yticks(y, order, fontsize=9)
    ax.set_xlim(0, max([*values, 1]) * 1.2)
    ax.set_xlabel("Number of topics")
    ax.set_ylabel("Status")
    ax.set_title("Topics by momentum status", loc="left", fontsize=11)


def plot_status_counts(summary: pd.DataFrame) -> Figure:
    """Number of topics per status (emerging, rising, steady, cooling, fading)."""
    fig = Figure(figsize=(6.0, 3.0), layout="constrained")
    draw_status_counts(fig.add_subplot(), summary)
    return fig


__all__ = [
    "A4_LANDSCAPE",
    "BURST_COLOR",
    "STATUS_COLORS",
    "STATUS_ORDER",
    "UNKNOWN_COLOR",
    "as_float",
    "default_share_topics",
    "draw_momentum",
    "draw_status_counts",
    "draw_topic_trend",
    "escape_text",
    "growth_text",
    "no_data",
    "note",
    "plot_momentum",
    "plot_status_counts",
    "plot_topic_shares",
    "plot_topic_trend",
    "q_text",
    "ratio_text",
    "status_color",
    "wrap_label",
]
