"""The store: one DuckDB file, and the only code that knows SQL and the file layout.

Tables (``SCHEMA`` below is the reference):

* ``papers`` — one row per paper id (arXiv id without version).
* ``rejected`` — input records that could not be used, with source, reference and reason.
* ``embeddings`` — the embedding cache, keyed by (paper id, SHA-256 of embedded text, model id).
* ``topics`` — the topic registry (named and discovered) with stable ids, labels, centroids.
* ``topic_events`` — registry lineage: born, matched, merged, split, dormant, per fit.
* ``assignments`` — one row per (paper, topic) with a confidence.
* ``novelty`` — papers that fit no discovered topic well, waiting for the next refit.
* ``models`` — fitted model state (JSON), e.g. the named-topic classifier.
* ``runs`` — the manifest: one row per run with parameters, versions, counts, timings.

Every write of a run happens inside :meth:`Store.transaction`, so a run killed half-way leaves the
store as it was before that transaction (DuckDB's write-ahead log is replayed or discarded on the
next open). Long steps (embedding) commit in chunks, so a crash keeps the finished chunks and a
re-run resumes from there.
"""

from __future__ import annotations

from trends.store._core import SCHEMA, SCHEMA_VERSION, TABLES, StoreCore, now
from trends.store._papers import PapersMixin
from trends.store._runs import RunsMixin
from trends.store._topics import TopicsMixin


class Store(PapersMixin, TopicsMixin, RunsMixin, StoreCore):
    """A DuckDB store file. Use as a context manager, or call :meth:`close`."""


__all__ = ["SCHEMA", "SCHEMA_VERSION", "TABLES", "Store", "now"]
