"""The backfill flow: days fetched in parallel (network, retried), then stored, embedded and
fitted once, with one report.

The fetch tasks run on the task runner from config.yaml's ``flows`` section: Prefect's thread
pool, or prefect-dask's ``DaskTaskRunner`` (a local Dask cluster, or an existing scheduler given
by ``flows.dask_address`` to spread the fetching over other machines). Tasks pass staging-file
paths, never papers. arXiv is fetched one day at a time to keep its one-request-per-3-s rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, task, unmapped

from flows.daily import fetch_task
from trends.config import FlowsConfig, load_config, parse_date
from trends.pipeline import days_between, run_backfill
from trends.records import IngestBatch
from trends.staging import load_batch
from trends.store import Store


def make_task_runner(cfg: FlowsConfig, *, parallel: bool = True) -> Any:
    """The Prefect task runner that ``flows`` in config.yaml asks for."""
    workers = cfg.fetch_workers if parallel else 1
    if cfg.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if cfg.dask_address:
            return DaskTaskRunner(address=cfg.dask_address)
        return DaskTaskRunner(
            cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": False}
        )
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner(max_workers=workers)


def process_range(
    since: str | None, until: str, config_path: str, staged: list[str]
) -> dict[str, object]:
    """Store, embed and fit the staged days (or the local file when nothing was staged)."""
    cfg = load_config(config_path)
    batch = None
    if staged:
        batch = IngestBatch()
        for path in staged:
            batch.extend(load_batch(Path(path)))
    with Store(cfg.store.path) as store:
        res = run_backfill(
            cfg, parse_date(since) if since else None, parse_date(until), store=store, batch=batch
        )
    return {
        "run_id": res.run_id,
        "status": res.status,
        "counts": res.counts,
        "report": str(res.report) if res.report else None,
    }


process_range_task = task(name="process-range", retries=1, retry_delay_seconds=60)(process_range)


@flow(name="trends-backfill", flow_run_name="backfill-{since}-{until}", log_prints=True)
def backfill_flow(
    since: str | None, until: str, config_path: str = "config.yaml"
) -> dict[str, object]:
    cfg = load_config(config_path)
    staged: list[str] = []
    if cfg.ingest.source.kind != "local":
        first = parse_date(since) if since else parse_date(until)
        days = [d.isoformat() for d in days_between(first, parse_date(until))]
        if cfg.ingest.source.kind == "arxiv":
            staged = [fetch_task(d, config_path) for d in days]
        else:
            staged = [f.result() for f in fetch_task.map(days, unmapped(config_path))]
    return process_range_task(since, until, config_path, staged)


def run_backfill_flow(
    since: str | None, until: str, config_path: str = "config.yaml"
) -> dict[str, object]:
    """Run the backfill flow on the task runner that config.yaml's ``flows`` section names."""
    cfg = load_config(config_path)
    parallel = cfg.ingest.source.kind == "hf_daily"
    runner = make_task_runner(cfg.flows, parallel=parallel)
    return backfill_flow.with_options(task_runner=runner)(since, until, config_path)
