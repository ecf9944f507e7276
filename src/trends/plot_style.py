"""Shared look of the report charts: status colours, page size, text helpers, drawing helpers.

Text helpers turn values into short display strings (:func:`wrap_label`, :func:`ratio_text`,
:func:`growth_text`, :func:`q_text`) and escape ``$`` so matplotlib never reads a paper title or
label as mathtext. Drawing helpers (:func:`note`, :func:`no_data`, time and ratio axes, legends)
are shared by :mod:`trends.plots` and the report pages of :mod:`trends.report_pages`. Everything
public here is re-exported by :mod:`trends.plots`.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Annotation
from matplotlib.ticker import FixedLocator, FuncFormatter, PercentFormatter

STATUS_ORDER: tuple[str, ...] = ("emerging", "rising", "steady", "cooling", "fading")
# Diverging red-blue (colour-blind safe): warm = gaining, cool = losing, grey = steady.
STATUS_COLORS: dict[str, str] = dict(
    emerging="#b2182b", rising="#ef8a62", steady="#8c8c8c", cooling="#67a9cf", fading="#2166ac"
)
UNKNOWN_COLOR = "#444444"
BURST_COLOR = "#f1c232"
A4_LANDSCAPE = (11.69, 8.27)
_RATIOS = (1 / 32, 1 / 16, 1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8, 16, 32, 64)
_FINE_RATIOS = (1 / 4, 0.4, 1 / 2, 0.8, 1, 1.25, 2, 2.5, 4)  # symmetric pairs, short labels


def escape_text(text: object) -> str:
    """``str(text)`` with ``$`` escaped so matplotlib does not parse it as mathtext."""
    return str(text).replace("$", r"\$")


def wrap_label(text: object, width: int = 40, max_lines: int = 2) -> str:
    """Wrap ``text`` to lines of at most ``width`` characters; cut after ``max_lines`` with "…"."""
    raw = " ".join(str(text).split()) or "(unlabelled)"
    lines = textwrap.wrap(raw, width, break_long_words=True, break_on_hyphens=True)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(1, width - 1)].rstrip() + "…"
    return escape_text("\n".join(lines))


def status_color(status: object) -> str:
    return STATUS_COLORS.get(str(status), UNKNOWN_COLOR)


def as_float(value: object) -> float:
    """``value`` as a float; NaN when it is missing or not a number."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def ratio_text(log_ratio: object) -> str:
    """A log ratio as a multiplier, e.g. ``0.69 -> "×2"``; ``"n/a"`` when not finite."""
    value = as_float(log_ratio)
    if not math.isfinite(value):
        return "n/a"
    return f"×{math.exp(value):.2g}" if abs(value) < 4.6 else f"×{math.exp(value):.0f}"


def growth_text(growth: object, lo: object, hi: object) -> str:
    """Growth with its interval as multipliers: ``"×1.8 [1.3–2.4]"``."""
    if not (math.isfinite(as_float(lo)) and math.isfinite(as_float(hi))):
        return ratio_text(growth)
    return f"{ratio_text(growth)} [{ratio_text(lo)[1:]}–{ratio_text(hi)[1:]}]"


def q_text(q: object) -> str:
    """A q-value for display: two significant digits, "<0.001" when tiny, "n/a" when missing."""
    value = as_float(q)
    if not math.isfinite(value):
        return "n/a"
    return "<0.001" if value < 0.001 else f"{value:.2g}"


def note(
    ax: Axes,
    text: str,
    xy: tuple[float, float],
    dx: float = 0,
    dy: float = 0,
    coords: Any = "axes fraction",
    **kw: Any,
) -> Annotation:
    """Text at ``xy`` (in ``coords``) shifted by (``dx``, ``dy``) points."""
    return ax.annotate(
        text, xy=xy, xycoords=coords, xytext=(dx, dy), textcoords="offset points", **kw
    )


def no_data(ax: Axes, message: str) -> None:
    """An empty chart that says why it is empty."""
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="0.4")
    ax.set_xticks([])
    ax.set_yticks([])


def topic_rows(table: pd.DataFrame, topic_id: int) -> pd.DataFrame:
    """One topic's rows of ``table`` (or a forecast), oldest period first."""
    return table.loc[table["topic_id"] == topic_id].sort_values("period").reset_index(drop=True)


def to_dates(series: pd.Series) -> np.ndarray:
    """``series`` as a ``datetime64[ns]`` array."""
    return pd.to_datetime(series).to_numpy(dtype="datetime64[ns]")


def to_num(series: pd.Series) -> np.ndarray:
    """``series`` as a float array; NaN where a value is not a number."""
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


def style_time_axis(ax: Axes) -> None:
    """Concise date ticks on x, percent shares from zero on y, light horizontal grid."""
    locator = AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=None))
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", alpha=0.3)


def burst_spans(periods: np.ndarray, burst: np.ndarray) -> list[tuple[float, float]]:
    """Contiguous burst periods as (start, end) in matplotlib date numbers; end = next period."""
    step = np.diff(periods).min() if len(periods) > 1 else np.timedelta64(7, "D")
    spans, start = [], None
    for i, flag in enumerate(burst):
        if flag and start is None:
            start = periods[i]
        if start is not None and (not flag or i == len(burst) - 1):
            end = periods[i] + step if flag else periods[i]
            spans.append((float(date2num(start)), float(date2num(end))))
            start = None
    return spans


def legend_below(fig: Figure, handles: Sequence[Artist]) -> None:
    """One legend row centred below all axes of ``fig``."""
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncol=len(handles),
        fontsize=9,
        frameon=False,
        handlelength=1.5,
    )


def ratio_ticks(ax: Axes) -> None:
    """Ticks of a log-ratio axis at round multipliers (×0.5, ×1, ×2 …), at most nine."""
    lo, hi = ax.get_xlim()
    ticks = [math.log(r) for r in _RATIOS if lo <= math.log(r) <= hi]
    if len(ticks) < 5:
        ticks = [math.log(r) for r in _FINE_RATIOS if lo <= math.log(r) <= hi]
    if len(ticks) > 9:  # thin out, keeping ×1 (or the tick nearest to it)
        step = math.ceil(len(ticks) / 8)
        anchor = min(range(len(ticks)), key=lambda i: abs(ticks[i]))
        ticks = [t for i, t in enumerate(ticks) if (i - anchor) % step == 0]
    if len(ticks) < 3:
        ticks = list(np.linspace(lo, hi, 5))
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"×{math.exp(v):.3g}"))


def legend_dot(color: str, label: str, **kw: Any) -> Line2D:
    """A round legend marker (no line) in ``color``."""
    return Line2D([], [], marker="o", ls="", color=color, ms=7, label=label, **kw)
