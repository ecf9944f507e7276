"""The backfill flow: a date range ingested, embedded and fitted once; then one report."""

from __future__ import annotations

from prefect import flow, task

from trends.config import load_config, parse_date
from trends.pipeline import run_backfill
from trends.store import Store


def backfill_range(since: str | None, until: str, config_path: str) -> dict[str, object]:
    cfg = load_config(config_path)
    with Store(cfg.store.path) as store:
        res = run_backfill(
            cfg, parse_date(since) if since else None, parse_date(until), store=store
        )
    return {"run_id": res.run_id, "status": res.status, "counts": res.counts}


backfill_task = task(name="backfill-range", retries=2, retry_delay_seconds=[30, 120])(
    backfill_range
)


@flow(name="trends-backfill", flow_run_name="backfill-{since}-{until}", log_prints=True)
def backfill_flow(
    since: str | None, until: str, config_path: str = "config.yaml"
) -> dict[str, object]:
    return backfill_task(since, until, config_path)
