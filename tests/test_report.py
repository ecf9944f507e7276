"""write_report: report.pdf with the expected pages, PNGs, summary.md; atomic; edge cases."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from tests.test_plots import make_frames
from trends import report
from trends.errors import ReportError

AS_OF = date(2026, 8, 23)  # the Sunday after the last (weekly) period


def make_inputs(seed: int = 0) -> dict[str, Any]:
    """All inputs of write_report: momentum frames + topics, papers, assignments, run summary."""
    rng = np.random.default_rng(seed)
    f = make_frames(seed)
    s = f["summary"]
    topics = pd.DataFrame(
        {
            "topic_id": s["topic_id"],
            "kind": s["kind"],
            "slug": [
                ["reasoning-rl", "moe", "code-llm", "mm-efficiency"][k] if k < 4 else None
                for k in s["topic_id"]
            ],
            "label": s["label"],
            "size": f["table"].groupby("topic_id")["count"].sum().to_numpy(),
            "birth_date": pd.Timestamp("2025-06-30"),
            "status": "active",
        }
    )
    papers, assignments = [], []
    for k in s["topic_id"]:
        if k == 9:
            continue  # topic 9 has zero papers
        for i in range(12):
            pid = f"2608.{k:02d}{i:03d}"
            title = f"Paper {i} on {s.at[k, 'label']}: a study of scaling, data and evaluation"
            if i == 0:
                title = (
                    "A $\\mathcal{O}(n)$ | pipe-containing and very long title about "
                    "sparse mixture-of-experts routing, long-context retrieval, visual "
                    "token pruning, and reinforcement learning with verifiable rewards "
                    "for agents that write code and also reason about geometry"
                )
            papers.append(
                {
                    "paper_id": pid,
                    "title": title,
                    "date": pd.Timestamp(AS_OF) - pd.Timedelta(days=int(3 * i)),
                    "upvotes": np.nan if i == 5 else float(rng.poisson(30)),
                }
            )
            assignments.append({"paper_id": pid, "topic_id": k, "confidence": 0.8})
    run_summary = {
        "run_id": "20260823T063000-abc123",
        "as_of": AS_OF.isoformat(),
        "counts": {
            "papers_total": 14567,
            "new_papers": 231,
            "rejected_new": 7,
            "rejected_by_reason": {
                "missing abstract": 3,
                "duplicate id": 2,
                "title too short or not a paper at all": 1,
                "date out of range": 1,
            },
            "embedded": 231,
            "assigned": 214,
            "novelty_pool": 17,
            "outlier_share": 0.07,
        },
        "timings": {"ingest": 2.31, "embed": 40.2, "topics": 12.0, "momentum": 1.1},
        "versions": {"trends": "0.1.0", "bertopic": "0.17.3", "model": "all-MiniLM-L6-v2"},
    }
    return {
        "as_of": AS_OF,
        "table": f["table"],
        "summary": s,
        "forecast": f["forecast"],
        "topics": topics,
        "papers": pd.DataFrame(papers),
        "assignments": pd.DataFrame(assignments),
        "run_summary": run_summary,
    }


@pytest.fixture(scope="module")
def inputs() -> dict[str, Any]:
    return make_inputs()


def count_pages(pdf: Path) -> int:
    try:
        from pypdf import PdfReader
    except ImportError:
        return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))
    return len(PdfReader(pdf).pages)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory, inputs: dict[str, Any]) -> report.ReportPaths:
    return report.write_report(tmp_path_factory.mktemp("reports"), **inputs, top_topics=4, dpi=40)


def test_writes_pdf_pngs_and_summary(written: report.ReportPaths, inputs: dict[str, Any]) -> None:
    folder = written.pdf.parent
    assert folder.name == "2026-08-23"
    assert written.pdf.read_bytes().startswith(b"%PDF")
    top = report.select_top_topics(inputs["summary"], 4)
    assert len(top) == 4
    # title, momentum, shares, one page per top topic, run summary
    assert count_pages(written.pdf) == written.pages == 3 + 4 + 1
    names = sorted(p.name for p in written.pngs)
    assert names == sorted(
        ["momentum.png", "shares.png", "status.png", *[f"topic_{t}.png" for t in top]]
    )
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in written.pngs)
    md = written.summary_md.read_text(encoding="utf-8")
    labels = inputs["summary"].set_index("topic_id")["label"]
    for t in top:
        assert labels[t] in md
    assert "missing abstract" in md and "7.0%" in md and "Key takeaways" in md
    assert "https://arxiv.org/abs/2608." in md
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert plt.get_fignums() == []


def test_top_topics_rule(inputs: dict[str, Any]) -> None:
    s = inputs["summary"]
    top = report.select_top_topics(s, 10)
    assert 9 not in top  # zero papers: never a top topic
    ranked = s.set_index("topic_id").loc[top]
    sig = ranked["status"].isin(["rising", "emerging"]) & (ranked["q_rising"] <= 0.05)
    assert sig.any() and not sig.iloc[sig.sum() :].any()  # significant risers come first
    for part in (ranked[sig], ranked[~sig]):
        assert part["growth"].is_monotonic_decreasing


def test_takeaways_name_rising_topics(inputs: dict[str, Any]) -> None:
    notes = report.takeaways(inputs["summary"], inputs["run_summary"])
    assert re.match(r"\d+ topics? rising significantly", notes[0]) or "emerging" in notes[1]
    assert any("231 new papers" in n and "7.0%" in n for n in notes)


def test_top_papers_recent_and_most_upvoted(inputs: dict[str, Any]) -> None:
    merged = (
        inputs["assignments"]
        .merge(inputs["papers"], on="paper_id")
        .assign(r_date=lambda d: pd.to_datetime(d["date"]), r_upvotes=lambda d: d["upvotes"])
    )
    picks = report.top_papers(0, merged, as_of=AS_OF, n=5, days=28)
    assert len(picks) == 5
    recent = merged.loc[
        (merged["topic_id"] == 0) & (merged["r_date"] > pd.Timestamp(AS_OF) - pd.Timedelta(days=28))
    ]
    assert picks["r_upvotes"].tolist() == recent["r_upvotes"].nlargest(5).tolist()


def test_empty_forecast_zero_topic_and_rewrite(tmp_path: Path, inputs: dict[str, Any]) -> None:
    folder = tmp_path / AS_OF.isoformat()
    folder.mkdir()
    (folder / "topic_3.png").write_bytes(b"stale chart of an earlier run of the same day")
    (folder / "report.pdf").write_bytes(b"%PDF-1.4 an earlier report")
    # force the zero-paper topic into the top list: it gets a page without papers
    s = inputs["summary"].copy()
    s.loc[s["topic_id"] == 9, ["recent_share", "growth", "status", "q_rising"]] = [
        0.001,
        9.0,
        "rising",
        0.0,
    ]
    kw = {**inputs, "summary": s, "forecast": inputs["forecast"].iloc[:0]}
    paths = report.write_report(tmp_path, **kw, top_topics=2, papers_per_topic=3, dpi=30)
    assert count_pages(paths.pdf) == 3 + 2 + 1
    topic_pngs = sorted(p.name for p in folder.glob("topic_*.png"))
    assert topic_pngs == sorted(p.name for p in paths.pngs if p.name.startswith("topic_"))
    assert "topic_9.png" in topic_pngs and "topic_3.png" not in topic_pngs  # stale one gone
    md = paths.summary_md.read_text(encoding="utf-8")
    assert "(no papers yet)" in md and md.count("- [") == 3  # 3 papers of the other topic
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_no_forecast_at_all(tmp_path: Path, inputs: dict[str, Any]) -> None:
    paths = report.write_report(tmp_path, **{**inputs, "forecast": None}, top_topics=1, dpi=30)
    assert count_pages(paths.pdf) == 3 + 1 + 1


def test_failed_write_keeps_old_pdf_and_leaves_no_temp(
    tmp_path: Path, inputs: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / AS_OF.isoformat()
    folder.mkdir()
    (folder / "report.pdf").write_bytes(b"%PDF-1.4 an older complete report")
    (folder / ".report.pdf.0123456789ab.tmp").write_bytes(b"left by a crashed run")

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(report._Report, "title_page", boom)  # fails once the temp PDF is open
    with pytest.raises(ReportError, match="disk full"):
        report.write_report(tmp_path, **inputs, top_topics=1, dpi=30)
    assert (folder / "report.pdf").read_bytes() == b"%PDF-1.4 an older complete report"
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_missing_column_is_a_report_error(tmp_path: Path, inputs: dict[str, Any]) -> None:
    with pytest.raises(ReportError, match="ewma_share"):
        report.write_report(
            tmp_path, **{**inputs, "table": inputs["table"].drop(columns="ewma_share")}
        )
    assert not (tmp_path / AS_OF.isoformat()).exists()


def test_empty_inputs(tmp_path: Path, inputs: dict[str, Any]) -> None:
    """No papers yet: topics exist, the summary has NaN statistics and lacks interval columns."""
    kw = {k: (v.iloc[:0] if isinstance(v, pd.DataFrame) else v) for k, v in inputs.items()}
    summary = inputs["summary"][["topic_id", "label", "kind"]].assign(
        status=np.nan,
        recent_share=np.nan,
        baseline_share=np.nan,
        growth=np.nan,
        q_rising=np.nan,
        q_falling=np.nan,
    )
    kw.update(summary=summary, topics=inputs["topics"], run_summary={})
    paths = report.write_report(tmp_path, **kw, dpi=30)
    assert count_pages(paths.pdf) == 4  # title, momentum, shares, run summary
    md = paths.summary_md.read_text(encoding="utf-8")
    assert "No established topic is rising" in md and "ingested" not in md
