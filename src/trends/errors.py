"""The one exception family of ``trends``.

Every error the library raises on purpose derives from :class:`TrendsError`, so callers can catch
one class. Messages say what was wrong and how to fix it.

Exception tree::

    TrendsError                 base class; never raised directly
    ├── ConfigError             config.yaml missing, unreadable or invalid (names the key)
    ├── SourceError             a paper source cannot be read at all
    │   ├── SourceFormatError   a local file has an unknown extension or is not that format
    │   └── FetchError          an HTTP source failed after its retries (status, URL)
    ├── StoreError              the DuckDB store cannot be opened, is locked, or has a schema
    │                           from another version
    ├── EmbeddingError          the embedding model cannot be loaded (offline) or fails
    ├── TopicModelError         topic fitting/assignment cannot run (e.g. too few papers)
    ├── NotReadyError           a step needs data an earlier step has not produced yet
    │                           (e.g. ``report`` before any ``run``); says which command to run
    └── ReportError             a report cannot be rendered or written

Bad *records* are not exceptions: sources return them as rejected rows with a reason, the store
keeps them in the ``rejected`` table and the run summary counts them.
"""

from __future__ import annotations


class TrendsError(Exception):
    """Base class of every error raised by trends."""


class ConfigError(TrendsError):
    """The configuration is missing or invalid; the message names the offending key."""


class SourceError(TrendsError):
    """A paper source cannot be read at all (not a single bad record: those are rejected rows)."""


class SourceFormatError(SourceError):
    """A local file is not in a supported format (JSON Lines, CSV, Parquet)."""


class FetchError(SourceError):
    """An HTTP request failed after retries; carries the URL and status when known."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None):
        super().__init__(message)
        self.url = url
        self.status = status


class StoreError(TrendsError):
    """The store cannot be opened, is locked by another process, or has an unknown schema."""


class EmbeddingError(TrendsError):
    """The embedding model cannot be loaded or run."""


class TopicModelError(TrendsError):
    """Topic discovery or assignment cannot run on the given data."""


class NotReadyError(TrendsError):
    """A step needs data that an earlier step has not produced yet."""


class ReportError(TrendsError):
    """A report cannot be rendered or written."""


__all__ = [
    "ConfigError",
    "EmbeddingError",
    "FetchError",
    "NotReadyError",
    "ReportError",
    "SourceError",
    "SourceFormatError",
    "StoreError",
    "TopicModelError",
    "TrendsError",
]
