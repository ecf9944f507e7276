"""The PDF pages of the trend report: title page, one page per top topic, run summary.

:class:`ReportPages` adds the page builders to :class:`~trends.report_text.ReportContent`; each
page is a fresh :class:`~matplotlib.figure.Figure` (A4 landscape) combining charts of
:mod:`trends.plots` with text. :mod:`trends.report` writes the pages to report.pdf.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from trends import plots
from trends.report_text import ReportContent, flag, kv_text, paper_meta, summary_fields

_TOP = dict(va="top", linespacing=1.4)  # text hanging from the top left of an axes


def _text_ax(fig: Figure, spec: Any, title: str | None = None) -> Axes:
    ax = fig.add_subplot(spec)
    ax.axis("off")
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    return ax


def _table(ax: Axes, rows: list[list[str]], widths: list[float], size: float) -> None:
    """A left-aligned table from the top left of ``ax``; ``rows[0]`` is the header."""
    tab = ax.table(rows[1:], colLabels=rows[0], colWidths=widths, loc="upper left")
    for cell in tab.get_celld().values():
        cell.set_text_props(ha="left")
        cell.PAD = 0.03
    tab.auto_set_font_size(False)
    tab.set_fontsize(size)
    tab.scale(1, 1.4)


def _lines(ax: Axes, lines: list[tuple[str, float, str, str]], room_pt: float) -> None:
    """Stack (text, size, colour, weight) lines down from the top of ``ax``, fitting ``room_pt``."""
    heights = [(t.count("\n") + 1) * size * 1.45 + 3 for t, size, _, _ in lines]
    scale, y = min(1.0, room_pt / max(sum(heights), 1.0)), 0.0
    for (text, size, color, weight), h in zip(lines, heights, strict=True):
        kw = dict(fontsize=size * scale, color=color, fontweight=weight, linespacing=1.35)
        plots.note(ax, text, (0, 1), 0, -y, va="top", **kw)
        y += h * scale


class ReportPages(ReportContent):
    """A report's content with its PDF pages (all but the two overview charts)."""

    def title_page(self) -> Figure:
        bullets = [plots.wrap_label(t, 115, 3).replace("\n", "\n   ") for t in self.notes]
        body = "\n".join("• " + b for b in bullets)
        text_pt = min(330.0, 105 + 18 * (body.count("\n") + 1))
        fig = Figure(figsize=plots.A4_LANDSCAPE, layout="constrained")
        gs = fig.add_gridspec(2, 2, height_ratios=[text_pt, 560 - text_pt], width_ratios=[1, 2.3])
        run = plots.escape_text(f"Report as of {self.as_of} · run {self.run.get('run_id', 'n/a')}")
        header = [("Research-trend radar", 24.0, "black", "bold"), (run, 12.0, "0.3", "normal")]
        header += [("Key takeaways", 14.0, "black", "bold"), (body, 11.0, "black", "normal")]
        _lines(_text_ax(fig, gs[0, :]), header, text_pt)
        plots.draw_status_counts(fig.add_subplot(gs[1, 0]), self.summary)
        rows = [["#", "Topic", "Status", "Growth [95%]", "q rising"]]
        for i, t in enumerate(self.picks, 1):
            r = self.summary.loc[t]
            f = summary_fields(r)
            rows.append([str(i), plots.wrap_label(r["label"], 50, 1), f[2], f[4], f[5]])
        tax = _text_ax(fig, gs[1, 1], "Top topics (detail pages follow)")
        if self.picks:
            _table(tax, rows, [0.04, 0.55, 0.11, 0.20, 0.10], 9)
        else:
            tax.text(0, 0.95, "No topic has papers yet.", va="top", color="0.4")
        return fig

    def facts(self, t: int) -> str:
        r, facts = self.summary.loc[t], [f"kind: {self.summary.loc[t].get('kind', 'n/a')}"]
        reg = self.topics.loc[t] if self.topics is not None and t in self.topics.index else None
        if reg is not None and pd.notna(reg.get("size")):
            facts.append(f"{int(reg['size'])} papers in topic")
        if reg is not None and pd.notna(reg.get("birth_date")):
            facts.append(f"born {pd.Timestamp(reg['birth_date']):%Y-%m-%d}")
        base = plots.as_float(r.get("baseline_share"))
        facts.append(f"recent share {summary_fields(r)[3]} vs baseline {base:.2%}")
        if pd.notna(r.get("burst_start")) and flag(r.get("in_burst")):
            facts.append(f"in a burst since {pd.Timestamp(r['burst_start']):%Y-%m-%d}")
        return " · ".join(facts)

    def topic_page(self, rank: int, t: int) -> Figure:
        fig = Figure(figsize=plots.A4_LANDSCAPE, layout="constrained")
        fig.suptitle(f"Top topic #{rank}", x=0.01, ha="left", fontsize=10, color="0.4")
        gs = fig.add_gridspec(2, 1, height_ratios=[1.45, 1])
        plots.draw_topic_trend(fig.add_subplot(gs[0]), self.table, t, self.forecast)
        lines = [
            (plots.escape_text(self.facts(t)), 9.0, "0.3", "normal"),
            (f"Most upvoted recent papers (last {self.days} days)", 11.0, "black", "bold"),
        ]
        if self.picks[t].empty:
            lines.append(("No papers assigned to this topic yet.", 9.5, "0.4", "normal"))
        for i, p in enumerate(self.picks[t].itertuples(), 1):
            title = plots.wrap_label(p.title, 150, 2).replace("\n", "\n    ")
            lines.append((f"{i}. {title}", 9.5, "black", "normal"))
            lines.append(("    " + plots.escape_text(paper_meta(p)), 8.5, "0.4", "normal"))
        _lines(_text_ax(fig, gs[1]), lines, plots.A4_LANDSCAPE[1] * 72 / 2.45 - 10)
        return fig

    def run_page(self) -> Figure:
        fig = Figure(figsize=plots.A4_LANDSCAPE, layout="constrained")
        title = "Run summary: ingest, rejections, novelty"
        fig.suptitle(title, x=0.01, ha="left", fontsize=14, fontweight="bold")
        gs = fig.add_gridspec(2, 2, height_ratios=[4, 1], width_ratios=[1, 1.4])
        rows = [["Metric", "Value"], *(self.counts() or [["(no counts)", ""]])]
        rows = [[plots.escape_text(a), plots.escape_text(b)] for a, b in rows]
        _table(_text_ax(fig, gs[0, 0], "Counts"), rows, [0.7, 0.3], 10)
        ax = fig.add_subplot(gs[0, 1])
        reasons, scope = self.reasons()
        ax.set_title(f"Rejected records by reason ({scope})", loc="left", fontsize=11)
        ax.set_xlabel("Rejected records")
        ax.set_ylabel("Reason")
        if reasons.empty:
            plots.no_data(ax, "No records rejected")
        else:
            y = np.arange(len(reasons))[::-1]
            ax.barh(y, reasons.to_numpy(), color="#9e9ac8", height=0.6)
            ax.set_yticks(y, [plots.wrap_label(r, 30) for r in reasons.index], fontsize=9)
            for yi, v in zip(y, reasons.to_numpy(), strict=True):
                plots.note(ax, f"{v:g}", (v, yi), 3, 0, "data", va="center", fontsize=9)
            ax.set_xlim(0, reasons.max() * 1.15)
        info = [f"{k.capitalize()} — {kv_text(self.run.get(k))}" for k in ("timings", "versions")]
        lines = [(plots.wrap_label(t, 170, 2), 8.5, "0.3", "normal") for t in info]
        _lines(_text_ax(fig, gs[1, :]), lines, 100)
        return fig

    def pages(self) -> Iterator[Figure]:
        """The PDF's pages but the two overview charts, built lazily (one page in memory)."""
        yield self.title_page()
        for rank, t in enumerate(self.picks, 1):
            yield self.topic_page(rank, t)
        yield self.run_page()
