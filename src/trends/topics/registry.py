"""The topic registry: stable ids across refits, and each topic's lineage.

BERTopic renumbers its topics on every fit. Here a refit's clusters are matched to the registry's
discovered topics by the cosine similarity of their centroids (one-to-one, most similar pairs
first):

* ``matched`` — a cluster whose best one-to-one partner reaches ``match_threshold`` keeps that
  topic's id (label, centroid and size are refreshed);
* ``split``   — a cluster close to a topic that another cluster already took gets a new id with
  ``split_from`` pointing at the parent;
* ``born``    — any other cluster is a new topic; its birth date is recorded;
* ``merged``  — an old topic whose best partner cluster was taken by another old topic;
* ``dormant`` — an old topic with no partner; it keeps its centroid and can be matched again
  (``revived``) by a later refit.

:func:`reconcile` is pure: it takes the current registry frame and the new clusters and returns
the new registry rows, the events, and the topic id given to each cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from trends.topics.discovery import Cluster


@dataclass
class Reconciled:
    topics: pd.DataFrame  # registry rows to write (discovered topics only), without centroid
    centroids: list[np.ndarray]  # one per row of ``topics``
    events: pd.DataFrame  # run_id, date, topic_id, event, other_topic_id, similarity
    cluster_topic_ids: list[int]  # stable topic id for each cluster, in cluster order


def _greedy_pairs(sims: np.ndarray, threshold: float) -> dict[int, int]:
    """One-to-one pairs, most similar first, each at least ``threshold`` (ties by index).

    Greedy rather than a global optimum on purpose: a cluster that is nearly identical to a
    topic always keeps that topic's id, even when a global assignment would trade it away.
    """
    if sims.size == 0:
        return {}
    r, c = np.nonzero(sims >= threshold)
    order = np.lexsort((c, r, -sims[r, c]))
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for k in order:
        i, j = int(r[k]), int(c[k])
        if i not in pairs and j not in used:
            pairs[i] = j
            used.add(j)
    return pairs


def reconcile(
    registry: pd.DataFrame,
    registry_centroids: np.ndarray,
    clusters: list[Cluster],
    *,
    birth_dates: list[date | None],
    match_threshold: float,
    next_id: int,
    run_id: str,
    as_of: date,
    model_id: str,
) -> Reconciled:
    """Match ``clusters`` to the registry's discovered topics (rows of ``registry`` aligned with
    ``registry_centroids``) and return the updated registry and its lineage events."""
    old_ids = registry["topic_id"].astype(int).tolist() if len(registry) else []
    n_new, n_old = len(clusters), len(old_ids)
    new_c = np.stack([c.centroid for c in clusters]) if clusters else np.zeros((0, 0))
    sims = new_c @ registry_centroids.T if n_old and n_new else np.zeros((n_new, n_old))
    pairs = _greedy_pairs(sims, match_threshold)
    old_status = dict(zip(old_ids, registry["status"], strict=True)) if n_old else {}
    events: list[dict[str, object]] = []
    out_rows: list[dict[str, object]] = []
    centroids: list[np.ndarray] = []
    cluster_ids: list[int] = []
    taken = {c: r for r, c in pairs.items()}

    def ev(tid: int, event: str, other: int | None, sim: float | None) -> None:
        events.append(
            {
                "run_id": run_id,
                "date": as_of,
                "topic_id": tid,
                "event": event,
                "other_topic_id": other,
                "similarity": sim,
            }
        )

    for k, cl in enumerate(clusters):
        base = {
            "kind": "discovered",
            "slug": None,
            "label": cl.label,
            "name": cl.label,
            "description": None,
            "top_terms": list(cl.terms),
            "status": "active",
            "size": len(cl.members),
            "threshold": cl.threshold,
            "model_id": model_id,
            "last_run": run_id,
        }
        if k in pairs:
            j = pairs[k]
            tid = old_ids[j]
            prev = registry.iloc[j]
            revived = old_status.get(tid) != "active"
            ev(tid, "revived" if revived else "matched", None, float(sims[k, j]))
            out_rows.append({**base, "topic_id": tid, "birth_date": prev["birth_date"]})
        else:
            tid = next_id
            next_id += 1
            parent = None
            if n_old:
                j = int(sims[k].argmax())
                if sims[k, j] >= match_threshold and j in taken:
                    parent = old_ids[j]
            if parent is not None:
                ev(tid, "split", parent, float(sims[k].max()))
            else:
                ev(tid, "born", None, float(sims[k].max()) if n_old else None)
            out_rows.append({**base, "topic_id": tid, "birth_date": birth_dates[k] or as_of})
        centroids.append(cl.centroid)
        cluster_ids.append(tid)

    for j, tid in enumerate(old_ids):
        if j in taken:
            continue
        prev = registry.iloc[j].to_dict()
        k = int(sims[:, j].argmax()) if n_new else -1
        if k >= 0 and sims[k, j] >= match_threshold and k in pairs:
            status, event, other = "merged", "merged", cluster_ids[k]
        else:
            status, event, other = "dormant", "dormant", None
        if prev.get("status") == status:
            continue  # already so: nothing changes, no event
        ev(tid, event, other, float(sims[k, j]) if k >= 0 else None)
        prev.update(status=status, size=0, last_run=run_id)
        out_rows.append(prev)
        centroids.append(registry_centroids[j])

    topics = pd.DataFrame(out_rows)
    return Reconciled(
        topics=topics,
        centroids=centroids,
        events=pd.DataFrame(events),
        cluster_topic_ids=cluster_ids,
    )
