"""Labelled papers for the named topics: the file loader and the stacked regression.

Synthetic world of ``test_named_topics``, plus *decoys*: papers that say "alpha widget" and lie
between the alpha axis and an axis of their own, but are not alpha papers. The taxonomy alone
(keywords) takes them for alpha; a few labelled decoys teach the stacked regression otherwise.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_named_topics import DIM, TOPICS, fake_embed, make_corpus
from trends.errors import ConfigError
from trends.topics.named import NamedTopicClassifier
from trends.topics.supervision import UNLABELLED, LabelledPapers, knn_votes, load_labelled

SLUGS = ["alpha", "beta"]


def decoys(n: int, seed: int) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    texts = [
        f"Alpha widget decoy {seed}-{i}. An alpha widget parser, version {i}." for i in range(n)
    ]
    emb = np.eye(DIM)[0] * 0.9 + np.eye(DIM)[3] * 1.2 + 0.15 * rng.standard_normal((n, DIM))
    return texts, emb.astype(np.float32)


def labelled_set(seed: int = 5) -> tuple[LabelledPapers, np.ndarray]:
    """30 decoys (not alpha), 40 alpha, 30 beta, 40 unrelated papers, all judged."""
    texts, emb, y, _ = make_corpus(seed)
    pick = np.r_[0:40, 60:90, 145:185]
    d_texts, d_emb = decoys(30, seed)
    all_texts = [texts[i] for i in pick] + d_texts
    vecs = np.vstack([emb[pick], d_emb])
    labels = np.vstack([y[pick].astype(np.int8), np.zeros((30, 2), dtype=np.int8)])
    ids = [f"L{i}" for i in range(len(all_texts))]
    return LabelledPapers(ids, all_texts, ["sha"] * len(ids), SLUGS, labels), vecs


def world() -> tuple[list[str], np.ndarray, np.ndarray]:
    texts, emb, y, _ = make_corpus(0)
    d_texts, d_emb = decoys(60, 0)
    return texts + d_texts, np.vstack([emb, d_emb]), np.vstack([y, np.zeros((60, 2), bool)])


def f1(y: np.ndarray, p: np.ndarray) -> float:
    return float(2 * (y & p).sum() / max(1, y.sum() + p.sum()))


@pytest.fixture(scope="module")
def fits() -> tuple[NamedTopicClassifier, NamedTopicClassifier]:
    texts, emb, _ = world()
    lab, vecs = labelled_set()
    weak = NamedTopicClassifier(TOPICS, 0.5, 7).fit(texts, emb, fake_embed)
    stacked = NamedTopicClassifier(TOPICS, 0.5, 7).fit(
        texts, emb, fake_embed, labelled=lab, labelled_embeddings=vecs
    )
    return weak, stacked


def test_labels_correct_what_the_taxonomy_gets_wrong(fits) -> None:
    weak, stacked = fits
    texts, emb, y = world()
    d = slice(len(texts) - 60, None)  # the decoys: unseen by the stacked regression
    assert weak.predict(texts[d], emb[d])[:, 0].mean() > 0.5  # the taxonomy is fooled
    assert stacked.predict(texts[d], emb[d])[:, 0].mean() < 0.1
    p_weak, p_stacked = weak.predict(texts, emb), stacked.predict(texts, emb)
    assert f1(y[:, 0], p_stacked[:, 0]) > f1(y[:, 0], p_weak[:, 0]) + 0.1
    assert f1(y[:, 1], p_stacked[:, 1]) >= 0.9  # beta stays right
    assert stacked.stacked_.tolist() == [True, True]
    assert stacked.n_labelled_.tolist() == [[40, 100], [30, 110]]
    assert not weak.stacked_.any()


def test_negative_keyword_still_vetoes_a_stacked_topic(fits) -> None:
    _, stacked = fits
    texts, emb, y = world()
    alpha = np.flatnonzero(y[:, 0] & ~y[:, 1])[:10]
    vetoed = [texts[i] + " This paper is not about alpha." for i in alpha]
    assert stacked.predict_proba([texts[i] for i in alpha], emb[alpha])[:, 0].min() > 0.5
    p = stacked.predict_proba(vetoed, emb[alpha])[:, 0]
    assert p.max() <= 1 / (1 + np.exp(stacked.negative_weight)) + 1e-12


def test_state_round_trip_keeps_the_stack(fits) -> None:
    _, stacked = fits
    texts, emb, _ = world()
    state = json.loads(json.dumps(stacked.to_state()))
    again = NamedTopicClassifier.from_state(state)
    np.testing.assert_allclose(
        again.decision_function(texts, emb), stacked.decision_function(texts, emb), atol=1e-9
    )
    assert again.label_c == stacked.label_c and again.stacked_.tolist() == [True, True]
    # the neighbour vote's reference travels with the state, bit for bit
    assert again.ref_x_.dtype == np.float16 and again.ref_x_.shape == (140, DIM)
    np.testing.assert_array_equal(again.ref_x_, stacked.ref_x_)
    np.testing.assert_array_equal(again.ref_y_, stacked.ref_y_)


def test_too_few_labels_keeps_the_weak_score(fits, caplog) -> None:
    weak, _ = fits
    texts, emb, _ = world()
    lab, vecs = labelled_set()
    few = LabelledPapers(lab.ids, lab.texts, lab.shas, ["beta"], lab.y[:, 1:])  # alpha absent
    clf = NamedTopicClassifier(TOPICS, 0.5, 7, min_labels=31).fit(
        texts, emb, fake_embed, labelled=few, labelled_embeddings=vecs
    )
    assert clf.stacked_.tolist() == [False, False]  # alpha: no column; beta: 30 members < 31
    assert "fewer than min_labels=31" in caplog.text
    np.testing.assert_allclose(
        clf.decision_function(texts, emb), weak.decision_function(texts, emb), atol=1e-9
    )


def test_labelled_needs_vectors_and_valid_params() -> None:
    texts, emb, _ = world()
    lab, _ = labelled_set()
    with pytest.raises(ValueError, match="labelled_embeddings"):
        NamedTopicClassifier(TOPICS, 0.5, 7).fit(texts, emb, fake_embed, labelled=lab)
    with pytest.raises(ValueError, match="label_c"):
        NamedTopicClassifier(TOPICS, 0.5, 7, label_c=0).fit(texts, emb, fake_embed)
    with pytest.raises(ValueError, match="knn_temperature"):
        NamedTopicClassifier(TOPICS, 0.5, 7, knn_temperature=0).fit(texts, emb, fake_embed)


def naive_votes(x, ref, ref_y, k, temperature, exclude_self):
    out = np.zeros((len(x), ref_y.shape[1]))
    for i in range(len(x)):
        for j in range(ref_y.shape[1]):
            rows = [r for r in range(len(ref)) if ref_y[r, j] != UNLABELLED]
            if exclude_self:
                rows = [r for r in rows if r != i]
            if not rows:
                continue
            sims = sorted(((float(x[i] @ ref[r]), r) for r in rows), reverse=True)[:k]
            w = np.exp((np.array([s for s, _ in sims]) - sims[0][0]) / temperature)
            out[i, j] = float(w @ np.array([ref_y[r, j] == 1 for _, r in sims])) / w.sum()
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 30),
    st.integers(1, 12),
    st.floats(0.01, 1.0),
    st.booleans(),
    st.integers(1, 7),
    st.integers(0, 10_000),
)
def test_knn_votes_match_a_plain_loop(m, k, temperature, exclude_self, batch, seed) -> None:
    rng = np.random.default_rng(seed)
    ref = rng.standard_normal((m, 5))
    ref /= np.linalg.norm(ref, axis=1, keepdims=True)
    ref_y = rng.choice([UNLABELLED, 0, 1], size=(m, 3)).astype(np.int8)
    x = ref if exclude_self else rng.standard_normal((9, 5))
    got = knn_votes(
        x, ref, ref_y, k=k, temperature=temperature, exclude_self=exclude_self, batch=batch
    )
    want = naive_votes(x, ref, ref_y, k, temperature, exclude_self)
    np.testing.assert_allclose(got, want, atol=1e-9)
    assert ((got >= 0) & (got <= 1 + 1e-12)).all()


def test_knn_vote_is_leave_one_out_while_fitting() -> None:
    """A labelled paper must not vote for itself in the fit (or the vote would copy the label)."""
    ref = np.eye(4)
    y = np.array([[1], [0], [0], [0]], dtype=np.int8)
    own = knn_votes(ref, ref, y, k=1, temperature=0.05)
    out = knn_votes(ref, ref, y, k=1, temperature=0.05, exclude_self=True)
    assert own[:, 0].tolist() == [1.0, 0.0, 0.0, 0.0]
    assert out[0, 0] == 0.0  # its neighbours are all non-members


# ------------------------------------------------------------------ the file format
def write(path: Path, rows: list[object], gz: bool = False) -> Path:
    text = "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n"
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("gz", [False, True])
def test_load_labelled(tmp_path: Path, gz: bool) -> None:
    rows = [
        {"id": "a", "title": "T1", "abstract": "A1", "alpha": 1, "beta": 0, "note": "x"},
        {"id": "b", "title": "T2", "abstract": "A2", "alpha": None, "beta": True},
        {"id": "c", "title": "T3", "abstract": "A3"},
    ]
    p = write(tmp_path / ("l.jsonl.gz" if gz else "l.jsonl"), rows, gz)
    lab = load_labelled(p, SLUGS)
    assert lab.ids == ["a", "b", "c"] and lab.texts[0] == "T1. A1"
    assert lab.y.tolist() == [[1, 0], [UNLABELLED, 1], [UNLABELLED, UNLABELLED]]
    assert len(set(lab.shas)) == 3


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 2: not valid JSON"),
        ('["a list"]', "line 2: expected a JSON object"),
        ('{"id": "b", "abstract": "A"}', "line 2: 'title' must be a non-empty string"),
        ('{"id": "a", "title": "T", "abstract": "A"}', "line 2: paper a appears twice"),
        ('{"id": "b", "title": "T", "abstract": "A", "alpha": 2}', "label 'alpha' must be 0, 1"),
        ('{"id": "b", "title": "T", "abstract": "A", "beta": 0.5}', "label 'beta' must be 0, 1"),
    ],
)
def test_load_labelled_names_the_bad_line(tmp_path: Path, line: str, message: str) -> None:
    p = write(tmp_path / "l.jsonl", [{"id": "a", "title": "T", "abstract": "A"}, line])
    with pytest.raises(ConfigError, match=r"topics\.named_labels") as err:
        load_labelled(p, SLUGS)
    assert message in str(err.value)


def test_unknown_label_column_is_reported(tmp_path: Path, caplog) -> None:
    rows = [{"id": "a", "title": "T", "abstract": "A", "alpah": 1, "note": "typo in the slug"}]
    lab = load_labelled(write(tmp_path / "l.jsonl", rows), SLUGS)
    assert lab.y.tolist() == [[UNLABELLED, UNLABELLED]]
    assert "['alpah'] match no named topic" in caplog.text


def test_load_labelled_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_labelled(tmp_path / "nope.jsonl", SLUGS)


# ------------------------------------------------------------------ vectors: cache, file, embed
def test_labelled_vectors_cache_then_file_then_embed(tmp_path: Path) -> None:
    from tests.synth import BagOfWordsEmbedder
    from trends.store import Store
    from trends.topics.fitting import labelled_vectors

    rows = [
        {"id": f"L{i}", "title": f"T{i}", "abstract": f"alpha {i}", "alpha": i % 2}
        for i in range(6)
    ]
    lab = load_labelled(write(tmp_path / "l.jsonl", rows), SLUGS)
    emb = BagOfWordsEmbedder(dim=8)
    expected = emb.encode(lab.texts)
    snap = tmp_path / "v.npz"  # vectors for the first four papers only
    np.savez(
        snap,
        ids=np.array(lab.ids[:4]),
        text_sha256=np.array(lab.shas[:4]),
        embeddings=expected[:4].astype(np.float16),
        model_id=np.array("test/bow-64"),
    )
    with Store(tmp_path / "s.duckdb") as store:
        counts: dict = {}
        vecs = labelled_vectors(store, lab, "test/bow-64", emb.encode, snap, counts)
        assert counts == {"labelled_papers": 6, "labelled_imported": 4, "labelled_embedded": 2}
        np.testing.assert_allclose(vecs, expected, rtol=1e-2, atol=1e-2)  # float16 file
        seen = emb.texts_seen
        again = labelled_vectors(store, lab, "test/bow-64", emb.encode, snap, counts)
        assert counts["labelled_embedded"] == counts["labelled_imported"] == 0
        assert emb.texts_seen == seen
        np.testing.assert_array_equal(again, vecs)
        # a vectors file from another model is not used: everything is embedded
        counts = {}
        labelled_vectors(store, lab, "other-model", emb.encode, snap, counts)
        assert counts["labelled_imported"] == 0 and counts["labelled_embedded"] == 6
        # nor is one that does not say which model made it
        bare = tmp_path / "bare.npz"
        np.savez(bare, ids=np.array(lab.ids), text_sha256=np.array(lab.shas), embeddings=expected)
        counts = {}
        labelled_vectors(store, lab, "third-model", emb.encode, bare, counts)
        assert counts["labelled_imported"] == 0 and counts["labelled_embedded"] == 6
