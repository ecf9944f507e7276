"""Run manifests: what each run did, with which parameters and versions, and how long it took.

:class:`RunRecorder` writes one ``runs`` row when a run starts (status ``running``) and updates it
when the run ends (``success`` or ``failed`` with the error). A run whose key (kind, dates, config
fingerprint, input fingerprint) matches an earlier successful run is skipped by the pipeline, so
running the same day twice writes nothing at all.
"""

from __future__ import annotations

import hashlib
import logging
import platform
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from importlib import metadata
from typing import Any

from trends.store import Store, now

log = logging.getLogger(__name__)

_PACKAGES = (
    "trends",
    "bertopic",
    "umap-learn",
    "hdbscan",
    "scikit-learn",
    "sentence-transformers",
    "torch",
    "duckdb",
    "numpy",
    "pandas",
    "statsmodels",
    "matplotlib",
)


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in _PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "absent"
    return out


def fingerprint(*parts: object) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(repr(p).encode())
        h.update(b"\x00")
    return h.hexdigest()[:16]


class RunRecorder:
    """Collects counts and timings of one run and records it in the store's manifest."""

    def __init__(
        self,
        store: Store,
        kind: str,
        *,
        run_key: str,
        date_from: date | None,
        date_to: date | None,
        params: dict[str, Any],
    ):
        self.store = store
        stamp = now().strftime("%Y%m%dT%H%M%S")
        self.run_id = f"{kind}-{date_to or 'all'}-{stamp}-{uuid.uuid4().hex[:6]}"
        self.row: dict[str, Any] = {
            "run_id": self.run_id,
            "kind": kind,
            "run_key": run_key,
            "date_from": date_from,
            "date_to": date_to,
            "status": "running",
            "started_at": now(),
            "finished_at": None,
            "params": params,
            "versions": versions(),
            "counts": {},
            "timings": {},
            "error": None,
        }
        self.counts: dict[str, Any] = self.row["counts"]
        self.timings: dict[str, float] = self.row["timings"]

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time a step; its seconds land in the manifest's timings."""
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(self.timings.get(name, 0.0) + time.perf_counter() - t0, 3)
            log.info("step %s: %.2f s", name, self.timings[name])

    def start(self) -> None:
        self.store.record_run(self.row)

    def finish(self, status: str = "success", error: str | None = None) -> dict[str, Any]:
        self.row.update(status=status, finished_at=now(), error=error)
        self.store.record_run(self.row)
        return dict(self.row)
