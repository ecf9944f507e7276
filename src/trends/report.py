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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from trends import plots
from trends.errors import ReportError

log = logging.getLogger(__name__)

RISING = ("emerging", "rising")
FALLING = ("cooling", "fading")
_TMP_RE = re.compile(r"^\..+\.[0-9a-f]{12}\.tmp$")
_ARXIV_RE = re.compile(r"^\d{4}\.\d{4,5}$")
REQUIRED = {
    "table": (
        "topic_id",
        "label",
        "period",
        "count",
        "share",
        "share_lo",
        "share_hi",
        "ewma_share",
        "growth",
        "growth_lo",
        "growth_hi",
        "q_rising",
        "burst",
        "status",
    ),
    "summary": (
        "topic_id",
        "label",
        "status",
        "recent_share",
        "baseline_share",
        "growth",
        "growth_lo",
        "growth_hi",
        "q_rising",
        "q_falling",
    ),
    "papers": ("paper_id", "title", "date", "upvotes"),
    "assignments": ("paper_id", "topic_id"),
}


@dataclass(frozen=True)
class ReportPaths:
    """Where :func:`write_report` put the report."""

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
        f"{plots.wrap_label(r.label, 60, 1)} ({plots.ratio_text(r.growth)})"
        for r in rows.head(limit).itertuples()
    ]
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return "; ".join(parts) + more


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def takeaways(
    summary: pd.DataFrame, run_summary: dict[str, Any], *, alpha: float = 0.05
) -> list[str]:
    """Key findings in plain words (rising, emerging, falling, bursts, largest topic, ingest)."""
    out: list[str] = []
    s = summary.assign(
        growth=pd.to_numeric(summary["growth"], errors="coerce"),
        _qr=pd.to_numeric(summary["q_rising"], errors="coerce").fillna(1.0),
        _qf=pd.to_numeric(summary["q_falling"], errors="coerce").fillna(1.0),
        _st=summary["status"].astype(str),
    ).sort_values("growth", ascending=False)
    rising = s.loc[(s["_st"] == "rising") & (s["_qr"] <= alpha)]
    emerging = s.loc[s["_st"] == "emerging"]
    falling = s.loc[s["_st"].isin(FALLING) & (s["_qf"] <= alpha)].sort_values("growth")
    if len(rising):
        out.append(
            f"{_plural(len(rising), 'topic')} rising significantly (q ≤ {alpha:g}): "
            f"{_names(rising)}."
        )
    else:
        out.append(f"No established topic is rising significantly (q ≤ {alpha:g}).")
    if len(emerging):
        out.append(
            f"{_plural(len(emerging), 'emerging topic')} (new and growing): {_names(emerging)}."
        )
    if len(falling):
        out.append(
            f"{_plural(len(falling), 'topic')} cooling or fading significantly: {_names(falling)}."
        )
    if "in_burst" in s and s["in_burst"].fillna(False).astype(bool).any():
        out.append(f"In a burst now: {_names(s.loc[s['in_burst'].fillna(False).astype(bool)])}.")
    share = pd.to_numeric(s["recent_share"], errors="coerce")
    if share.notna().any():
        big = s.loc[share.idxmax()]
        out.append(
            f"Largest topic recently: {plots.wrap_label(big['label'], 60, 1)} "
            f"({float(share.max()):.1%} of papers)."
        )
    c = run_summary.get("counts", {}) or {}
    line = (
        f"This run ingested {c.get('new_papers', 'n/a')} new papers and rejected "
        f"{c.get('rejected_new', 'n/a')}"
    )
    if isinstance(c.get("outlier_share"), int | float):
        line += f"; {c['outlier_share']:.1%} of papers fit no topic yet (novelty pool)"
    out.append(line + ".")
    return out


def top_papers(
    topic_id: int, merged: pd.DataFrame, *, as_of: date, n: int, recent_days: int
) -> pd.DataFrame:
    """A topic's ``n`` most upvoted papers of the last ``recent_days`` days up to ``as_of``.

    Ties and missing upvotes are ordered by date (newest first); when fewer than ``n`` papers are
    that recent, the newest older papers fill the list. ``merged`` = assignments ⨝ papers.
    """
    rows = merged.loc[(merged["topic_id"] == topic_id) & (merged["r_date"] <= pd.Timestamp(as_of))]
    rows = rows.drop_duplicates("paper_id")
    start = pd.Timestamp(as_of) - pd.Timedelta(days=recent_days)
    recent = rows.loc[rows["r_date"] > start].sort_values(
        ["r_upvotes", "r_date", "paper_id"], ascending=[False, False, True], na_position="last"
    )
    older = rows.loc[rows["r_date"] <= start].sort_values("r_date", ascending=False)
    return pd.concat([recent, older]).head(n)


def _paper_meta(p: Any) -> str:
    up = "no upvotes data" if pd.isna(p.r_upvotes) else _plural(int(p.r_upvotes), "upvote")
    return f"{p.paper_id} · {p.r_date:%Y-%m-%d} · {up}"


def _title_page(
    as_of: date,
    run_summary: dict[str, Any],
    notes: list[str],
    summary: pd.DataFrame,
    top_ids: list[int],
) -> Figure:
    body = "\n".join("• " + plots.wrap_label(t, 115, 3).replace("\n", "\n   ") for t in notes)
    text_pt = min(330.0, 105 + 18 * (body.count("\n") + 1))
    fig = Figure(figsize=plots.A4_LANDSCAPE, layout="constrained")
    gs = fig.add_gridspec(2, 2, height_ratios=[text_pt, 560 - text_pt], width_ratios=[1, 2.3])
    ax = fig.add_subplot(gs[0, :])
    ax.axis("off")
    header = [
        ("Research-trend radar", 24, "bold", "black", 0),
        (
            f"Report as of {as_of.isoformat()} · run "
            f"{plots.escape_text(run_summary.get('run_id', 'n/a'))}",
            12,
            "normal",
            "0.3",
            34,
        ),
        ("Key takeaways", 14, "bold", "black", 62),
        (body, 11, "normal", "black", 86),
    ]
    for text, size, weight, color, y in header:
        ax.annotate(
            text,
            xy=(0, 1),
            xycoords="axes fraction",
            xytext=(0, -y),
            textcoords="offset points",
            va="top",
            fontsize=size,
            fontweight=weight,
            color=color,
            linespacing=1.45,
        )
    plots.draw_status_counts(fig.add_subplot(gs[1, 0]), summary)
    tax = fig.add_subplot(gs[1, 1])
    tax.axis("off")
    tax.set_title("Top topics (detail pages follow)", loc="left", fontsize=11)
    srows = summary.set_index("topic_id")
    cells = [
        [
            str(i),
            plots.wrap_label(srows.at[t, "label"], 50, 1),
            str(srows.at[t, "status"]),
            plots.growth_text(*(srows.at[t, c] for c in ("growth", "growth_lo", "growth_hi"))),
            plots.q_text(srows.at[t, "q_rising"]),
        ]
        for i, t in enumerate(top_ids, 1)
    ]
    if cells:
        tab = tax.table(
            cellText=cells,
            colLabels=["#", "Topic", "Status", "Growth [95%]", "q rising"],
            colWidths=[0.04, 0.55, 0.11, 0.20, 0.10],
            loc="upper left",
            cellLoc="left",
            colLoc="left",
        )
        tab.auto_set_font_size(False)
        tab.set_fontsize(9)
        tab.scale(1, 1.35)
    return fig


def _topic_page(
    rank: int,
    topic_id: int,
    table: pd.DataFrame,
    forecast: pd.DataFrame | None,
    srow: pd.Series,
    trow: pd.Series | None,
    picks: pd.DataFrame,
    recent_days: int,
) -> Figure:
    fig = Figure(figsize=plots.A4_LANDSCAPE, layout="constrained")
    fig.suptitle(f"Top topic #{rank}", x=0.01, ha="left", fontsize=10, color="0.4")
    gs = fig.add_gridspec(2, 1, height_ratios=[1.45, 1])
    plots.draw_topic_trend(fig.add_subplot(gs[0]), table, topic_id, forecast)
    ax = fig.add_subplot(gs[1])
    ax.axis("off")
    facts = [f"kind: {srow.get('kind', 'n/a')}"]
    if trow is not None and pd.notna(trow.get("size")):
        facts.append(f"{int(trow['size'])} papers in topic")
    if trow is not None and pd.notna(trow.get("birth_date")):
        facts.append(f"born {pd.Timestamp(trow['birth_date']):%Y-%m-%d}")
    facts.append(
        f"recent share {plots.as_float(srow.get('recent_share')):.2%} vs baseline "
        f"{plots.as_float(srow.get('baseline_share')):.2%}"
    )
    if pd.notna(srow.get("burst_start")) and _flag(srow.get("in_burst")):
        facts.append(f"in a burst since {pd.Timestamp(srow['burst_start']):%Y-%m-%d}")
    lines: list[tuple[str, float, str, str]] = [
        (" · ".join(facts), 9, "0.3", "normal"),
        (f"Most upvoted recent papers (last {recent_days} days)", 11, "black", "bold"),
    ]
    if picks.empty:
        lines.append(("No papers assigned to this topic yet.", 9.5, "0.4", "normal"))
    for i, p in enumerate(picks.itertuples(), 1):
        lines.append(
            (
                f"{i}. " + plots.wrap_label(p.title, 150, 2).replace("\n", "\n    "),
                9.5,
                "black",
                "normal",
            )
        )
        lines.append(("    " + _paper_meta(p), 8.5, "0.4", "normal"))
    needed = sum((t.count("\n") + 1) * size * 1.45 + 3 for t, size, _, _ in lines)
    available = plots.A4_LANDSCAPE[1] * 72 / 2.45 - 10
    scale = min(1.0, available / needed)
    y = 0.0
    for text, size, color, weight in lines:
        ax.annotate(
            text,
            xy=(0, 1),
            xycoords="axes fraction",
            xytext=(0, -y),
            textcoords="offset points",
            va="top",
            fontsize=size * scale,
            color=color,
            fontweight=weight,
            linespacing=1.3,
        )
        y += ((text.count("\n") + 1) * size * 1.45 + 3) * scale
    return fig


def _count_rows(counts: dict[str, Any]) -> list[tuple[str, str]]:
    names = {
        "papers_total": "Papers in store",
        "new_papers": "New papers this run",
        "rejected_new": "Rejected this run",
        "embedded": "Embedded",
        "assigned": "Assigned to a topic",
        "novelty_pool": "Novelty pool (no topic yet)",
        "outlier_share": "Outlier / novelty share",
    }
    rows = []
    for key, value in counts.items():
        if key == "rejected_by_reason" or isinstance(value, dict | list):
            continue
        shown = f"{value:.1%}" if key.endswith("_share") and isinstance(value, float) else value
        rows.append((names.get(key, key.replace("_", " ").capitalize()), str(shown)))
    return rows


def _reasons(run_summary: dict[str, Any]) -> pd.Series:
    raw = (run_summary.get("counts", {}) or {}).get("rejected_by_reason", {}) or {}
    return pd.Series(raw, dtype=float).sort_values(ascending=False)


def _kv(d: Any) -> str:
    return (
        " · ".join(
            f"{k}: {v:.1f}s" if isinstance(v, float) else f"{k}: {v}" for k, v in (d or {}).items()
        )
        or "n/a"
    )


def _run_page(run_summary: dict[str, Any]) -> Figure:
    fig = Figure(figsize=plots.A4_LANDSCAPE, layout="constrained")
    fig.suptitle(
        "Run summary: ingest, rejections, novelty",
        x=0.01,
        ha="left",
        fontsize=14,
        fontweight="bold",
    )
    gs = fig.add_gridspec(2, 2, height_ratios=[4, 1], width_ratios=[1, 1.4])
    ax = fig.add_subplot(gs[0, 0])
    ax.axis("off")
    ax.set_title("Counts", loc="left", fontsize=11)
    rows = _count_rows(run_summary.get("counts", {}) or {}) or [("(no counts)", "")]
    tab = ax.table(
        cellText=[[plots.escape_text(a), plots.escape_text(b)] for a, b in rows],
        colLabels=["Metric", "Value"],
        colWidths=[0.7, 0.3],
        loc="upper left",
        cellLoc="left",
    )
    tab.auto_set_font_size(False)
    tab.set_fontsize(10)
    tab.scale(1, 1.5)
    rax = fig.add_subplot(gs[0, 1])
    reasons = _reasons(run_summary)
    rax.set_title("Rejected records by reason", loc="left", fontsize=11)
    rax.set_xlabel("Rejected records")
    rax.set_ylabel("Reason")
    if reasons.empty:
        rax.text(
            0.5,
            0.5,
            "No records rejected",
            ha="center",
            va="center",
            transform=rax.transAxes,
            color="0.4",
        )
        rax.set_xticks([])
        rax.set_yticks([])
    else:
        y = np.arange(len(reasons))[::-1]
        rax.barh(y, reasons.to_numpy(), color="#9e9ac8", height=0.6)
        rax.set_yticks(y, [plots.wrap_label(r, 30) for r in reasons.index], fontsize=9)
        for yi, v in zip(y, reasons.to_numpy(), strict=True):
            rax.annotate(
                f"{v:g}",
                xy=(v, yi),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=9,
            )
        rax.set_xlim(0, reasons.max() * 1.15)
    bax = fig.add_subplot(gs[1, :])
    bax.axis("off")
    bax.text(
        0,
        1,
        plots.wrap_label("Timings — " + _kv(run_summary.get("timings")), 170, 2)
        + "\n"
        + plots.wrap_label("Versions — " + _kv(run_summary.get("versions")), 170, 2),
        va="top",
        fontsize=8.5,
        color="0.3",
        linespacing=1.5,
    )
    return fig


def _flag(value: object) -> bool:
    return bool(value) if value is not None and not pd.isna(value) else False


def _md(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|").replace("$", "\\$")


def _paper_link(p: Any) -> str:
    title = _md(p.title).replace("[", "\\[").replace("]", "\\]")
    pid = str(p.paper_id)
    return f"[{title}](https://arxiv.org/abs/{pid})" if _ARXIV_RE.match(pid) else title


def _markdown(
    as_of: date,
    run_summary: dict[str, Any],
    notes: list[str],
    summary: pd.DataFrame,
    top_ids: list[int],
    picks: dict[int, pd.DataFrame],
    pngs: list[Path],
    recent_days: int,
) -> str:
    s = summary.set_index("topic_id")
    out = [
        f"# Research-trend report — {as_of.isoformat()}",
        "",
        f"Run `{run_summary.get('run_id', 'n/a')}` · full report: [report.pdf](report.pdf)",
        "",
        "## Key takeaways",
        "",
        *[f"- {_md(t)}" for t in notes],
        "",
        "## Top topics",
        "",
        "| # | Topic | Kind | Status | Recent share | Growth [95% interval] | q rising | Burst |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for i, t in enumerate(top_ids, 1):
        r = s.loc[t]
        out.append(
            f"| {i} | {_md(r['label'])} | {r.get('kind', '')} | {r['status']} | "
            f"{plots.as_float(r['recent_share']):.2%} | "
            f"{plots.growth_text(r['growth'], r['growth_lo'], r['growth_hi'])} | "
            f"{plots.q_text(r['q_rising'])} | {'yes' if _flag(r.get('in_burst')) else ''} |"
        )
    out += ["", f"## Top papers per topic (most upvoted, last {recent_days} days)", ""]
    for i, t in enumerate(top_ids, 1):
        out += [
            f"### {i}. {_md(s.at[t, 'label'])} ({s.at[t, 'status']})",
            "",
            f"![trend of topic {t}](topic_{t}.png)",
            "",
        ]
        out += [f"- {_paper_link(p)} — {_paper_meta(p)}" for p in picks[t].itertuples()]
        out += ["- (no papers yet)"] if picks[t].empty else []
        out.append("")
    counts = run_summary.get("counts", {}) or {}
    out += ["## Run summary", "", "| Metric | Value |", "|---|---|"]
    out += [f"| {_md(a)} | {_md(b)} |" for a, b in _count_rows(counts)]
    out += ["", "Rejected by reason:", ""]
    reasons = _reasons(run_summary)
    out += [f"- {_md(k)}: {v:g}" for k, v in reasons.items()] or ["- none"]
    out += [
        "",
        f"Timings: {_kv(run_summary.get('timings'))}",
        "",
        f"Versions: {_kv(run_summary.get('versions'))}",
        "",
        "## Charts",
        "",
    ]
    out += [f"![{p.stem}]({p.name})" for p in pngs if not p.stem.startswith("topic_")]
    return "\n".join(out) + "\n"


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` via ``write(tmp)`` on a temporary name in the same folder, then rename."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_pdf(tmp: Path, pages: Iterable[Figure], title: str) -> int:
    n = 0
    with PdfPages(tmp, metadata={"Title": title, "Creator": "trends"}) as pdf:
        for fig in pages:
            pdf.savefig(fig)
            n += 1
    return n


def _check(frames: dict[str, pd.DataFrame | None]) -> None:
    for name, cols in REQUIRED.items():
        frame = frames[name]
        if frame is None:
            raise ReportError(f"write_report: `{name}` is missing (got None)")
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ReportError(f"write_report: `{name}` lacks column(s) {', '.join(missing)}")


def write_report(
    out_dir: Path,
    *,
    as_of: date,
    table: pd.DataFrame,
    summary: pd.DataFrame,
    forecast: pd.DataFrame | None,
    topics: pd.DataFrame,
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

    Top topics are chosen by :func:`select_top_topics`; a topic's papers by :func:`top_papers`.
    Raises :class:`ReportError` when an input lacks a column or a file cannot be written.
    """
    _check({"table": table, "summary": summary, "papers": papers, "assignments": assignments})
    folder = Path(out_dir) / as_of.isoformat()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            if _TMP_RE.match(old.name):
                old.unlink(missing_ok=True)
        fc = None if forecast is None or forecast.empty else forecast
        top_ids = select_top_topics(summary, top_topics, alpha=fdr_alpha)
        merged = assignments.merge(papers, on="paper_id", how="inner").assign(
            r_date=lambda d: pd.to_datetime(d["date"]),
            r_upvotes=lambda d: pd.to_numeric(d["upvotes"], errors="coerce"),
        )
        picks = {
            t: top_papers(t, merged, as_of=as_of, n=papers_per_topic, recent_days=recent_days)
            for t in top_ids
        }
        notes = takeaways(summary, run_summary, alpha=fdr_alpha)
        charts: dict[str, Figure] = {
            "momentum.png": plots.plot_momentum(summary, alpha=fdr_alpha),
            "shares.png": plots.plot_topic_shares(table, top_ids, top=top_topics),
            "status.png": plots.plot_status_counts(summary),
        }
        charts.update({f"topic_{t}.png": plots.plot_topic_trend(table, t, fc) for t in top_ids})
        pngs = []
        for name, fig in charts.items():
            pngs.append(folder / name)
            _atomic(pngs[-1], lambda tmp, f=fig: f.savefig(tmp, format="png", dpi=dpi))
        srows = summary.set_index("topic_id")
        trows = topics.set_index("topic_id") if topics is not None and len(topics) else None

        def pages() -> Iterable[Figure]:
            yield _title_page(as_of, run_summary, notes, summary, top_ids)
            yield charts["momentum.png"]
            yield charts["shares.png"]
            for rank, t in enumerate(top_ids, 1):
                trow = trows.loc[t] if trows is not None and t in trows.index else None
                yield _topic_page(rank, t, table, fc, srows.loc[t], trow, picks[t], recent_days)
            yield _run_page(run_summary)

        pdf = folder / "report.pdf"
        n_pages: list[int] = []
        _atomic(
            pdf,
            lambda tmp: n_pages.append(
                _write_pdf(tmp, pages(), f"Research-trend report {as_of.isoformat()}")
            ),
        )
        md = folder / "summary.md"
        text = _markdown(as_of, run_summary, notes, summary, top_ids, picks, pngs, recent_days)
        _atomic(md, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        for old in folder.glob("topic_*.png"):
            if old not in pngs:
                old.unlink(missing_ok=True)
    except ReportError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReportError(f"cannot write the report to {folder}: {exc}") from exc
    log.info("report written to %s (%d pages, %d charts)", folder, n_pages[0], len(pngs))
    return ReportPaths(pdf=pdf, pngs=pngs, summary_md=md, pages=n_pages[0])


__all__ = ["ReportPaths", "select_top_topics", "takeaways", "top_papers", "write_report"]
