"""``trends serve``: the daily flow as a Prefect deployment on config.yaml's cron schedule."""

from __future__ import annotations

from trends.config import load_config


def serve_daily(config_path: str = "config.yaml") -> None:
    """Serve until interrupted; each scheduled run processes the previous day."""
    import logging
    import os

    from prefect.schedules import Cron

    from flows.daily import daily_flow

    if not os.environ.get("PREFECT_API_URL"):
        logging.getLogger(__name__).warning(
            "PREFECT_API_URL is not set: Prefect's temporary server cannot fire cron schedules. "
            "Run `prefect server start` and export PREFECT_API_URL=http://127.0.0.1:4200/api."
        )
    sched = load_config(config_path).schedule
    daily_flow.serve(
        name=sched.deployment_name,
        schedule=Cron(sched.cron, timezone=sched.timezone),
        parameters={"config_path": config_path},
        tags=["trends"],
        description="trends: the daily run",
    )
