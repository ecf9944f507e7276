"""Thin Prefect flows over :mod:`trends.pipeline` (the library itself never imports Prefect).

Telemetry is off unless the user turned it on: ``DO_NOT_TRACK=1`` and
``PREFECT_SERVER_ANALYTICS_ENABLED=false`` are set before Prefect is imported.
"""

import os

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
