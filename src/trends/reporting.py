"""Glue between the store, the momentum maths and the report writer (the report step)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from trends.config import Config
from trends.store import Store


def momentum_inputs(
    store: Store, until: date | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(papers, assignments, topics) frames in the shape :func:`compute_momentum` expects."""
    papers = store.papers(until=until, columns="paper_id, date, upvotes")
    papers["date"] = pd.to_datetime(papers["date"])
    papers["upvotes"] = papers["upvotes"].astype(float)
    asg = store.assignments()[["paper_id", "topic_id", "confidence"]]
    if until is not None:
        asg = asg[asg["paper_id"].isin(papers["paper_id"])]
    topics = store.topics()[["topic_id", "label", "kind", "slug", "birth_date", "status", "size"]]
    topics = topics.assign(birth_date=pd.to_datetime(topics["birth_date"]))
    return papers, asg.reset_index(drop=True), topics


def build_report(
    cfg: Config, store: Store, *, as_of: date, run_summary: dict[str, Any] | None = None
) -> Path:
    """Compute momentum as of ``as_of`` and write reports/<as_of>/ (PDF, PNGs, summary.md)."""
    from trends.momentum import compute_momentum
    from trends.report import write_report

    papers, asg, topics = momentum_inputs(store, as_of)
    result = compute_momentum(papers, asg, topics, cfg.momentum, as_of=as_of)
    full = store.papers(until=as_of, columns="paper_id, title, date, upvotes")
    full["date"] = pd.to_datetime(full["date"])
    summary = dict(run_summary or {})
    summary.setdefault("as_of", as_of.isoformat())
    counts = dict(summary.get("counts") or {})
    counts.setdefault("papers_total", len(full))
    counts.setdefault("novelty_pool", len(store.novelty()))
    rej = store.rejected()
    counts.setdefault("rejected_total", len(rej))
    counts.setdefault(
        "rejected_by_reason_total",
        rej["reason"].str.split(":").str[0].value_counts().to_dict() if len(rej) else {},
    )
    summary["counts"] = counts
    paths = write_report(
        cfg.report.out_dir,
        as_of=as_of,
        table=result.table,
        summary=result.summary,
        forecast=getattr(result, "forecast", None),
        topics=topics,
        papers=full,
        assignments=asg,
        run_summary=summary,
        top_topics=cfg.report.top_topics,
        papers_per_topic=cfg.report.papers_per_topic,
        dpi=cfg.report.dpi,
    )
    return Path(paths.pdf)
