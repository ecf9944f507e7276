"""The refit flow: refit topics as of a date, ids kept stable by the registry."""

from __future__ import annotations

from prefect import flow, task

from trends.config import load_config, parse_date
from trends.pipeline import run_refit
from trends.store import Store


def refit_topics(as_of: str, config_path: str) -> dict[str, object]:
    cfg = load_config(config_path)
    with Store(cfg.store.path) as store:
        res = run_refit(cfg, parse_date(as_of), store=store)
    return {"run_id": res.run_id, "status": res.status, "counts": res.counts}


refit_task = task(name="refit-topics", retries=1, retry_delay_seconds=60)(refit_topics)


@flow(name="trends-refit", flow_run_name="refit-{as_of}", log_prints=True)
def refit_flow(as_of: str, config_path: str = "config.yaml") -> dict[str, object]:
    return refit_task(as_of, config_path)
