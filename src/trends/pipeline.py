"""The pipeline's steps in order, without Prefect: what ``flows/`` wraps and the CLI calls.

Each step takes its own config section and the store, and returns a dict of counts. The
orchestrating functions (:func:`run_day`, :func:`run_backfill`, :func:`run_refit`) order the steps
and record the run in the manifest; a run whose inputs and config match an earlier successful run
is skipped, so re-running a day changes nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from trends.config import Config, EmbeddingConfig, IngestConfig
from trends.embed import Embedder, SentenceTransformerEmbedder, model_id_for
from trends.errors import NotReadyError
from trends.manifest import RunRecorder, fingerprint
from trends.records import IngestBatch, text_sha256
from trends.sources import ingest_day as fetch_day
from trends.sources import ingest_file
from trends.store import Store
from trends.topics.fitting import assign_papers, fit_topics, refit_due
from trends.vector_files import import_vectors

log = logging.getLogger(__name__)

EMBED_CHUNK = 256


@dataclass
class RunResult:
    run_id: str | None
    status: str  # success | skipped | failed
    counts: dict[str, Any]
    timings: dict[str, float]
    report: Path | None = None
    reason: str = ""


# --------------------------------------------------------------------------- steps
def store_batch(store: Store, batch: IngestBatch, run_id: str) -> dict[str, Any]:
    """Write papers and rejected rows of a batch (idempotent); returns counts."""
    with store.transaction():
        up = store.upsert_papers(batch.papers, run_id)
        new_rej = store.add_rejected(batch.rejected, run_id)
    return {
        "papers_in_batch": len(batch.papers),
        "new_papers": up["new"],
        "updated_papers": up["updated"],
        "rejected_in_batch": len(batch.rejected),
        "rejected_new": new_rej,
        "duplicates_in_batch": batch.duplicates,
        "rejected_by_reason": dict(Counter(r.reason.split(":")[0] for r in batch.rejected)),
    }


def batch_fingerprint(batch: IngestBatch) -> str:
    return fingerprint(
        sorted((p.id, text_sha256(p.text), p.upvotes, p.date) for p in batch.papers),
        sorted(r.key for r in batch.rejected),
    )


def import_snapshot(cfg: EmbeddingConfig, store: Store) -> int:
    """Import precomputed vectors (``embedding.snapshot``) for papers whose text matches."""
    if cfg.snapshot is None or not Path(cfg.snapshot).is_file():
        return 0
    model_id = model_id_for(cfg)
    missing = store.missing_embeddings(model_id)
    keys = list(zip(missing["paper_id"], missing["text_sha256"], strict=True))
    return import_vectors(store, cfg.snapshot, keys, model_id, require_model_id=False)


def embed_new(
    cfg: EmbeddingConfig,
    store: Store,
    embedder: Embedder,
    *,
    until: date | None = None,
    progress: bool = False,
) -> dict[str, int]:
    """Embed every paper whose (id, text hash, model) is not cached; commits chunk by chunk."""
    imported = import_snapshot(cfg, store)
    missing = store.missing_embeddings(embedder.model_id, until=until)
    done = 0
    bar = None
    if progress and len(missing) > EMBED_CHUNK:
        from tqdm import tqdm

        bar = tqdm(total=len(missing), desc="embedding", unit="paper")
    for start in range(0, len(missing), EMBED_CHUNK):
        part = missing.iloc[start : start + EMBED_CHUNK]
        texts = [f"{t}. {a}" for t, a in zip(part["title"], part["abstract"], strict=True)]
        vecs = embedder.encode(texts)
        done += store.put_embeddings(
            part["paper_id"].tolist(), part["text_sha256"].tolist(), embedder.model_id, vecs
        )
        if bar is not None:
            bar.update(len(part))
    if bar is not None:
        bar.close()
    return {"embeddings_imported": imported, "embedded": done}


# --------------------------------------------------------------------------- orchestration
def _embedder(cfg: Config, embedder: Embedder | None) -> Embedder:
    return embedder or SentenceTransformerEmbedder(cfg.embedding)


def _embed_fn(emb: Embedder) -> Callable[[list[str]], np.ndarray]:
    return lambda texts: emb.encode(texts)


def _refit(cfg: Config, store: Store, emb: Embedder, rec: RunRecorder, as_of: date) -> None:
    with rec.step("refit"):
        rec.counts.update(
            fit_topics(
                cfg.topics,
                store,
                model_id=emb.model_id,
                run_id=rec.run_id,
                as_of=as_of,
                embed_fn=_embed_fn(emb),
            )
        )


def _report(cfg: Config, store: Store, as_of: date, rec: RunRecorder) -> Path | None:
    from trends.reporting import build_report

    with rec.step("report"):
        return build_report(cfg, store, as_of=as_of, run_summary=dict(rec.row))


def _guarded(rec: RunRecorder, body: Callable[[], Path | None]) -> RunResult:
    rec.start()
    try:
        path = body()
    except Exception as err:
        rec.finish("failed", f"{type(err).__name__}: {err}")
        raise
    rec.finish()
    return RunResult(rec.run_id, "success", rec.counts, rec.timings, report=path)


def run_day(
    cfg: Config,
    day: date,
    *,
    store: Store,
    embedder: Embedder | None = None,
    client: httpx.Client | None = None,
    report: bool = True,
    force: bool = False,
    batch: IngestBatch | None = None,
) -> RunResult:
    """One daily run: ingest the day, embed what is new, assign (or refit when due), report.

    ``batch`` is an already fetched day (the Prefect flow fetches in its own retried task)."""
    if batch is None:
        batch = fetch_day(cfg.ingest, day, client=client)
    key = fingerprint("day", day, cfg.fingerprint(), batch_fingerprint(batch))
    if not force and store.find_run(key) is not None:
        return RunResult(None, "skipped", {}, {}, reason=f"{day} already done with same input")
    rec = RunRecorder(
        store,
        "daily",
        run_key=key,
        date_from=day,
        date_to=day,
        params={"date": day.isoformat(), "config": cfg.fingerprint()},
    )

    def body() -> Path | None:
        with rec.step("store"):
            rec.counts.update(store_batch(store, batch, rec.run_id))
        emb = _embedder(cfg, embedder)
        with rec.step("embed"):
            rec.counts.update(embed_new(cfg.embedding, store, emb, until=day))
        why = refit_due(cfg.topics, store, day, emb.model_id)
        if why:
            rec.counts["refit_reason"] = why
            _refit(cfg, store, emb, rec, day)
        else:
            with rec.step("assign"):
                todo = store.unassigned_papers(until=day)
                rec.counts.update(
                    assign_papers(
                        cfg.topics, store, model_id=emb.model_id, run_id=rec.run_id, paper_ids=todo
                    )
                )
        return _report(cfg, store, day, rec) if report else None

    return _guarded(rec, body)


def run_backfill(
    cfg: Config,
    since: date | None,
    until: date,
    *,
    store: Store,
    embedder: Embedder | None = None,
    client: httpx.Client | None = None,
    path: Path | None = None,
    report: bool = True,
    batch: IngestBatch | None = None,
) -> RunResult:
    """Ingest a date range (or a whole file), embed it, fit topics once as of ``until``.

    ``batch`` is an already fetched range (the Prefect backfill flow fetches days in parallel)."""
    if batch is None:
        batch = fetch_range(cfg.ingest, since, until, client=client, path=path)
    batch.papers = [
        p for p in batch.papers if (since is None or p.date >= since) and p.date <= until
    ]
    key = fingerprint("backfill", since, until, cfg.fingerprint(), batch_fingerprint(batch))
    if store.find_run(key) is not None:
        return RunResult(None, "skipped", {}, {}, reason="backfill already done with same input")
    rec = RunRecorder(
        store,
        "backfill",
        run_key=key,
        date_from=since,
        date_to=until,
        params={"since": str(since), "until": str(until), "config": cfg.fingerprint()},
    )

    def body() -> Path | None:
        with rec.step("store"):
            rec.counts.update(store_batch(store, batch, rec.run_id))
        emb = _embedder(cfg, embedder)
        with rec.step("embed"):
            rec.counts.update(embed_new(cfg.embedding, store, emb, until=until, progress=True))
        _refit(cfg, store, emb, rec, until)
        return _report(cfg, store, until, rec) if report else None

    return _guarded(rec, body)


def fetch_range(
    cfg: IngestConfig,
    since: date | None,
    until: date,
    *,
    client: httpx.Client | None = None,
    path: Path | None = None,
) -> IngestBatch:
    """A date range from the configured source (a local file is read whole), or from ``path``."""
    if path is not None:
        return ingest_file(path, cfg)
    if cfg.source.kind == "local":
        return ingest_file(cfg.source.path, cfg)  # type: ignore[union-attr]
    batch = IngestBatch()
    for day in days_between(since or until, until):
        batch.extend(fetch_day(cfg, day, client=client))
    return batch


def run_refit(
    cfg: Config, as_of: date, *, store: Store, embedder: Embedder | None = None
) -> RunResult:
    """Refit topics as of a date (scheduled, or by hand with ``trends refit``)."""
    rec = RunRecorder(
        store,
        "refit",
        run_key=fingerprint("refit", as_of, cfg.fingerprint()),
        date_from=None,
        date_to=as_of,
        params={"as_of": as_of.isoformat()},
    )

    def body() -> Path | None:
        emb = _embedder(cfg, embedder)
        with rec.step("embed"):
            rec.counts.update(embed_new(cfg.embedding, store, emb, until=as_of))
        _refit(cfg, store, emb, rec, as_of)
        return None

    return _guarded(rec, body)


def ingest_path(cfg: IngestConfig, path: Path, *, store: Store) -> RunResult:
    """``trends ingest PATH``: store a local file's papers and rejected rows (no embedding)."""
    batch = ingest_file(path, cfg)
    rec = RunRecorder(
        store,
        "ingest",
        run_key=fingerprint("ingest", str(path), batch_fingerprint(batch)),
        date_from=min((p.date for p in batch.papers), default=None),
        date_to=max((p.date for p in batch.papers), default=None),
        params={"path": str(path)},
    )

    def body() -> Path | None:
        with rec.step("store"):
            rec.counts.update(store_batch(store, batch, rec.run_id))
        return None

    return _guarded(rec, body)


def latest_date(store: Store) -> date:
    rows = store.con.execute("SELECT max(date) FROM papers").fetchall()
    row = rows[0] if rows else None
    if row is None or row[0] is None:
        raise NotReadyError("the store has no papers: run `trends backfill` or `trends run`")
    return row[0]  # type: ignore[no-any-return]


def days_between(since: date, until: date) -> list[date]:
    from datetime import timedelta

    return [since + timedelta(days=i) for i in range((until - since).days + 1)]
