"""Paper sources: local files, the Hugging Face daily-papers API and the arXiv API.

Every source returns an :class:`~trends.records.IngestBatch`: normalised papers, rejected rows
(with the reason and the raw record) and a count of duplicate ids. Bad records never raise; a
source that cannot be read at all raises :class:`~trends.errors.SourceError` (or its subclasses
:class:`~trends.errors.SourceFormatError` for local files and
:class:`~trends.errors.FetchError` for HTTP sources after retries).

:func:`ingest_day` is the one entry point the pipeline needs: it dispatches on
``cfg.source.kind``.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import httpx

from trends.config import (
    ArxivSourceConfig,
    HFDailySourceConfig,
    IngestConfig,
    LocalSourceConfig,
)
from trends.records import IngestBatch
from trends.sources.arxiv import fetch_arxiv, parse_atom, search_query
from trends.sources.hf_daily import fetch_hf_daily, parse_hf_daily
from trends.sources.http import Sleep, get_with_retries
from trends.sources.local import SUPPORTED, read_local
from trends.sources.validate import collapse_ws, split_arxiv_id, to_paper


def ingest_file(path: str | Path, cfg: IngestConfig) -> IngestBatch:
    """Read a whole local file with the limits of ``cfg`` (any date)."""
    return read_local(
        path, max_abstract_chars=cfg.max_abstract_chars, max_title_chars=cfg.max_title_chars
    )


def ingest_day(
    cfg: IngestConfig,
    day: date,
    *,
    client: httpx.Client | None = None,
    sleep: Sleep = time.sleep,
) -> IngestBatch:
    """The papers of ``day`` from the configured source.

    ``local``: the file is read whole; papers whose ``date`` is ``day`` are kept, together with
    every rejected row of the file (a bad row has no trustworthy date); ``duplicates`` counts the
    whole file. ``hf_daily``: the feed of ``day``. ``arxiv``: papers submitted on ``day``.
    ``client`` and ``sleep`` are for the HTTP sources (tests inject a mock transport).
    """
    src = cfg.source
    limits = {"max_abstract_chars": cfg.max_abstract_chars, "max_title_chars": cfg.max_title_chars}
    if isinstance(src, LocalSourceConfig):
        whole = read_local(src.path, **limits)
        return IngestBatch(
            papers=[p for p in whole.papers if p.date == day],
            rejected=whole.rejected,
            duplicates=whole.duplicates,
        )
    if isinstance(src, HFDailySourceConfig):
        return fetch_hf_daily(day, src, cfg.http, client=client, sleep=sleep, **limits)
    if isinstance(src, ArxivSourceConfig):
        return fetch_arxiv(day, src, cfg.http, client=client, sleep=sleep, **limits)
    raise TypeError(f"unknown source config: {type(src).__name__}")  # pragma: no cover


__all__ = [
    "SUPPORTED",
    "collapse_ws",
    "fetch_arxiv",
    "fetch_hf_daily",
    "get_with_retries",
    "ingest_day",
    "ingest_file",
    "parse_atom",
    "parse_hf_daily",
    "read_local",
    "search_query",
    "split_arxiv_id",
    "to_paper",
]
