#!/usr/bin/env bash
# Lint, types and the whole test suite (slow end-to-end tests included; see README for -m).
set -euo pipefail
cd "$(dirname "$0")/.."
export DO_NOT_TRACK=1 PREFECT_SERVER_ANALYTICS_ENABLED=false MPLBACKEND=Agg
.venv/bin/ruff check src flows tests bench
.venv/bin/mypy
# serial: pytest-xdist once collected different tests on its two workers here (flaky); serial
# is about a minute slower and always the same
.venv/bin/python -m pytest -q --durations=15 "$@"
