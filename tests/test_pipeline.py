"""End-to-end pipeline on seeded synthetic papers (a real BERTopic/UMAP fit: marked slow)."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from trends.config import config_from_dict
from trends.pipeline import run_backfill, run_day, run_refit
from trends.store import TABLES, Store

from .synth import TEST_TOPICS, BagOfWordsEmbedder, make_papers, write_jsonl

pytestmark = pytest.mark.slow
LAST = date(2025, 3, 1)  # 60 days from 2025-01-01


def make_cfg(tmp: Path, data: Path, labels: Path | None = None):
    topics = {**TEST_TOPICS, "named_labels": str(labels)} if labels else TEST_TOPICS
    return config_from_dict(
        {
            "store": {"path": str(tmp / "store.duckdb")},
            "ingest": {"source": {"kind": "local", "path": str(data)}},
            "topics": topics,
            "momentum": {"freq": "W", "recent_periods": 2, "baseline_periods": 4},
            "report": {"out_dir": str(tmp / "reports"), "top_topics": 3},
        },
        tmp,
    )


def snapshot(store: Store) -> dict[str, str]:
    out = {}
    for t in TABLES:
        df = store.query(f"SELECT * FROM {t}")
        df = df.sort_values(list(df.columns[:2])).reset_index(drop=True)
        out[t] = f"{len(df)}:" + hashlib.sha256(df.to_csv().encode()).hexdigest()
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pipe")
    rows = make_papers()
    data = write_jsonl(rows, tmp / "papers.jsonl")
    # labelled papers (not in the store): the RL-themed ones are reasoning-rl members
    labels = [
        {**r, "id": f"L{i}", "reasoning-rl": int("GRPO" in r["title"] + r["abstract"])}
        for i, r in enumerate(make_papers(n_days=10, seed=1))
    ]
    cfg = make_cfg(tmp, data, write_jsonl(labels, tmp / "labels.jsonl"))
    emb = BagOfWordsEmbedder()
    store = Store(cfg.store.path)
    res = run_backfill(cfg, None, date(2025, 2, 27), store=store, embedder=emb)
    yield {
        "cfg": cfg,
        "store": store,
        "emb": emb,
        "backfill": res,
        "rows": rows,
        "tmp": tmp,
        "labels": labels,
    }
    store.close()


def test_backfill_fits_topics_and_writes_report(world):
    res, store = world["backfill"], world["store"]
    assert res.status == "success"
    assert res.counts["new_papers"] == sum(r["date"] <= "2025-02-27" for r in world["rows"])
    # the labelled papers were embedded once (no vectors file) and stacked on reasoning-rl
    assert res.counts["labelled_papers"] == res.counts["labelled_embedded"] == 60
    assert res.counts["named_stacked"] == 1
    assert res.counts["discovered_topics"] >= 3
    topics = store.topics()
    assert (topics["kind"] == "named").sum() == 1
    assert topics["label"].is_unique
    asg = store.assignments()
    named = asg[asg["kind"] == "named"]
    rl_titles = {r["id"] for r in world["rows"] if "GRPO" in r["title"] + r["abstract"]}
    assert len(named) > 0 and set(named["paper_id"]) <= rl_titles | set(named["paper_id"])
    assert res.counts["outlier_share"] <= 0.15
    # the share among the papers discovery clustered is larger: named papers are no outliers
    n_disc = res.counts["fit_papers"] - len(set(named["paper_id"]))
    assert res.counts["discovery_outlier_share"] == pytest.approx(
        res.counts["novelty_pool"] / n_disc, abs=1e-4
    )
    assert res.report is not None and res.report.is_file()
    assert res.report.parent.name == "2025-02-27"
    run = store.runs().iloc[-1]
    assert run["status"] == "success" and "bertopic" in run["versions"]


def test_daily_run_embeds_only_new_papers_and_does_not_refit(world):
    cfg, store, emb = world["cfg"], world["store"], world["emb"]
    before = emb.texts_seen
    res = run_day(cfg, date(2025, 2, 28), store=store, embedder=emb)
    new = sum(r["date"] == "2025-02-28" for r in world["rows"])
    assert res.status == "success"
    assert res.counts["new_papers"] == new
    assert emb.texts_seen - before == new
    assert "refit" not in res.timings
    assigned = res.counts["assigned_named"] + res.counts["assigned_discovered"]
    assert assigned + res.counts["to_novelty"] == new


def test_same_day_twice_changes_nothing(world):
    cfg, store, emb = world["cfg"], world["store"], world["emb"]
    run_day(cfg, LAST, store=store, embedder=emb, report=False)
    before = snapshot(store)
    seen = emb.texts_seen
    again = run_day(cfg, LAST, store=store, embedder=emb, report=False)
    assert again.status == "skipped"
    assert snapshot(store) == before
    assert emb.texts_seen == seen


def test_refit_twice_gives_same_ids_and_assignments(world):
    cfg, store, emb = world["cfg"], world["store"], world["emb"]
    run_refit(cfg, LAST, store=store, embedder=emb)
    a1 = store.assignments()[["paper_id", "topic_id", "confidence"]]
    t1 = store.topics()[["topic_id", "label", "status"]]
    runs_before = set(store.topic_events()["run_id"])
    seen = emb.texts_seen
    res = run_refit(cfg, LAST, store=store, embedder=emb)
    assert res.counts["labelled_embedded"] == 0  # cached by the first fit
    assert emb.texts_seen - seen == 2  # only the named topic's description and seed
    a2 = store.assignments()[["paper_id", "topic_id", "confidence"]]
    t2 = store.topics()[["topic_id", "label", "status"]]
    assert a1.equals(a2)
    assert t1.equals(t2)
    ev = store.topic_events()
    second = ev[~ev["run_id"].isin(runs_before)]
    assert len(second) and set(second["event"]) == {"matched"}, ev.to_string()


def test_broken_rows_kept_aside_and_counted(tmp_path):
    rows = make_papers(n_days=3, per_day=4)
    bad = [
        '{"id": "2501.99999", "title": "x"',  # broken JSON
        {**rows[0], "id": "2501.90001", "title": ""},
        {**rows[0], "id": "2501.90002", "abstract": None},
        {**rows[0], "id": "2501.90003", "date": "2025-13-45"},
        {**rows[0], "id": "2501.90004", "upvotes": "many"},
        {**rows[0], "id": "2501.90005", "abstract": "x" * 60_000},
    ]
    data = write_jsonl(rows[:6] + bad + rows[6:], tmp_path / "mixed.jsonl")
    cfg = make_cfg(tmp_path, data)
    from trends.pipeline import ingest_path

    with Store(cfg.store.path) as store:
        res = ingest_path(cfg.ingest, data, store=store)
        assert res.counts["new_papers"] == len(rows)
        assert res.counts["rejected_new"] == len(bad)
        rej = store.rejected()
        assert len(rej) == len(bad)
        reasons = " | ".join(rej["reason"])
        for word in ("JSON", "title", "abstract", "date", "upvotes", "too long"):
            assert word in reasons
        again = ingest_path(cfg.ingest, data, store=store)
        assert again.counts["rejected_new"] == 0 and store.counts()["rejected"] == len(bad)


def test_crash_mid_embedding_resumes(tmp_path):
    rows = make_papers(n_days=20, per_day=30)
    data = write_jsonl(rows, tmp_path / "p.jsonl")
    cfg = make_cfg(tmp_path, data)
    with Store(cfg.store.path) as store:
        crashing = BagOfWordsEmbedder(fail_after=300)
        with pytest.raises(RuntimeError, match="simulated"):
            run_backfill(cfg, None, date(2025, 1, 20), store=store, embedder=crashing, report=False)
        runs = store.runs()
        assert runs["status"].tolist() == ["failed"]
        done = store.counts()["embeddings"]
        assert 0 < done < len(rows)
        emb = BagOfWordsEmbedder()
        res = run_backfill(cfg, None, date(2025, 1, 20), store=store, embedder=emb, report=False)
        assert res.status == "success"
        assert res.counts["embedded"] == len(rows) - done
        # what the embedder saw: the rest of the papers, plus the named topic's 2 prototype texts
        assert emb.texts_seen == len(rows) - done + 2
        assert store.counts()["embeddings"] == len(rows)


def test_refit_due_counts_only_papers_new_to_the_pool(world):
    import pandas as pd

    from trends.topics.fitting import refit_due

    cfg, store, emb = world["cfg"], world["store"], world["emb"]
    topics_cfg = cfg.topics.model_copy(
        update={"refit": cfg.topics.refit.model_copy(update={"min_novel": 3})}
    )
    last_fit = store.con.execute(
        "SELECT max(date_to) FROM runs WHERE status = 'success' AND "
        "(counts->>'discovered_topics') IS NOT NULL"
    ).fetchall()[0][0]
    ids = store.papers()["paper_id"].tolist()[:6]
    old = pd.DataFrame(
        {
            "paper_id": ids[:3],
            "nearest_topic_id": 1,
            "similarity": 0.1,
            "date": [last_fit] * 3,
            "run_id": "fit",
        }
    )
    with store.transaction():
        store.set_novelty(old, paper_ids=ids[:3])
    assert refit_due(topics_cfg, store, last_fit, emb.model_id) is None
    new = old.assign(paper_id=ids[3:], date=[pd.Timestamp(last_fit) + pd.Timedelta(days=1)] * 3)
    with store.transaction():
        store.set_novelty(new, paper_ids=ids[3:])
    why = refit_due(topics_cfg, store, last_fit, emb.model_id)
    assert why is not None and "novelty pool" in why
    with store.transaction():
        store.exec("DELETE FROM novelty WHERE paper_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
