"""NamedTopicClassifier on small seeded synthetic data (fast), plus one real-data check (slow).

Synthetic world: 64-d embeddings; topic "alpha" lives along axis 0, "beta" along axis 1, the
rest of the corpus is isotropic noise. Texts of topic papers mostly carry the topic's keyword;
some papers belong to both. A fake ``embed_fn`` maps a text to the axes of the topic words it
mentions, as a real model would put a description near its papers.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from pathlib import Path

import numpy as np
import pytest

from trends.config import NamedTopicConfig
from trends.topics.keywords import KeywordSet, keyword_evidence, split_title
from trends.topics.named import NamedTopicClassifier
from trends.topics.supervision import load_labelled

DIM = 64
DATA = Path(__file__).parents[1] / ".." / "shared" / "data"
REPO = Path(__file__).parents[1]

TOPICS = (
    NamedTopicConfig(
        slug="alpha",
        name="Alpha",
        description="alpha widgets and their training",
        seeds=("alpha widget methods",),
        keywords=(r"\balpha\b", r"widgets? && \balpha\b"),
        negative_keywords=(r"not about alpha",),
    ),
    NamedTopicConfig(
        slug="beta",
        name="Beta",
        description="beta gadgets",
        seeds=("beta gadget systems",),
        keywords=(r"\bbeta\b",),
    ),
)


def fake_embed(texts: list[str]) -> np.ndarray:
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for i, t in enumerate(texts):
        low = t.lower()
        out[i, 0] = 1.0 if "alpha" in low else 0.0
        out[i, 1] = 1.0 if "beta" in low else 0.0
        if not out[i].any():
            out[i, 2] = 1.0
    return out


def make_corpus(seed: int = 0) -> tuple[list[str], np.ndarray, np.ndarray, list[str]]:
    """Texts, embeddings, true labels [n, 2] and ids."""
    rng = np.random.default_rng(seed)
    texts, vecs, labels = [], [], []

    def add(text: str, center: np.ndarray, label: tuple[int, int], noise: float = 0.15) -> None:
        texts.append(text)
        vecs.append(center + noise * rng.standard_normal(DIM))
        labels.append(label)

    a, b = np.eye(DIM)[0] * 1.5, np.eye(DIM)[1] * 1.5
    for i in range(60):
        kw = "alpha widget" if i % 4 else "this kind of device"  # a quarter without keyword
        add(f"Paper A{i}. We study {kw} number {i}.", a, (1, 0))
    for i in range(60):
        add(f"Paper B{i}. A beta gadget {i} is built.", b, (0, 1))
    for i in range(25):
        add(f"Paper AB{i}. Alpha widgets meet beta gadgets ({i}).", (a + b) / np.sqrt(2), (1, 1))
    for i in range(200):
        add(f"Paper N{i}. Something unrelated, topic {i}.", np.zeros(DIM), (0, 0), noise=0.3)
    ids = [f"p{i:04d}" for i in range(len(texts))]
    return texts, np.asarray(vecs, dtype=np.float32), np.asarray(labels, dtype=bool), ids


@pytest.fixture(scope="module")
def corpus() -> tuple[list[str], np.ndarray, np.ndarray, list[str]]:
    return make_corpus()


@pytest.fixture(scope="module")
def fitted(corpus) -> NamedTopicClassifier:
    texts, emb, _, _ = corpus
    return NamedTopicClassifier(TOPICS, threshold=0.5, seed=7).fit(texts, emb, fake_embed)


def test_constructor_only_stores_params() -> None:
    clf = NamedTopicClassifier([], threshold=2.0, seed=1)  # validation happens in fit
    assert clf.topics == [] and clf.threshold == 2.0 and clf.seed == 1
    assert not hasattr(clf, "slugs_")


def test_fit_returns_self_and_sets_learned_attributes(corpus) -> None:
    texts, emb, _, _ = corpus
    clf = NamedTopicClassifier(TOPICS, threshold=0.5, seed=7)
    assert clf.fit(texts, emb, fake_embed) is clf
    assert clf.slugs_ == ["alpha", "beta"]
    assert clf.coef_.shape == (2, DIM) and clf.intercept_.shape == (2,)
    assert clf.n_features_in_ == DIM and clf.n_fit_ == len(texts)
    assert (clf.n_pseudo_pos_ > 0).all() and (clf.n_pseudo_neg_ > 0).all()


def test_shapes_and_ranges(fitted, corpus) -> None:
    texts, emb, _, _ = corpus
    proba = fitted.predict_proba(texts, emb)
    assert proba.shape == (len(texts), 2)
    assert np.all((proba >= 0) & (proba <= 1))
    pred = fitted.predict(texts, emb)
    assert pred.dtype == bool and pred.shape == proba.shape
    assert np.array_equal(pred, proba >= fitted.threshold)
    assert fitted.predict_proba([], np.zeros((0, DIM))).shape == (0, 2)


def test_learns_the_planted_topics(fitted, corpus) -> None:
    texts, emb, y, _ = corpus
    pred = fitted.predict(texts, emb)
    for j in range(2):
        tp = (pred[:, j] & y[:, j]).sum()
        f1 = 2 * tp / (pred[:, j].sum() + y[:, j].sum())
        assert f1 > 0.9, (fitted.slugs_[j], f1)
    # papers without the keyword are found through their embedding
    no_kw = [i for i, t in enumerate(texts) if "this kind of device" in t]
    assert pred[no_kw, 0].mean() > 0.8


def test_multi_label(fitted, corpus) -> None:
    texts, emb, y, _ = corpus
    both = np.flatnonzero(y.all(axis=1))
    pred = fitted.predict([texts[i] for i in both], emb[both])
    assert pred.all(axis=1).mean() > 0.9


def test_negative_keyword_overrides(fitted, corpus) -> None:
    texts, emb, _, _ = corpus
    i = texts.index("Paper A1. We study alpha widget number 1.")
    base = fitted.predict_proba([texts[i]], emb[i : i + 1])[0, 0]
    neg_text = texts[i] + " This paper is not about alpha."
    negated = fitted.predict_proba([neg_text], emb[i : i + 1])[0, 0]
    assert base >= fitted.threshold
    assert negated < fitted.threshold and negated < base / 5


def test_deterministic(corpus) -> None:
    texts, emb, _, _ = corpus
    p1 = NamedTopicClassifier(TOPICS, 0.5, seed=3).fit(texts, emb, fake_embed)
    p2 = NamedTopicClassifier(TOPICS, 0.5, seed=3).fit(texts, emb, fake_embed)
    assert np.array_equal(p1.predict_proba(texts, emb), p2.predict_proba(texts, emb))


def test_state_round_trip(fitted, corpus) -> None:
    texts, emb, _, _ = corpus
    state = json.loads(json.dumps(fitted.to_state()))  # must be plain JSON
    calls: list[int] = []

    def no_embed(xs: list[str]) -> np.ndarray:
        calls.append(len(xs))
        raise AssertionError("predict after from_state must not embed")

    clone = NamedTopicClassifier.from_state(state)
    assert clone.slugs_ == fitted.slugs_ and clone.threshold == fitted.threshold
    assert np.array_equal(clone.predict_proba(texts, emb), fitted.predict_proba(texts, emb))
    assert np.array_equal(clone.predict(texts, emb), fitted.predict(texts, emb))
    assert not calls
    with pytest.raises(ValueError, match="state"):
        NamedTopicClassifier.from_state({"version": -1})


def test_examples_are_known_positives(corpus) -> None:
    texts, emb, _, ids = corpus
    # a background paper declared an example of beta is pulled towards beta
    target = texts.index("Paper N5. Something unrelated, topic 5.")
    topics = (TOPICS[0], TOPICS[1].model_copy(update={"examples": (ids[target],)}))
    plain = NamedTopicClassifier(TOPICS, 0.5, 7).fit(texts, emb, fake_embed)
    with_ex = NamedTopicClassifier(topics, 0.5, 7).fit(texts, emb, fake_embed, ids=ids)
    assert with_ex.n_examples_.tolist() == [0, 1]
    row = slice(target, target + 1)
    assert (
        with_ex.predict_proba([texts[target]], emb[row])[0, 1]
        > plain.predict_proba([texts[target]], emb[row])[0, 1]
    )


def test_counter_examples_are_known_negatives(corpus) -> None:
    texts, emb, _, ids = corpus
    # a clear member of alpha declared a counter-example of alpha is pushed out of it
    plain = NamedTopicClassifier(TOPICS, 0.5, 7).fit(texts, emb, fake_embed)
    conf = plain.predict_proba(texts, emb)[:, 0]
    target = int(np.argmax(conf))
    topics = (TOPICS[0].model_copy(update={"counter_examples": (ids[target],)}), TOPICS[1])
    with_cx = NamedTopicClassifier(topics, 0.5, 7).fit(texts, emb, fake_embed, ids=ids)
    assert with_cx.n_counter_examples_.tolist() == [1, 0]
    row = slice(target, target + 1)
    assert with_cx.predict_proba([texts[target]], emb[row])[0, 0] < conf[target]
    clone = NamedTopicClassifier.from_state(with_cx.to_state())
    assert clone.n_counter_examples_.tolist() == [1, 0]


def test_bad_config_and_inputs_raise(corpus) -> None:
    texts, emb, _, ids = corpus
    with pytest.raises(ValueError, match="topics"):
        NamedTopicClassifier([], 0.5, 0).fit(texts, emb, fake_embed)
    with pytest.raises(ValueError, match="threshold"):
        NamedTopicClassifier(TOPICS, 1.5, 0).fit(texts, emb, fake_embed)
    with pytest.raises(ValueError, match="texts and embeddings"):
        NamedTopicClassifier(TOPICS, 0.5, 0).fit(texts[:-1], emb, fake_embed)
    with pytest.raises(ValueError, match="embed_fn"):
        NamedTopicClassifier(TOPICS, 0.5, 0).fit(texts, emb, lambda xs: np.zeros((len(xs), 3)))
    with pytest.raises(ValueError, match="ids"):
        NamedTopicClassifier(TOPICS, 0.5, 0).fit(texts, emb, fake_embed, ids=ids[:3])
    bad_rx = TOPICS[1].model_copy(update={"keywords": ("(unclosed",)})
    with pytest.raises(ValueError, match=re.escape("topics[beta]")):
        NamedTopicClassifier([TOPICS[0], bad_rx], 0.5, 0).fit(texts, emb, fake_embed)
    with pytest.raises(RuntimeError, match="not fitted"):
        NamedTopicClassifier(TOPICS, 0.5, 0).predict_proba(texts, emb)


def test_wrong_dimension_at_predict(fitted) -> None:
    with pytest.raises(ValueError, match="dimension"):
        fitted.predict_proba(["x"], np.ones((1, DIM + 1)))


def test_keyword_evidence_conjunction_title_and_negative() -> None:
    ks = KeywordSet.compile([r"visual tokens? && prun|compress", r"\bMoE\b"], ["diffusion"])
    texts = [
        "Token Pruning. We prune visual tokens in MLLMs.",
        "Visual tokens. We study visual tokens only.",
        "A MoE model. Mixture of experts with a diffusion decoder.",
    ]
    ev = keyword_evidence(texts, [ks])
    assert ev.hits[:, 0].tolist() == [1, 0, 1]
    assert ev.title[:, 0].tolist() == [0, 0, 1]
    assert ev.negative[:, 0].tolist() == [0, 0, 1]
    assert split_title("A title. The abstract. More.") == "A title"


# ------------------------------------------------------------------------- real data (slow)
# Measured (bench/eval_named.py, 341-paper test split, config threshold): macro F1 over all
# seven topics 0.890 with the shipped judged papers and the neighbour vote (0.823 from the
# taxonomy alone); the floor sits between the two, so losing the judged papers' gain fails
REAL_MACRO_F1_FLOOR = 0.87


@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.skipif(not (DATA / "hf_daily.minilm.npz").is_file(), reason="needs ../shared/data")
def test_real_data_test_split_macro_f1() -> None:
    from trends.config import load_config
    from trends.embed import SentenceTransformerEmbedder

    cfg = load_config(REPO / "config.yaml")
    with gzip.open(DATA / "hf_daily.jsonl.gz", "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    snap = np.load(DATA / "hf_daily.minilm.npz")
    where = {pid: i for i, pid in enumerate(snap["ids"].tolist())}
    ids = [r["id"] for r in rows]
    texts = [f"{r['title']}. {r['abstract']}" for r in rows]
    emb = snap["embeddings"][[where[i] for i in ids]]
    embedder = SentenceTransformerEmbedder(cfg.embedding)
    assert cfg.topics.named_labels is not None
    labelled = load_labelled(cfg.topics.named_labels, [t.slug for t in cfg.topics.named])
    assert cfg.topics.named_labels_vectors is not None
    with np.load(cfg.topics.named_labels_vectors) as shipped:  # feed and arXiv papers
        at = {pid: k for k, pid in enumerate(shipped["ids"].tolist())}
        lab_emb = shipped["embeddings"][[at[i] for i in labelled.ids]].astype(np.float32)
    t0 = time.perf_counter()
    clf = NamedTopicClassifier(cfg.topics.named, cfg.topics.named_threshold, cfg.topics.seed)
    clf.fit(texts, emb, embedder.encode, ids=ids, labelled=labelled, labelled_embeddings=lab_emb)
    assert time.perf_counter() - t0 < 60
    assert clf.stacked_.all()

    labels = [
        json.loads(x) for x in (REPO / "bench/devset/labels.jsonl").read_text().split("\n") if x
    ]
    test = [r for r in labels if r["split"] == "test"]
    row = {pid: i for i, pid in enumerate(ids)}
    rows_ = [row[r["id"]] for r in test]
    y = np.array([[r[s] for s in clf.slugs_] for r in test], dtype=bool)
    t0 = time.perf_counter()
    pred = clf.predict([texts[i] for i in rows_[:50]], emb[rows_[:50]])
    assert time.perf_counter() - t0 < 1.0 and pred.shape == (50, len(clf.slugs_))
    pred = clf.predict([texts[i] for i in rows_], emb[rows_])
    f1 = [
        2 * (pred[:, j] & y[:, j]).sum() / max(1, pred[:, j].sum() + y[:, j].sum())
        for j in range(y.shape[1])
    ]
    assert float(np.mean(f1)) >= REAL_MACRO_F1_FLOOR, dict(zip(clf.slugs_, f1, strict=True))
