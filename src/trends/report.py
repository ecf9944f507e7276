"""The trend report: ``<out_dir>/<as_of ISO date>/`` with report.pdf, PNG charts and summary.md.

:func:`write_report` is the only code in trends that writes report files. It takes the frames of
the momentum step (``table``, ``summary``, ``forecast``), the topic registry (``topics``), the
papers and their topic ``assignments``, and the run manifest (``run_summary``), and writes:

* ``report.pdf`` — A4 landscape pages: (1) title page with the as-of date, key takeaways in words,
  topics per status and the top topics at a glance; (2) momentum overview; (3) topic shares over
  time; (4…) one page per top topic with its trend chart and its most upvoted recent papers;
  (last) run summary: ingested and rejected counts (by reason), novelty share, timings, versions.
* ``momentum.png``, ``shares.png``, ``status.png``, ``topic_<id>.png`` — the same charts.
* ``summary.md`` — takeaways, a table of the top topics, top papers per topic, run summary.

Every file is written to a temporary name in the same folder and moved into place with
:func:`os.replace`, so a crash never leaves a half-written file under its final name; an older
report of the same date stays complete until each new file replaces it. ``topic_<id>.png`` files
of topics no longer in the top list, and temporary files of a crashed earlier run, are removed.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from trends import plots
from trends.errors import ReportError

log = logging.getLogger(__name__)
T = TypeVar("T")

RISING = ("emerging", "rising")
FALLING = ("cooling", "fading")
REQUIRED = {  # columns write_report reads, per input frame
    "table": "topic_id label period count share share_lo share_hi ewma_share growth growth_lo "
    "growth_hi q_rising burst status",
    "summary": "topic_id label",  # SUMMARY_NUMERIC and status are filled in when missing
    "papers": "paper_id title date upvotes",
    "assignments": "paper_id topic_id",
}
SUMMARY_NUMERIC = "recent_share baseline_share growth growth_lo growth_hi q_rising q_falling"
COUNT_NAMES = {
    "papers_total": "Papers in store",
    "new_papers": "New papers this run",
    "rejected_new": "Rejected this run",
    "embedded": "Embedded",
    "assigned": "Assigned to a topic",
    "novelty_pool": "Novelty pool (no topic yet)",
    "outlier_share": "Outlier / novelty share",
}
_TMP_RE = re.compile(r"^\..+\.[0-9a-f]{12}\.tmp$")
_ARXIV_RE = re.compile(r"^\d{4}\.\d{4,5}$")
_TOP = dict(va="top", linespacing=1.4)  # text hanging from the top left of an axes


@dataclass(frozen=True)
class ReportPaths:
    """Where :func:`write_report` put the report (``pages``: page count of report.pdf)."""

    pdf: Path
    pngs: list[Path]
    summary_md: Path
    pages: int = 0


def select_top_topics(summary: pd.DataFrame, n: int, *, alpha: float = 0.05) -> list[int]:
    """The ``n`` most interesting topics by momentum, most interesting first.

    Rule: (1) topics rising significantly — status ``emerging`` or ``rising`` and
    ``q_rising <= alpha`` — come first; (2) then every other topic. Within each group topics are
    ordered by ``growth`` (largest first; missing growth last), then by ``recent_share`` (largest
    first), then by ``topic_id``. Topics with no papers in the recent or baseline window (both
    shares zero or missing) are never selected.
    """
    if n <= 0 or summary.empty:
        return []
    recent = pd.to_numeric(summary["recent_share"], errors="coerce").fillna(0.0)
    baseline = pd.to_numeric(summary["baseline_share"], errors="coerce").fillna(0.0)
    q = pd.to_numeric(summary["q_rising"], errors="coerce").fillna(1.0)
    df = summary.assign(
        _tier=np.where(summary["status"].astype(str).isin(RISING) & (q <= alpha), 0, 1),
        _g=pd.to_numeric(summary["growth"], errors="coerce").fillna(-np.inf),
        _s=recent,
    ).loc[(recent > 0) | (baseline > 0)]
    df = df.sort_values(["_tier", "_g", "_s", "topic_id"], ascending=[True, False, False, True])
    return [int(t) for t in df["topic_id"].head(n)]


def _names(rows: pd.DataFrame, limit: int = 4) -> str:
    parts = [
        f"{_short(r.label)} ({plots.ratio_text(r.growth)})" for r in rows.head(limit).itertuples()
    ]
    return "; ".join(parts) + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def _short(label: object) -> str:
    return plots.wrap_label(label, 60, 1)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _flag(value: object) -> bool:
    return bool(value) if value is not None and not pd.isna(value) else False


def takeaways(summary: pd.DataFrame, run: dict[str, Any], *, alpha: float = 0.05) -> list[str]:
    """Key findings in plain words (rising, emerging, falling, bursts, largest topic, ingest)."""
    s = summary.assign(
        growth=pd.to_numeric(summary["growth"], errors="coerce"),
        _qr=pd.to_numeric(summary["q_rising"], errors="coerce").fillna(1.0),
        _qf=pd.to_numeric(summary["q_falling"], errors="coerce").fillna(1.0),
        _st=summary["status"].astype(str),
    ).sort_values("growth", ascending=False)
    rising = s.loc[(s["_st"] == "rising") & (s["_qr"] <= alpha)]
    emerging = s.loc[s["_st"] == "emerging"]
    falling = s.loc[s["_st"].isin(FALLING) & (s["_qf"] <= alpha)].sort_values("growth")
    burst = s.loc[s["in_burst"].map(_flag)] if "in_burst" in s else s.iloc[:0]
    sig = f"significantly (q ≤ {alpha:g})"
    out = [f"{_plural(len(rising), 'topic')} rising {sig}: {_names(rising)}."]
    if rising.empty:
        out = [f"No established topic is rising {sig}."]
    if len(emerging):
        out.append(
            f"{_plural(len(emerging), 'emerging topic')} (new, growing): {_names(emerging)}."
        )
    if len(falling):
        out.append(f"{_plural(len(falling), 'topic')} cooling or fading {sig}: {_names(falling)}.")
    if len(burst):
        out.append(f"In a burst now: {_names(burst)}.")
    share = pd.to_numeric(s["recent_share"], errors="coerce")
    if share.notna().any():
        big = _short(s.loc[share.idxmax(), "label"])
        out.append(f"Largest topic recently: {big} ({float(share.max()):.1%} of papers).")
    c = run.get("counts") or {}
    if not c:
        return out
    line = f"This run ingested {c.get('new_papers', 'n/a')} new papers and rejected "
    line += str(c.get("rejected_new", "n/a"))
    if isinstance(c.get("outlier_share"), int | float):
        line += f"; {c['outlier_share']:.1%} of papers fit no topic yet (novelty pool)"
    return [*out, line + "."]


def top_papers(
    topic_id: int, merged: pd.DataFrame, *, as_of: date, n: int, days: int
) -> pd.DataFrame:
    """A topic's ``n`` most upvoted papers of the last ``days`` days up to ``as_of``.

    ``merged`` is assignments joined with papers plus ``r_date`` (Timestamp) and ``r_upvotes``
    (float). Ties and missing upvotes are ordered by date (newest first); when fewer than ``n``
    papers are that recent, the newest older papers fill the list.
    """
    end = pd.Timestamp(as_of)
    rows = merged.loc[(merged["topic_id"] == topic_id) & (merged["r_date"] <= end)]
    rows = rows.drop_duplicates("paper_id")
    is_recent = rows["r_date"] > end - pd.Timedelta(days=days)
    recent = rows.loc[is_recent].sort_values(
        ["r_upvotes", "r_date", "paper_id"], ascending=[False, False, True], na_position="last"
    )
    older = rows.loc[~is_recent].sort_values("r_date", ascending=False)
    return pd.concat([recent, older]).head(n)


def _paper_meta(p: Any) -> str:
    up = "no upvotes data" if pd.isna(p.r_upvotes) else _plural(int(p.r_upvotes), "upvote")
    return f"{p.paper_id} · {p.r_date:%Y-%m-%d} · {up}"


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


@dataclass
class _Report:
    """Everything the pages and summary.md are made of (``picks``: top topic id -> papers)."""

    as_of: date
    table: pd.DataFrame
    summary: pd.DataFrame  # indexed by topic_id
    forecast: pd.DataFrame | None
    topics: pd.DataFrame | None  # indexed by topic_id
    run: dict[str, Any]
    notes: list[str]
    picks: dict[int, pd.DataFrame]
    days: int

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
            f = _fields(r)
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
        facts.append(f"recent share {_fields(r)[3]} vs baseline {base:.2%}")
        if pd.notna(r.get("burst_start")) and _flag(r.get("in_burst")):
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
            lines.append(("    " + plots.escape_text(_paper_meta(p)), 8.5, "0.4", "normal"))
        _lines(_text_ax(fig, gs[1]), lines, plots.A4_LANDSCAPE[1] * 72 / 2.45 - 10)
        return fig

    def counts(self) -> list[list[str]]:
        rows = []
        for key, value in (self.run.get("counts") or {}).items():
            if isinstance(value, dict | list):  # rejected_by_reason has its own chart
                continue
            shown = f"{value:.1%}" if key.endswith("_share") and isinstance(value, float) else value
            rows.append([COUNT_NAMES.get(key, key.replace("_", " ").capitalize()), str(shown)])
        return rows

    def reasons(self) -> tuple[pd.Series, str]:
        """Rejected records per reason, and their scope: this run, else all runs."""
        counts = self.run.get("counts") or {}
        raw, scope = counts.get("rejected_by_reason"), "this run"
        if not raw and counts.get("rejected_by_reason_total"):
            raw, scope = counts["rejected_by_reason_total"], "all runs"
        return pd.Series(raw or {}, dtype=float).sort_values(ascending=False), scope

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
        info = [f"{k.capitalize()} — {_kv(self.run.get(k))}" for k in ("timings", "versions")]
        lines = [(plots.wrap_label(t, 170, 2), 8.5, "0.3", "normal") for t in info]
        _lines(_text_ax(fig, gs[1, :]), lines, 100)
        return fig

    def pages(self) -> Iterator[Figure]:
        """The PDF's pages but the two overview charts, built lazily (one page in memory)."""
        yield self.title_page()
        for rank, t in enumerate(self.picks, 1):
            yield self.topic_page(rank, t)
        yield self.run_page()

    def markdown(self) -> str:
        s, run_id = self.summary, self.run.get("run_id", "n/a")
        out = [
            f"# Research-trend report — {self.as_of.isoformat()}\n",
            f"Run `{run_id}` · full report: [report.pdf](report.pdf)\n",
            "## Key takeaways\n",
            *[f"- {_md(t)}" for t in self.notes],
            "\n## Top topics\n",
            "| # | Topic | Kind | Status | Recent share | Growth [95% CI] | q rising | Burst |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for i, t in enumerate(self.picks, 1):
            r = s.loc[t]
            out.append(f"| {i} | {_md(r['label'])} | " + " | ".join(_fields(r)[1:]) + " |")
        out.append(f"\n## Top papers per topic (most upvoted, last {self.days} days)\n")
        for i, (t, papers) in enumerate(self.picks.items(), 1):
            out.append(f"### {i}. {_md(s.at[t, 'label'])} ({s.at[t, 'status']})\n")
            out.append(f"![trend of topic {t}](topic_{t}.png)\n")
            out += [_paper_line(p) for p in papers.itertuples()] or ["- (no papers yet)"]
            out.append("")
        out += ["## Run summary\n", "| Metric | Value |", "|---|---|"]
        out += [f"| {_md(a)} | {_md(b)} |" for a, b in self.counts()]
        reasons, scope = self.reasons()
        out.append(f"\nRejected by reason ({scope}):\n")
        out += [f"- {_md(k)}: {v:g}" for k, v in reasons.items()] or ["- none"]
        out += [
            f"\nTimings: {_kv(self.run.get('timings'))}\n",
            f"Versions: {_kv(self.run.get('versions'))}\n",
            "## Charts\n",
        ]
        out += [f"![{name}]({name}.png)\n" for name in ("momentum", "shares", "status")]
        return "\n".join(out)


def _kv(d: Any) -> str:
    parts = [
        f"{k}: {v:.1f}s" if isinstance(v, float) else f"{k}: {v}" for k, v in (d or {}).items()
    ]
    return " · ".join(parts) or "n/a"


def _fields(r: pd.Series) -> list[str]:
    """A summary row as text: label, kind, status, recent share, growth [CI], q rising, burst."""
    growth = plots.growth_text(r["growth"], r["growth_lo"], r["growth_hi"])
    recent = f"{plots.as_float(r['recent_share']):.2%}"
    burst = "yes" if _flag(r.get("in_burst")) else ""
    return [
        str(r["label"]),
        str(r.get("kind", "")),
        str(r["status"]),
        recent,
        growth,
        plots.q_text(r["q_rising"]),
        burst,
    ]


def _md(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|").replace("$", "\\$")


def _paper_line(p: Any) -> str:
    title, pid = _md(p.title).replace("[", "\\[").replace("]", "\\]"), str(p.paper_id)
    link = f"[{title}](https://arxiv.org/abs/{pid})" if _ARXIV_RE.match(pid) else title
    return f"- {link} — {_paper_meta(p)}"


def _atomic(path: Path, write: Callable[[Path], T]) -> T:
    """``write(tmp)`` to a temporary name in ``path``'s folder, then rename it to ``path``."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        result = write(tmp)
        os.replace(tmp, path)
        return result
    finally:
        tmp.unlink(missing_ok=True)


def _write_pdf(tmp: Path, pages: Iterator[Figure], title: str) -> int:
    n = 0
    with PdfPages(tmp, metadata={"Title": title, "Creator": "trends"}) as pdf:
        for fig in pages:
            pdf.savefig(fig)
            n += 1
    return n


def _complete(summary: pd.DataFrame) -> pd.DataFrame:
    """``summary`` with every column the report reads (NaN, or status "n/a", when missing)."""
    out = summary.drop_duplicates("topic_id", keep="last")
    out = out.assign(**{c: np.nan for c in SUMMARY_NUMERIC.split() if c not in out})
    status = out["status"] if "status" in out else pd.Series(np.nan, index=out.index)
    return out.assign(status=status.where(status.notna(), "n/a").astype(str))


def _check(frames: dict[str, pd.DataFrame | None]) -> None:
    for name, cols in REQUIRED.items():
        frame = frames[name]
        if frame is None:
            raise ReportError(f"write_report: `{name}` is missing (got None)")
        missing = [c for c in cols.split() if c not in frame.columns]
        if missing:
            raise ReportError(f"write_report: `{name}` lacks column(s) {', '.join(missing)}")


def write_report(
    out_dir: Path,
    *,
    as_of: date,
    table: pd.DataFrame,
    summary: pd.DataFrame,
    forecast: pd.DataFrame | None,
    topics: pd.DataFrame | None,
    papers: pd.DataFrame,
    assignments: pd.DataFrame,
    run_summary: dict[str, Any],
    top_topics: int = 8,
    papers_per_topic: int = 5,
    dpi: int = 130,
    fdr_alpha: float = 0.05,
    recent_days: int = 28,
) -> ReportPaths:
    """Write report.pdf, the PNG charts and summary.md to ``out_dir/<as_of ISO date>/``.

    Top topics are chosen by :func:`select_top_topics` (significance level ``fdr_alpha``), each
    topic's papers by :func:`top_papers` (window ``recent_days``). Raises :class:`ReportError`
    when an input lacks a column or a file cannot be written.
    """
    _check({"table": table, "summary": summary, "papers": papers, "assignments": assignments})
    summary = _complete(summary)
    folder = Path(out_dir) / as_of.isoformat()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():  # temporary files of a crashed earlier run
            if _TMP_RE.match(old.name):
                old.unlink(missing_ok=True)
        fc = None if forecast is None or forecast.empty else forecast
        top_ids = select_top_topics(summary, top_topics, alpha=fdr_alpha)
        merged = assignments.merge(papers, on="paper_id", how="inner").assign(
            r_date=lambda d: pd.to_datetime(d["date"]),
            r_upvotes=lambda d: pd.to_numeric(d["upvotes"], errors="coerce"),
        )
        pick = partial(top_papers, merged=merged, as_of=as_of, n=papers_per_topic, days=recent_days)
        rep = _Report(
            as_of=as_of,
            table=table,
            summary=summary.set_index("topic_id", drop=False).rename_axis(None),
            forecast=fc,
            topics=None if topics is None or topics.empty else topics.set_index("topic_id"),
            run=run_summary,
            notes=takeaways(summary, run_summary, alpha=fdr_alpha),
            picks={t: pick(t) for t in top_ids},
            days=recent_days,
        )
        charts: dict[str, Figure] = {
            "momentum.png": plots.plot_momentum(summary, alpha=fdr_alpha),
            "shares.png": plots.plot_topic_shares(table, top_ids, top=top_topics),
            "status.png": plots.plot_status_counts(summary),
        }
        charts.update({f"topic_{t}.png": plots.plot_topic_trend(table, t, fc) for t in top_ids})
        pngs = [folder / name for name in charts]
        for path, fig in zip(pngs, charts.values(), strict=True):
            _atomic(path, partial(fig.savefig, format="png", dpi=dpi))

        def pages() -> Iterator[Figure]:
            rest = rep.pages()
            yield next(rest)  # title page, then the overview charts, then topics and run summary
            yield charts["momentum.png"]
            yield charts["shares.png"]
            yield from rest

        title = f"Research-trend report {as_of.isoformat()}"
        n_pages = _atomic(folder / "report.pdf", lambda tmp: _write_pdf(tmp, pages(), title))
        text = rep.markdown()
        _atomic(folder / "summary.md", lambda tmp: tmp.write_text(text, encoding="utf-8"))
        for old in folder.glob("topic_*.png"):  # charts of topics no longer in the top list
            if old not in pngs:
                old.unlink(missing_ok=True)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReportError(f"cannot write the report to {folder}: {exc}") from exc
    log.info("report written to %s (%d pages, %d charts)", folder, n_pages, len(pngs))
    return ReportPaths(folder / "report.pdf", pngs, folder / "summary.md", n_pages)


__all__ = ["ReportPaths", "select_top_topics", "takeaways", "top_papers", "write_report"]
