"""Topic steps over the store: fit (named classifier + discovery + registry) and daily assignment.

These are the only topic functions that read or write the store; the maths they call
(:mod:`.named`, :mod:`.discovery`, :mod:`.registry`) is pure.

* :func:`sync_named_topics` — registry rows for the config's named topics (stable ids by slug).
* :func:`fit_topics` — a refit as of a date: fits the named-topic classifier on every embedded
  paper up to that date, clusters the papers no named topic covers, reconciles the clusters with
  the registry, and rewrites all assignments and the novelty pool in one transaction.
* :func:`assign_papers` — the daily path: named-topic confidences from the stored classifier and
  nearest-centroid assignment to discovered topics; no refit, no UMAP, no BERTopic import.
* :func:`refit_due` — whether the schedule or the novelty pool calls for a refit.
* :func:`labelled_vectors` — vectors of the labelled papers (``topics.named_labels``): from the
  store's embedding cache, else the vectors file, else embedded once and cached.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from trends.config import TopicsConfig
from trends.embed import normalize_rows
from trends.errors import NotReadyError
from trends.records import embed_text
from trends.store import Store
from trends.topics.discovery import TopicDiscoverer
from trends.topics.memberships import assign_nearest
from trends.topics.named import NamedTopicClassifier
from trends.topics.registry import reconcile
from trends.topics.supervision import LabelledPapers, load_labelled
from trends.vector_files import vectors_for

log = logging.getLogger(__name__)

NAMED_MODEL = "named_topics"
EmbedFn = Callable[[list[str]], np.ndarray]


def sync_named_topics(cfg: TopicsConfig, store: Store, run_id: str, as_of: date) -> dict[str, int]:
    """Make sure every named topic of the config has a registry row; returns slug -> topic id."""
    reg = store.topics()
    named = reg[reg["kind"] == "named"] if len(reg) else reg
    by_slug = dict(zip(named["slug"], named["topic_id"], strict=True)) if len(named) else {}
    rows, next_id = [], store.next_topic_id()
    for t in cfg.named:
        tid = int(by_slug.get(t.slug, 0)) or next_id
        if t.slug not in by_slug:
            next_id += 1
        prev = named[named["slug"] == t.slug] if len(named) else named
        row = {
            "topic_id": tid,
            "kind": "named",
            "slug": t.slug,
            "label": t.name,
            "name": t.name,
            "description": t.description,
            "top_terms": list(t.seeds),
            "status": "active",
            "model_id": None,
            "last_run": run_id,
            "birth_date": prev["birth_date"].iloc[0] if len(prev) else None,
            "size": int(prev["size"].iloc[0])
            if len(prev) and pd.notna(prev["size"].iloc[0])
            else 0,
        }
        changed = (not len(prev)) or any(
            str(prev[k].iloc[0]) != str(row[k]) for k in ("label", "description", "status")
        )
        if changed:
            rows.append(row)
        by_slug[t.slug] = tid
    # named topics removed from the config stay in the registry as dormant
    for slug in list(by_slug):
        if slug not in {t.slug for t in cfg.named}:
            prev = named[named["slug"] == slug].iloc[0].to_dict()
            if prev["status"] != "dormant":
                prev.update(status="dormant", last_run=run_id)
                rows.append(prev)
    if rows:
        store.replace_topics(pd.DataFrame(rows), [None] * len(rows))
    return {s: int(t) for s, t in by_slug.items() if s in {t.slug for t in cfg.named}}


def _load_classifier(store: Store, model_id: str) -> NamedTopicClassifier | None:
    """The stored classifier, or None when absent, made with another model, or outdated."""
    saved = store.load_model(NAMED_MODEL)
    if saved is None or saved[0] != model_id:
        return None
    try:
        return NamedTopicClassifier.from_state(saved[1])
    except (ValueError, KeyError, TypeError) as err:
        log.warning("stored named-topic model is unusable (%s); a refit will replace it", err)
        return None


def _named_frame(
    clf: NamedTopicClassifier,
    slug_ids: dict[str, int],
    paper_ids: Sequence[str],
    texts: Sequence[str],
    emb: np.ndarray,
    threshold: float,
    run_id: str,
) -> pd.DataFrame:
    proba = clf.predict_proba(list(texts), emb) if len(texts) else np.zeros((0, len(slug_ids)))
    rows_i, cols_j = np.nonzero(proba >= threshold)
    slugs = list(clf.slugs_)
    frame = pd.DataFrame(
        {
            "paper_id": np.asarray(paper_ids, dtype=object)[rows_i],
            "topic_id": [slug_ids.get(slugs[j], -1) for j in cols_j],
            "confidence": proba[rows_i, cols_j].astype(float),
            "method": "named",
            "run_id": run_id,
        }
    )
    return frame[frame["topic_id"] >= 0].reset_index(drop=True)


def _texts(store: Store, ids: Sequence[str]) -> list[str]:
    df = store.papers(ids=ids, columns="paper_id, title, abstract")
    by_id = {r.paper_id: embed_text(r.title, r.abstract) for r in df.itertuples()}
    return [by_id[i] for i in ids]


def fit_topics(
    cfg: TopicsConfig, store: Store, *, model_id: str, run_id: str, as_of: date, embed_fn: EmbedFn
) -> dict[str, Any]:
    """Refit every topic model on the papers up to ``as_of`` and rewrite assignments."""
    meta, emb = store.embeddings(model_id, until=as_of)
    if len(meta) == 0:
        raise NotReadyError("no embedded papers yet: run `trends ingest` / `trends run` first")
    ids = meta["paper_id"].tolist()
    texts = _texts(store, ids)
    slug_ids = sync_named_topics(cfg, store, run_id, as_of)
    counts: dict[str, Any] = {"fit_papers": len(ids)}

    named_rows = pd.DataFrame(columns=["paper_id", "topic_id", "confidence", "method", "run_id"])
    covered = np.zeros(len(ids), dtype=bool)
    clf = None
    if cfg.named:
        clf = NamedTopicClassifier(cfg.named, threshold=cfg.named_threshold, seed=cfg.seed)
        labelled, lab_emb = None, None
        if cfg.named_labels is not None:
            labelled = load_labelled(cfg.named_labels, [t.slug for t in cfg.named])
            lab_emb = labelled_vectors(
                store, labelled, model_id, embed_fn, cfg.named_labels_vectors, counts
            )
        clf.fit(texts, emb, embed_fn, ids=ids, labelled=labelled, labelled_embeddings=lab_emb)
        counts["named_stacked"] = int(clf.stacked_.sum())
        named_rows = _named_frame(clf, slug_ids, ids, texts, emb, cfg.named_threshold, run_id)
        covered = np.isin(np.asarray(ids, dtype=object), named_rows["paper_id"].to_numpy())
    counts["named_assignments"] = len(named_rows)

    rest = np.flatnonzero(~covered)
    disc = TopicDiscoverer(cfg.discovery, seed=cfg.seed).fit([texts[i] for i in rest], emb[rest])
    dates = pd.to_datetime(meta["date"]).to_numpy()
    births = [early_date(dates[rest[c.members]]) for c in disc.clusters_]
    reg = store.topics()
    disc_reg = reg[reg["kind"] == "discovered"] if len(reg) else reg
    reg_ids, reg_cent, _ = store.topic_centroids("discovered", active_only=False)
    disc_reg = (
        disc_reg.set_index("topic_id").loc[reg_ids].reset_index()
        if len(reg_ids)
        else disc_reg.iloc[0:0]
    )
    rec = reconcile(
        disc_reg,
        reg_cent,
        disc.clusters_,
        birth_dates=births,
        match_threshold=cfg.discovery.match_threshold,
        next_id=store.next_topic_id(),
        run_id=run_id,
        as_of=as_of,
        model_id=model_id,
    )
    labels = disc.labels_
    in_topic = labels >= 0
    disc_rows = pd.DataFrame(
        {
            "paper_id": np.asarray(ids, dtype=object)[rest[in_topic]],
            "topic_id": np.asarray(rec.cluster_topic_ids, dtype=np.int64)[labels[in_topic]],
            "confidence": np.clip(disc.similarity_[in_topic], 0, 1),
            "method": "discovered",
            "run_id": run_id,
        }
    )
    nov_idx = rest[~in_topic]
    nearest_ids = np.asarray(rec.cluster_topic_ids, dtype=np.int64)[disc.nearest_[~in_topic]]
    novelty = pd.DataFrame(
        {
            "paper_id": np.asarray(ids, dtype=object)[nov_idx],
            "nearest_topic_id": nearest_ids,
            "similarity": disc.similarity_[~in_topic],
            "date": meta["date"].to_numpy()[nov_idx],
            "run_id": run_id,
        }
    )
    sizes = pd.concat([named_rows, disc_rows])["topic_id"].value_counts()
    with store.transaction():
        store.replace_topics(
            rec.topics.assign(size=[int(sizes.get(t, 0)) for t in rec.topics["topic_id"]]),
            rec.centroids,
        )
        _update_named_sizes(store, slug_ids, sizes, dates, ids, named_rows)
        store.add_topic_events(rec.events)
        store.exec("DELETE FROM assignments")  # a refit re-derives every assignment
        store.write_assignments(pd.concat([named_rows, disc_rows], ignore_index=True))
        store.set_novelty(novelty, clear=True)
        if clf is not None:
            store.save_model(NAMED_MODEL, model_id, clf.to_state(), run_id)
    counts.update(
        discovered_topics=len(disc.clusters_),
        discovered_assignments=len(disc_rows),
        novelty_pool=len(novelty),
        # novelty share of all papers (a paper with a named topic is not an outlier) ...
        outlier_share=round(len(novelty) / max(1, len(ids)), 4),
        # ... and of the papers discovery clustered (no named topic), like HDBSCAN's share
        discovery_outlier_share=round(disc.outlier_share_, 4),
        hdbscan_outlier_share=round(disc.hdbscan_outlier_share_, 4),
        events=rec.events["event"].value_counts().to_dict() if len(rec.events) else {},
    )
    return counts


def early_date(dates: np.ndarray, q: float = 0.05) -> date | None:
    """A topic's birth: the ``q`` quantile of its members' dates (robust to a stray early one)."""
    if len(dates) == 0:
        return None
    days = np.sort(np.asarray(dates).astype("datetime64[D]"))
    return days[int(q * (len(days) - 1))].astype(object)  # type: ignore[no-any-return]


def _update_named_sizes(
    store: Store,
    slug_ids: dict[str, int],
    sizes: pd.Series,
    dates: np.ndarray,
    ids: Sequence[str],
    named_rows: pd.DataFrame,
) -> None:
    """Refresh named topics' sizes, and set a birth date the first time they have members."""
    reg = store.topics()
    named = reg[reg["kind"] == "named"]
    if named.empty:
        return
    first = pd.Series(dates, index=list(ids))
    rows = []
    for r in named.to_dict(orient="records"):
        members = named_rows.loc[named_rows["topic_id"] == r["topic_id"], "paper_id"]
        r["size"] = int(sizes.get(r["topic_id"], 0))
        if len(members) and pd.isna(r["birth_date"]):
            r["birth_date"] = early_date(first.loc[members].to_numpy())
        rows.append(r)
    store.replace_topics(pd.DataFrame(rows), [None] * len(rows))


def assign_papers(
    cfg: TopicsConfig, store: Store, *, model_id: str, run_id: str, paper_ids: Sequence[str]
) -> dict[str, Any]:
    """Assign papers to existing topics without refitting (the daily path)."""
    if not len(paper_ids):
        return {"assigned_named": 0, "assigned_discovered": 0, "to_novelty": 0}
    meta, emb = store.embeddings(model_id, ids=paper_ids)
    ids = meta["paper_id"].tolist()
    if len(ids) < len(set(paper_ids)):
        raise NotReadyError(
            f"{len(set(paper_ids)) - len(ids)} papers have no embedding yet; "
            "run the embed step first"
        )
    texts = _texts(store, ids)
    slug_ids = sync_named_topics(cfg, store, run_id, max(meta["date"]))
    clf = _load_classifier(store, model_id)
    if clf is None and cfg.named:
        raise NotReadyError(
            "no fitted named-topic model for this embedding model: "
            "run `trends refit` (or `trends backfill`) first"
        )
    named_rows = (
        _named_frame(clf, slug_ids, ids, texts, emb, cfg.named_threshold, run_id)
        if clf is not None
        else pd.DataFrame(columns=["paper_id", "topic_id", "confidence", "method", "run_id"])
    )
    rest = ~np.isin(np.asarray(ids, dtype=object), named_rows["paper_id"].to_numpy())
    topic_ids, cents, bars = store.topic_centroids("discovered")
    if len(topic_ids) == 0:
        raise NotReadyError("no discovered topics yet: run `trends refit` first")
    bars = np.maximum(bars, cfg.discovery.assign_threshold)
    chosen, sim, nearest = assign_nearest(normalize_rows(emb[rest]), topic_ids, cents, bars)
    rest_ids = np.asarray(ids, dtype=object)[rest]
    ok = chosen >= 0
    disc_rows = pd.DataFrame(
        {
            "paper_id": rest_ids[ok],
            "topic_id": chosen[ok],
            "confidence": np.clip(sim[ok], 0, 1),
            "method": "nearest",
            "run_id": run_id,
        }
    )
    novelty = pd.DataFrame(
        {
            "paper_id": rest_ids[~ok],
            "nearest_topic_id": nearest[~ok],
            "similarity": sim[~ok],
            "date": meta["date"].to_numpy()[rest][~ok],
            "run_id": run_id,
        }
    )
    with store.transaction():
        for kind in ("named", "discovered"):
            store.exec(
                "DELETE FROM assignments WHERE paper_id IN (SELECT unnest(?::VARCHAR[])) AND "
                "topic_id IN (SELECT topic_id FROM topics WHERE kind = ?)",
                [list(ids), kind],
            )
        store.write_assignments(pd.concat([named_rows, disc_rows], ignore_index=True))
        store.set_novelty(novelty, paper_ids=ids)
    return {
        "assigned_named": len(named_rows),
        "assigned_discovered": len(disc_rows),
        "to_novelty": len(novelty),
    }


def refit_due(cfg: TopicsConfig, store: Store, as_of: date, model_id: str) -> str | None:
    """Why a refit is due as of ``as_of`` (None when it is not)."""
    last = store.last_run("refit")
    fits = store.con.execute(
        "SELECT max(date_to) FROM runs WHERE status = 'success' AND "
        "(counts->>'discovered_topics') IS NOT NULL"
    ).fetchall()
    last_fit = fits[0][0] if fits else None
    if last_fit is None and last is None:
        return "no topic model yet"
    if cfg.named and _load_classifier(store, model_id) is None:
        return "no usable named-topic model for this embedding model"
    if last_fit is not None and as_of - last_fit >= timedelta(days=cfg.refit.every_days):
        return f"last refit {last_fit} is {cfg.refit.every_days}+ days old"
    # only papers that joined the pool since the last fit count: the fit's own outliers were
    # already seen by that fit and would trigger a refit every day
    nov = store.novelty()
    pool = (
        int((pd.to_datetime(nov["date"]) > pd.Timestamp(last_fit)).sum()) if last_fit else len(nov)
    )
    if pool >= cfg.refit.min_novel:
        return (
            f"{pool} new papers in the novelty pool since the last fit (>= {cfg.refit.min_novel})"
        )
    return None


def labelled_vectors(
    store: Store,
    labelled: LabelledPapers,
    model_id: str,
    embed_fn: EmbedFn,
    vectors_file: Path | None,
    counts: dict[str, Any],
) -> np.ndarray:
    """The labelled papers' vectors under ``model_id``: cache, then ``vectors_file``, then embed.

    What is imported or embedded goes into the store's embedding cache, so only the first fit
    (or a changed label file or model) pays for it. ``counts`` gets how many came from where.
    """
    vecs, imported, embedded = vectors_for(
        store, labelled.ids, labelled.shas, labelled.texts, model_id, embed_fn, vectors_file
    )
    counts["labelled_papers"] = len(labelled)
    counts["labelled_imported"], counts["labelled_embedded"] = imported, embedded
    return vecs
