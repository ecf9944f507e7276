from datetime import date

import numpy as np
import pandas as pd
import pytest

from trends.errors import StoreError
from trends.records import Paper, Rejected
from trends.store import Store


def paper(i: int, day: date = date(2025, 1, 2), upvotes: int | None = 3, title: str = "T") -> Paper:
    return Paper(
        id=f"2501.{i:05d}",
        title=f"{title} {i}",
        abstract="A" * 250,
        date=day,
        upvotes=upvotes,
        authors=("Ann", "Bo"),
        source="test",
    )


def test_upsert_is_idempotent_and_keeps_max_upvotes(tmp_path):
    with Store(tmp_path / "s.duckdb") as s:
        assert s.upsert_papers([paper(1), paper(2)], "r1") == {
            "new": 2,
            "updated": 0,
            "unchanged": 0,
        }
        assert s.upsert_papers([paper(1), paper(2)], "r2") == {
            "new": 0,
            "updated": 0,
            "unchanged": 2,
        }
        assert s.upsert_papers([paper(1, upvotes=1)], "r3")["updated"] == 0
        assert s.upsert_papers([paper(1, upvotes=9)], "r4")["updated"] == 1
        df = s.papers()
        assert df.set_index("paper_id").loc["2501.00001", "upvotes"] == 9
        assert df.set_index("paper_id").loc["2501.00001", "first_run"] == "r1"
        assert list(df.iloc[0]["authors"]) == ["Ann", "Bo"]


def test_rejected_rows_kept_once(tmp_path):
    rows = [
        Rejected("local:x", "x.jsonl:3", "missing title", "{}"),
        Rejected("local:x", "x.jsonl:4", "broken JSON: ...", "{"),
    ]
    with Store(tmp_path / "s.duckdb") as s:
        assert s.add_rejected(rows, "r1") == 2
        assert s.add_rejected(rows, "r2") == 0
        assert set(s.rejected()["reason"]) == {"missing title", "broken JSON: ..."}


def test_embedding_cache_roundtrip_and_missing(tmp_path):
    rng = np.random.default_rng(0)
    with Store(tmp_path / "s.duckdb") as s:
        s.upsert_papers([paper(i) for i in range(5)], "r1")
        miss = s.missing_embeddings("m")
        assert len(miss) == 5
        vecs = rng.normal(size=(3, 8)).astype(np.float32)
        assert (
            s.put_embeddings(miss.paper_id[:3].tolist(), miss.text_sha256[:3].tolist(), "m", vecs)
            == 3
        )
        assert (
            s.put_embeddings(miss.paper_id[:3].tolist(), miss.text_sha256[:3].tolist(), "m", vecs)
            == 0
        )
        assert len(s.missing_embeddings("m")) == 2
        assert len(s.missing_embeddings("other-model")) == 5
        meta, mat = s.embeddings("m")
        np.testing.assert_array_equal(mat, vecs)
        assert meta.paper_id.tolist() == miss.paper_id[:3].tolist()
        # a changed text is a cache miss again
        s.upsert_papers([paper(0, title="New title")], "r2")
        assert "2501.00000" in s.missing_embeddings("m").paper_id.tolist()


def test_cached_vectors_by_key_for_papers_outside_the_store(tmp_path):
    vecs = np.arange(12, dtype=np.float32).reshape(3, 4)
    with Store(tmp_path / "s.duckdb") as s:
        found, mat = s.cached_vectors(["x", "y"], ["h1", "h2"], "m")
        assert found.tolist() == [False, False] and mat.shape[0] == 2
        s.put_embeddings(["x", "y", "z"], ["h1", "h2", "h3"], "m", vecs)
        found, mat = s.cached_vectors(["z", "q", "x", "y"], ["h3", "h1", "h1", "other"], "m")
        assert found.tolist() == [True, False, True, False]
        np.testing.assert_array_equal(mat[[0, 2]], vecs[[2, 0]])
        assert not mat[[1, 3]].any()
        assert not s.cached_vectors(["x"], ["h1"], "other-model")[0].any()
        assert len(s.papers()) == 0  # vectors only: no paper rows
        with pytest.raises(ValueError, match="unique"):
            s.cached_vectors(["x", "x"], ["h1", "h1"], "m")


def test_transaction_rolls_back(tmp_path):
    with Store(tmp_path / "s.duckdb") as s:
        with pytest.raises(RuntimeError), s.transaction():
            s.upsert_papers([paper(1)], "r1")
            raise RuntimeError("crash")
        assert s.counts()["papers"] == 0


def test_read_only_missing_store_and_schema_check(tmp_path):
    with pytest.raises(StoreError, match="no store"):
        Store(tmp_path / "none.duckdb", read_only=True)
    with Store(tmp_path / "s.duckdb") as s:
        s.con.execute("UPDATE meta SET value = '0'")
    with pytest.raises(StoreError, match="schema"):
        Store(tmp_path / "s.duckdb")


def test_topics_and_assignments(tmp_path):
    with Store(tmp_path / "s.duckdb") as s:
        s.upsert_papers([paper(1), paper(2)], "r1")
        s.replace_topics(
            pd.DataFrame(
                [
                    {
                        "topic_id": 1,
                        "kind": "discovered",
                        "label": "a · b",
                        "status": "active",
                        "size": 2,
                    }
                ]
            ),
            [np.ones(4, np.float32)],
        )
        ids, cents, bars = s.topic_centroids()
        assert ids.tolist() == [1] and cents.shape == (1, 4) and bars.tolist() == [0.0]
        s.write_assignments(
            pd.DataFrame(
                {
                    "paper_id": ["2501.00001", "2501.00002"],
                    "topic_id": [1, 1],
                    "confidence": [0.9, 0.6],
                    "method": "nearest",
                    "run_id": "r1",
                }
            )
        )
        a = s.assignments()
        assert a["label"].tolist() == ["a · b", "a · b"]
        assert a["confidence"].tolist() == [0.9, 0.6]
