"""The daily flow: fetch a day (network, retried) → store, embed, assign/refit, report."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from prefect import flow, task

from trends.config import load_config, parse_date
from trends.errors import FetchError
from trends.pipeline import RunResult, run_day
from trends.sources import ingest_day
from trends.staging import load_batch, save_batch, staging_path
from trends.store import Store


def _retry_on_fetch(task_: object, task_run: object, state: object) -> bool:
    """Retry network failures only; bad config or bad data will not get better."""
    try:
        state.result()  # type: ignore[attr-defined]
    except FetchError:
        return True
    except Exception:
        return False
    return False


def fetch_papers(day: str, config_path: str) -> str:
    """Fetch one day from the configured source into a staging file; returns its path."""
    cfg = load_config(config_path)
    d = parse_date(day)
    path = staging_path(cfg.store.path, d, cfg.ingest.source.kind)
    if not path.exists():
        save_batch(ingest_day(cfg.ingest, d), path)
    return str(path)


def process_day(day: str, config_path: str, staged: str) -> dict[str, object]:
    """Store, embed, assign (or refit when due) and report one staged day."""
    cfg = load_config(config_path)
    with Store(cfg.store.path) as store:
        res: RunResult = run_day(cfg, parse_date(day), store=store, batch=load_batch(Path(staged)))
    return {
        "run_id": res.run_id,
        "status": res.status,
        "counts": res.counts,
        "report": str(res.report) if res.report else None,
    }


fetch_task = task(
    name="fetch-papers",
    retries=3,
    retry_delay_seconds=[10, 60, 300],
    retry_condition_fn=_retry_on_fetch,
)(fetch_papers)
process_task = task(name="process-day", retries=1, retry_delay_seconds=30)(process_day)


@flow(name="trends-daily", flow_run_name="daily-{day}", log_prints=True)
def daily_flow(day: str | None = None, config_path: str = "config.yaml") -> dict[str, object]:
    """One day's run; ``day`` defaults to yesterday (the feed's last complete day)."""
    day = day or (date.today() - timedelta(days=1)).isoformat()
    staged = fetch_task(day, config_path)
    return process_task(day, config_path, staged)
