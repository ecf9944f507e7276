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

What the report says (top topics, takeaways, papers, summary.md) is in :mod:`trends.report_text`,
the PDF pages are built in :mod:`trends.report_pages`; this module does all file output.
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
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from trends import plots
from trends.errors import ReportError
from trends.report_pages import ReportPages as _Report
from trends.report_text import COUNT_NAMES as COUNT_NAMES  # re-exported from their old home
from trends.report_text import FALLING as FALLING
from trends.report_text import RISING as RISING
from trends.report_text import select_top_topics, takeaways, top_papers

log = logging.getLogger(__name__)
T = TypeVar("T")

REQUIRED = {  # columns write_report reads, per input frame
    "table": "topic_id label period count share share_lo share_hi ewma_share growth growth_lo "
    "growth_hi q_rising burst status",
    "summary": "topic_id label",  # SUMMARY_NUMERIC and status are filled in when missing
    "papers": "paper_id title date upvotes",
    "assignments": "paper_id topic_id",
}
SUMMARY_NUMERIC = "recent_share baseline_share growth growth_lo growth_hi q_rising q_falling"
_TMP_RE = re.compile(r"^\..+\.[0-9a-f]{12}\.tmp$")


@dataclass(frozen=True)
class ReportPaths:
    """Where :func:`write_report` put the report (``pages``: page count of report.pdf)."""

    pdf: Path
    pngs: list[Path]
    summary_md: Path
    pages: int = 0


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
