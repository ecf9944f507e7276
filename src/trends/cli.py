"""The ``trends`` command line (typer). Every command has ``--help``; errors are one line on
stderr and a non-zero exit code."""

from __future__ import annotations

import json
import logging
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from trends.config import Config, load_config, parse_date
from trends.errors import NotReadyError, TrendsError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="trends: a research-trend radar over daily AI papers.",
)
_state: dict[str, Any] = {}

ConfigOpt = Annotated[Path, typer.Option("--config", "-c", help="config file")]
DateOpt = Annotated[str | None, typer.Option("--date", "-d", help="YYYY-MM-DD (default: latest)")]


@app.callback()
def _main(
    config: ConfigOpt = Path("config.yaml"),
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log steps")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    _state["config_path"] = config


def _cfg() -> Config:
    if "cfg" not in _state:
        _state["cfg"] = load_config(_state.get("config_path", Path("config.yaml")))
    return _state["cfg"]  # type: ignore[no-any-return]


def _store(read_only: bool = False) -> Any:
    from trends.store import Store

    return Store(_cfg().store.path, read_only=read_only)


def _print_result(res: Any) -> None:
    if res.status == "skipped":
        typer.echo(f"skipped: {res.reason}")
        return
    typer.echo(f"run {res.run_id}: {res.status}")
    for k, v in res.counts.items():
        typer.echo(f"  {k}: {v}")
    total = sum(res.timings.values())
    typer.echo(
        "  timings: "
        + ", ".join(f"{k} {v:.1f}s" for k, v in res.timings.items())
        + f" (steps total {total:.1f}s)"
    )
    if res.report:
        typer.echo(f"report: {res.report}")


@app.command()
def ingest(path: Annotated[Path, typer.Argument(help="JSON Lines, CSV or Parquet file")]) -> None:
    """Store a local file's papers; bad rows are kept aside with their reasons."""
    from trends.pipeline import ingest_path

    with _store() as store:
        _print_result(ingest_path(_cfg().ingest, path, store=store))


@app.command()
def run(
    date_: DateOpt = None,
    no_report: Annotated[bool, typer.Option("--no-report", help="skip the report")] = False,
    force: Annotated[bool, typer.Option("--force", help="run even if done before")] = False,
    via_prefect: Annotated[bool, typer.Option("--prefect", help="run as a Prefect flow")] = False,
) -> None:
    """The daily run: ingest the day, embed what is new, assign topics, write the report."""
    day = parse_date(date_) if date_ else _default_day()
    if via_prefect:
        from flows.daily import daily_flow

        daily_flow(day.isoformat(), str(_state.get("config_path", "config.yaml")))
        return
    from trends.pipeline import run_day

    with _store() as store:
        _print_result(run_day(_cfg(), day, store=store, report=not no_report, force=force))


def _default_day() -> date:
    cfg = _cfg()
    if cfg.ingest.source.kind == "local":
        from trends.sources import ingest_file

        batch = ingest_file(cfg.ingest.source.path, cfg.ingest)  # type: ignore[union-attr]
        if batch.papers:
            return max(p.date for p in batch.papers)
    return date.today()


@app.command()
def backfill(
    since: Annotated[str | None, typer.Option(help="first day, YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option(help="last day, YYYY-MM-DD")] = None,
    path: Annotated[Path | None, typer.Option(help="read this file instead")] = None,
    no_report: Annotated[bool, typer.Option("--no-report")] = False,
    via_prefect: Annotated[
        bool,
        typer.Option(
            "--prefect",
            help="run as a Prefect flow: days fetched in parallel on the "
            "task runner of config.yaml's flows section (threads or Dask)",
        ),
    ] = False,
) -> None:
    """Ingest a date range (or a file), embed it and fit topics once as of its last day."""
    from trends.pipeline import run_backfill

    if via_prefect:
        from flows.backfill import run_backfill_flow

        last = parse_date(until) if until else _default_day()
        out = run_backfill_flow(since, last.isoformat(), str(_state.get("config_path")))
        typer.echo(json.dumps(out, default=str, indent=1))
        return

    end = parse_date(until) if until else _default_day()
    with _store() as store:
        _print_result(
            run_backfill(
                _cfg(),
                parse_date(since) if since else None,
                end,
                store=store,
                path=path,
                report=not no_report,
            )
        )


@app.command()
def refit(date_: DateOpt = None) -> None:
    """Refit topics now (matched to the registry, so ids stay stable)."""
    from trends.pipeline import latest_date, run_refit

    day = parse_date(date_) if date_ else None
    with _store() as store:
        _print_result(run_refit(_cfg(), day or latest_date(store), store=store))


@app.command()
def report(date_: DateOpt = None) -> None:
    """Write reports/<date>/ (PDF, PNGs, summary.md) from what the store holds."""
    from trends.pipeline import latest_date
    from trends.reporting import build_report

    day = parse_date(date_) if date_ else None
    with _store() as store:
        typer.echo(f"report: {build_report(_cfg(), store, as_of=day or latest_date(store))}")


@app.command()
def topics(
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines")] = False,
    all_: Annotated[bool, typer.Option("--all", help="include dormant/merged")] = False,
) -> None:
    """List the topic registry: id, kind, label, size, birth date, status."""
    with _store(read_only=True) as store:
        df = store.topics()
    if df.empty:
        raise NotReadyError("no topics yet: run `trends backfill` (or `trends run`) first")
    if not all_:
        df = df[df["status"] == "active"]
    df = df.sort_values(["kind", "size"], ascending=[False, False])
    cols = ["topic_id", "kind", "slug", "label", "size", "birth_date", "status"]
    df = df.assign(slug=df["slug"].fillna("-"))
    if as_json:
        for rec in df[cols].to_dict(orient="records"):
            typer.echo(json.dumps(rec, default=str))
    else:
        import pandas as pd

        with pd.option_context(
            "display.max_rows", 500, "display.width", 160, "display.max_colwidth", 60
        ):
            typer.echo(df[cols].to_string(index=False))


@app.command()
def serve() -> None:
    """Serve the daily flow as a Prefect deployment on the cron schedule in config.yaml."""
    from flows.serve import serve_daily

    serve_daily(str(_state.get("config_path", "config.yaml")))


def main() -> None:
    try:
        app(standalone_mode=False)
    except TrendsError as err:
        typer.echo(f"error: {err}", err=True)
        sys.exit(1)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("aborted", err=True)
        sys.exit(130)
    except Exception as err:  # click usage errors
        import click

        if isinstance(err, click.ClickException):
            err.show()
            sys.exit(err.exit_code)
        raise


if __name__ == "__main__":
    main()
