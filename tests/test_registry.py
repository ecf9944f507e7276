from datetime import date

import numpy as np
import pandas as pd

from trends.embed import normalize_rows
from trends.topics.discovery import Cluster, make_labels
from trends.topics.memberships import assign_nearest
from trends.topics.registry import reconcile

D = date(2025, 3, 1)


def clusters(vectors, sizes=None):
    vs = normalize_rows(np.asarray(vectors, dtype=np.float32))
    sizes = sizes or [10] * len(vs)
    return [
        Cluster(members=np.arange(n), centroid=v, terms=[f"t{i}"], label=f"t{i}")
        for i, (v, n) in enumerate(zip(vs, sizes, strict=True))
    ]


def registry(ids, status=None):
    return pd.DataFrame(
        {
            "topic_id": ids,
            "kind": "discovered",
            "label": [f"old{i}" for i in ids],
            "status": status or ["active"] * len(ids),
            "birth_date": [date(2024, 1, 1)] * len(ids),
        }
    )


def run(reg, reg_c, cls, next_id=100):
    return reconcile(
        reg,
        normalize_rows(np.asarray(reg_c, np.float32)) if len(reg) else np.zeros((0, 3), np.float32),
        cls,
        birth_dates=[None] * len(cls),
        match_threshold=0.8,
        next_id=next_id,
        run_id="r",
        as_of=D,
        model_id="m",
    )


def test_first_fit_all_born_with_fresh_ids():
    rec = run(registry([]).iloc[0:0], [], clusters(np.eye(3)), next_id=5)
    assert rec.cluster_topic_ids == [5, 6, 7]
    assert set(rec.events["event"]) == {"born"}


def test_refit_on_same_clusters_keeps_ids_in_any_order():
    e = np.eye(3)
    rec = run(registry([7, 8, 9]), e, clusters(e[[2, 0, 1]]))
    assert rec.cluster_topic_ids == [9, 7, 8]
    assert set(rec.events["event"]) == {"matched"}
    assert (rec.topics["birth_date"] == date(2024, 1, 1)).all()


def test_split_merge_dormant_born():
    old = np.array([[1, 0, 0], [0, 1, 0], [0.9, 0.44, 0], [0, 0, 1]], np.float32)
    new = np.array([[1, 0.05, 0], [0.85, -0.5, 0], [0, 0.2, -1]], np.float32)
    rec = run(registry([1, 2, 3, 4]), old, clusters(new))
    ev = rec.events.set_index("topic_id")["event"].to_dict()
    assert ev[1] == "matched"
    assert rec.cluster_topic_ids[0] == 1
    assert ev[rec.cluster_topic_ids[1]] == "split"
    assert ev[rec.cluster_topic_ids[2]] == "born"
    assert ev[2] == "dormant" and ev[4] == "dormant"
    assert ev[3] == "merged"
    merged = rec.events[rec.events["event"] == "merged"].iloc[0]
    assert merged["other_topic_id"] == 1
    split = rec.events[rec.events["event"] == "split"].iloc[0]
    assert split["other_topic_id"] == 1
    status = rec.topics.set_index("topic_id")["status"].to_dict()
    assert status[2] == "dormant" and status[3] == "merged"


def test_dormant_topic_revives():
    e = np.eye(2)
    rec = run(registry([1, 2], status=["active", "dormant"]), e, clusters(e))
    ev = rec.events.set_index("topic_id")["event"].to_dict()
    assert ev == {1: "matched", 2: "revived"}


def test_assign_nearest_threshold():
    cents = normalize_rows(np.eye(3, dtype=np.float32))
    x = normalize_rows(np.array([[1, 0.1, 0], [0.5, 0.5, 0.5]], np.float32))
    chosen, sim, nearest = assign_nearest(x, np.array([10, 11, 12]), cents, 0.7)
    assert chosen.tolist() == [10, -1]
    assert nearest[1] in (10, 11, 12)
    assert sim[0] > 0.99


def test_make_labels_unique_and_clean():
    labels = make_labels(
        [
            ["agents", "agent", "web", "browsing"],
            ["agents", "web", "tools"],
            ["agents", "web", "tools"],
        ]
    )
    assert len(set(labels)) == 3
    assert "agent ·" not in labels[0]
    assert labels[0].startswith("agents · web")


def test_assign_nearest_per_topic_bars():
    cents = normalize_rows(np.eye(2, dtype=np.float32))
    x = normalize_rows(np.array([[1, 0.5], [0.5, 1]], np.float32))  # cos 0.894 to its nearest
    chosen, _, nearest = assign_nearest(x, np.array([1, 2]), cents, np.array([0.95, 0.5]))
    assert chosen.tolist() == [-1, 2]
    assert nearest.tolist() == [1, 2]
