"""The Prefect flows: their tasks are plain functions (called directly here), and one real flow
run under Prefect's test harness on the bundled real sample."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from trends.config import load_config
from trends.pipeline import run_backfill
from trends.staging import load_batch
from trends.store import Store

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"


def write_config(tmp: Path) -> Path:
    cfg = yaml.safe_load((REPO / "config.yaml").read_text())
    cfg["store"]["path"] = str(tmp / "store.duckdb")
    cfg["ingest"]["source"]["path"] = str(SAMPLE / "hf_sample.jsonl.gz")
    cfg["embedding"]["snapshot"] = str(SAMPLE / "hf_sample.minilm.npz")
    cfg["report"]["out_dir"] = str(tmp / "reports")
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_fetch_task_stages_the_day_once(tmp_path):
    from flows.daily import fetch_papers

    cfg_path = write_config(tmp_path)
    staged = Path(fetch_papers("2026-03-02", str(cfg_path)))
    batch = load_batch(staged)
    assert batch.papers and all(p.date == date(2026, 3, 2) for p in batch.papers)
    mtime = staged.stat().st_mtime_ns
    assert fetch_papers("2026-03-02", str(cfg_path)) == str(staged)
    assert staged.stat().st_mtime_ns == mtime  # not fetched again


@pytest.mark.slow
def test_daily_flow_runs_under_prefect(tmp_path):
    from prefect.testing.utilities import prefect_test_harness

    from flows.daily import daily_flow

    cfg_path = write_config(tmp_path)
    cfg = load_config(cfg_path)
    with Store(cfg.store.path) as store:
        run_backfill(cfg, date(2026, 1, 1), date(2026, 2, 28), store=store, report=False)
    with prefect_test_harness(server_startup_timeout=120):
        out = daily_flow("2026-03-02", str(cfg_path))
    assert out["status"] == "success"
    assert out["counts"]["new_papers"] > 0
    assert Path(str(out["report"])).is_file()
    with Store(cfg.store.path, read_only=True) as store:
        runs = store.runs()
    assert runs["kind"].tolist() == ["backfill", "daily"]
