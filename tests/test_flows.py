"""The Prefect flows: their tasks are plain functions (called directly here), and one real flow
run under Prefect's test harness on the bundled real sample."""

from __future__ import annotations

import gzip
import json
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
    for key in ("named_labels", "named_labels_vectors"):  # the repo's files, not tmp's
        cfg["topics"][key] = str(REPO / cfg["topics"][key])
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


class _RecordedHF:
    """A loopback HTTP server that answers like the HF daily-papers API from the recorded
    responses in tests/fixtures (a real HTTP round trip for the real client)."""

    def __init__(self) -> None:
        import http.server
        import threading
        from urllib.parse import parse_qs, urlparse

        fixtures = Path(__file__).parent / "fixtures" / "hf_daily_api"
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                day = parse_qs(urlparse(self.path).query).get("date", [""])[0]
                outer.requests.append(day)
                body = (fixtures / f"{day}.json").read_bytes() if day else b""
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/api/daily_papers"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.mark.slow
@pytest.mark.parametrize("runner", ["threads", "dask"])
def test_backfill_flow_fetches_days_in_parallel(tmp_path, runner):
    from prefect.testing.utilities import prefect_test_harness

    from flows.backfill import run_backfill_flow
    from trends.pipeline import ingest_path

    from .synth import write_jsonl

    with gzip.open(SAMPLE / "hf_sample.jsonl.gz", "rt") as fh:
        rows = [json.loads(x) for x in fh]
    recent = write_jsonl(
        [r for r in rows if "2026-06-15" <= r["date"] <= "2026-08-19"], tmp_path / "recent.jsonl"
    )
    api = _RecordedHF()
    try:
        cfg_path = write_config(tmp_path)
        raw = yaml.safe_load(cfg_path.read_text())
        raw["ingest"]["source"] = {"kind": "hf_daily", "base_url": api.url}
        raw["flows"] = {"task_runner": runner, "fetch_workers": 2}
        cfg_path.write_text(yaml.safe_dump(raw))
        cfg = load_config(cfg_path)
        with Store(cfg.store.path) as store:
            ingest_path(cfg.ingest, recent, store=store)
        with prefect_test_harness(server_startup_timeout=120):
            out = run_backfill_flow("2026-08-20", "2026-08-21", str(cfg_path))
    finally:
        api.close()
    assert sorted(api.requests) == ["2026-08-20", "2026-08-21"]
    counts = out["counts"]
    fixtures = Path(__file__).parent / "fixtures" / "hf_daily_api"
    expected = sum(len(json.loads((fixtures / f"2026-08-2{d}.json").read_text())) for d in (0, 1))
    assert counts["papers_in_batch"] == expected
    assert counts["embedded"] > 0  # the new days were embedded for real
    assert counts["discovered_topics"] > 0
