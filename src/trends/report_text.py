"""What the trend report says, as data and words: top topics, takeaways, papers, summary.md.

:func:`select_top_topics` picks the topics the report details, :func:`takeaways` states the key
findings in plain words and :func:`top_papers` picks each topic's most upvoted recent papers.
:class:`ReportContent` holds everything a report is made of and renders ``summary.md``; the PDF
pages are drawn by :mod:`trends.report_pages` and all files are written by :mod:`trends.report`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from trends import plots

RISING = ("emerging", "rising")
FALLING = ("cooling", "fading")
COUNT_NAMES = {
    "papers_total": "Papers in store",
    "new_papers": "New papers this run",
    "rejected_new": "Rejected this run",
    "embedded": "Embedded",
    "assigned": "Assigned to a topic",
    "novelty_pool": "Novelty pool (no topic yet)",
    "outlier_share": "Outlier / novelty share",
}
_ARXIV_RE = re.compile(r"^\d{4}\.\d{4,5}$")


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


def flag(value: object) -> bool:
    """``value`` as a bool; missing (None or NaN) is False."""
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
    burst = s.loc[s["in_burst"].map(flag)] if "in_burst" in s else s.iloc[:0]
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


def paper_meta(p: Any) -> str:
    """A paper's id, date and upvotes on one line (``p``: a row of :func:`top_papers`)."""
    up = "no upvotes data" if pd.isna(p.r_upvotes) else _plural(int(p.r_upvotes), "upvote")
    return f"{p.paper_id} · {p.r_date:%Y-%m-%d} · {up}"


@dataclass
class ReportContent:
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
            out.append(f"| {i} | {_md(r['label'])} | " + " | ".join(summary_fields(r)[1:]) + " |")
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
            f"\nTimings: {kv_text(self.run.get('timings'))}\n",
            f"Versions: {kv_text(self.run.get('versions'))}\n",
            "## Charts\n",
        ]
        out += [f"![{name}]({name}.png)\n" for name in ("momentum", "shares", "status")]
        return "\n".join(out)


def kv_text(d: Any) -> str:
    """A dict as ``key: value · …`` (floats as seconds); "n/a" when empty."""
    parts = [
        f"{k}: {v:.1f}s" if isinstance(v, float) else f"{k}: {v}" for k, v in (d or {}).items()
    ]
    return " · ".join(parts) or "n/a"


def summary_fields(r: pd.Series) -> list[str]:
    """A summary row as text: label, kind, status, recent share, growth [CI], q rising, burst."""
    growth = plots.growth_text(r["growth"], r["growth_lo"], r["growth_hi"])
    recent = f"{plots.as_float(r['recent_share']):.2%}"
    burst = "yes" if flag(r.get("in_burst")) else ""
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
    return f"- {link} — {paper_meta(p)}"
