"""Named-topic assignment on the labelled dev set, next to BERTopic's zero-shot topic modelling.

What it does, in one run:

1. loads the 15,192 HF daily papers and their precomputed all-MiniLM-L6-v2 vectors
   (``hf_daily.jsonl.gz`` + ``hf_daily.minilm.npz``) and the dev set (``bench/devset``: 660
   papers, each labelled by two annotators with disagreements adjudicated, split
   ``tune``/``test`` by a hash of the id before any tuning);
2. fits :class:`trends.topics.named.NamedTopicClassifier` with the config's named topics on ALL
   15,192 papers (unlabelled, its production corpus; the model embeds only descriptions/seeds);
3. picks one confidence threshold on ``tune`` (max macro F1) and reports precision, recall, F1
   per topic and macro F1 (over the issue's four topics, and over all configured topics) on
   ``tune`` and on ``test`` (never tuned on), plus the config threshold
   and simple ablations (keywords only, prototype similarity only, classifier without keywords);
4. the peer: BERTopic with ``zeroshot_topic_list`` (one string per topic: the names, and
   separately the descriptions) and the same MiniLM model and vectors. BERTopic assigns a
   document to a zero-shot topic when the cosine between its embedding and the topic string's
   embedding is the row maximum and >= ``zeroshot_min_similarity`` (``_zeroshot_topic_modeling``
   in bertopic/_bertopic.py; single-label; UMAP/HDBSCAN only cluster the rest). That step does
   not depend on UMAP/HDBSCAN, so the threshold sweep (best on tune, reported on test) uses an
   exact reproduction of it; then the real BERTopic is fitted at the default 0.7 and at the
   best threshold (on all papers, or ``--bertopic-sample N`` = every dev paper + seeded
   others), the table reports the real BERTopic's assignments, and the report says how often
   they equal the reproduction.

Prints a markdown report and writes it to ``bench/results/eval_named.md``.

Usage: .venv/bin/python bench/eval_named.py [--data DIR] [--config config.yaml]
           [--bertopic-sample N] [--no-bertopic-fit] [--out bench/results/eval_named.md]
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from trends.config import load_config  # noqa: E402
from trends.embed import (  # noqa: E402
    DEFAULT_MODEL_ID,
    SentenceTransformerEmbedder,
    model_id_for,
    normalize_rows,
)
from trends.records import embed_text  # noqa: E402
from trends.topics.keywords import keyword_evidence  # noqa: E402
from trends.topics.named import NamedTopicClassifier  # noqa: E402
from trends.topics.supervision import LabelledPapers, load_labelled  # noqa: E402
from trends.vector_files import read_vectors  # noqa: E402

ISSUE_TOPICS = ("reasoning-rl", "moe", "code-llm", "mm-efficiency")
THRESHOLDS = np.round(np.arange(0.05, 0.951, 0.025), 3)
COSINES = np.round(np.arange(0.05, 0.951, 0.01), 3)


# ---------------------------------------------------------------------------- data
def load_corpus(data: Path) -> tuple[list[str], list[str], np.ndarray]:
    with gzip.open(data / "hf_daily.jsonl.gz", "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    snap = np.load(data / "hf_daily.minilm.npz")
    pos = {pid: i for i, pid in enumerate(snap["ids"].tolist())}
    missing = [r["id"] for r in rows if r["id"] not in pos]
    if missing:
        raise SystemExit(f"{len(missing)} papers have no vector in the snapshot, e.g. {missing[0]}")
    ids = [r["id"] for r in rows]
    texts = [embed_text(r["title"], r["abstract"]) for r in rows]
    emb = np.asarray(snap["embeddings"], dtype=np.float32)[[pos[i] for i in ids]]
    return ids, texts, emb


def load_labelled_vectors(
    path: Path | None, labelled: LabelledPapers, model_id: str = DEFAULT_MODEL_ID
) -> np.ndarray:
    """The judged papers' vectors from ``topics.named_labels_vectors``, keyed by id and text hash.

    The pipeline reads the same file (through the store's cache); its feed papers' rows are the
    corpus snapshot's vectors, its arXiv papers' rows were embedded by ``export_labels.py``.
    """
    if path is None:
        raise SystemExit("config.yaml sets topics.named_labels but no topics.named_labels_vectors")
    keys = list(zip(labelled.ids, labelled.shas, strict=True))
    hit, vecs = read_vectors(path, keys, model_id, require_model_id=True)
    if hit != keys:
        missing = sorted(set(keys) - set(hit))
        raise SystemExit(f"{len(missing)} judged papers have no vector in {path}: {missing[:1]}")
    return vecs


def load_devset(devset: Path, slugs: Sequence[str]) -> list[dict]:
    rows = [json.loads(x) for x in (devset / "labels.jsonl").read_text().splitlines() if x]
    for r in rows:
        absent = [s for s in slugs if s not in r]
        if absent:
            raise SystemExit(f"labels.jsonl has no column {absent[0]!r} (paper {r['id']})")
    return rows


# ---------------------------------------------------------------------------- metrics
def prf(y: np.ndarray, p: np.ndarray) -> tuple[float, float, float]:
    y, p = y.astype(bool), p.astype(bool)
    tp = float((y & p).sum())
    prec = tp / p.sum() if p.sum() else 0.0
    rec = tp / y.sum() if y.sum() else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1


def macro(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean([prf(y[:, j], p[:, j])[2] for j in range(y.shape[1])]))


def bootstrap_interval(
    y: np.ndarray, p: np.ndarray, n: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """90% percentile interval of macro F1 over papers resampled with replacement."""
    rng = np.random.default_rng(seed)
    vals = [macro(y[b], p[b]) for b in rng.integers(0, len(y), size=(n, len(y)))]
    return float(np.quantile(vals, 0.05)), float(np.quantile(vals, 0.95))


def tune_threshold(
    y: np.ndarray, predict: Callable[[float], np.ndarray], grid: np.ndarray, prefer: float
) -> float:
    """Grid value with the best macro F1 on ``y``; ties go to the one nearest ``prefer``."""
    scores = [
        (round(macro(y, predict(float(t))), 10), -abs(float(t) - prefer), float(t)) for t in grid
    ]
    return max(scores)[2]


# ---------------------------------------------------------------------------- BERTopic
def zeroshot_assign(doc_emb: np.ndarray, topic_emb: np.ndarray, min_sim: float) -> np.ndarray:
    """BERTopic's zero-shot step: argmax cosine if >= min_sim, else -1 (one label per doc)."""
    cos = normalize_rows(doc_emb) @ normalize_rows(topic_emb).T
    best = cos.argmax(axis=1)
    return np.where(cos.max(axis=1) >= min_sim, best, -1)


def one_hot(assign: np.ndarray, k: int) -> np.ndarray:
    out = np.zeros((len(assign), k), dtype=bool)
    hit = assign >= 0
    out[np.flatnonzero(hit), assign[hit]] = True
    return out


def fit_real_bertopic(
    texts: list[str],
    emb: np.ndarray,
    topic_strings: list[str],
    min_sim: float,
    st_model: object,
    seed: int,
) -> tuple[np.ndarray, float]:
    """Fit BERTopic zero-shot; return each doc's zero-shot topic index (-1: none) and seconds."""
    from bertopic import BERTopic
    from umap import UMAP

    umap_model = UMAP(
        n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed
    )
    model = BERTopic(
        embedding_model=st_model,
        zeroshot_topic_list=topic_strings,
        zeroshot_min_similarity=min_sim,
        umap_model=umap_model,
    )
    t0 = time.perf_counter()
    topics, _ = model.fit_transform(texts, emb)
    secs = time.perf_counter() - t0
    to_zs = model._topic_id_to_zeroshot_topic_idx  # BERTopic topic id -> index in the list
    return np.array([to_zs.get(t, -1) for t in topics]), secs


# ---------------------------------------------------------------------------- report
def core_columns(slugs: Sequence[str]) -> list[int]:
    """Columns of the four topics issue 3 names (its F1 target is on their macro F1)."""
    return [j for j, s in enumerate(slugs) if s in ISSUE_TOPICS]


def table(
    title: str, slugs: Sequence[str], rows: list[tuple[str, str, np.ndarray, np.ndarray]]
) -> list[str]:
    core = core_columns(slugs)
    extra = len(core) < len(slugs)
    head = (
        "| method | threshold | "
        + " | ".join(f"{s} P / R / F1" for s in slugs)
        + (
            f" | macro F1, issue's {len(core)} | macro F1, all {len(slugs)} |"
            if extra
            else " | macro F1 |"
        )
    )
    out = [f"### {title}", "", head, "|" + "---|" * (len(slugs) + 3 + extra)]
    for name, thr, y, p in rows:
        cells = []
        for j in range(len(slugs)):
            pr, rc, f1 = prf(y[:, j], p[:, j])
            cells.append(f"{pr:.2f} / {rc:.2f} / **{f1:.2f}**")
        tail = f" | **{macro(y[:, core], p[:, core]):.3f}**" if extra else ""
        out.append(
            f"| {name} | {thr} | " + " | ".join(cells) + tail + f" | **{macro(y, p):.3f}** |"
        )
    return [*out, ""]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--data",
        type=Path,
        default=REPO.parent / "shared" / "data",
        help="folder with hf_daily.jsonl.gz and hf_daily.minilm.npz",
    )
    ap.add_argument("--devset", type=Path, default=REPO / "bench" / "devset")
    ap.add_argument("--config", type=Path, default=REPO / "config.yaml")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "eval_named.md")
    ap.add_argument(
        "--bertopic-sample",
        type=int,
        default=0,
        help="papers for the real BERTopic fit (all dev papers + seeded others); 0=all",
    )
    ap.add_argument(
        "--no-bertopic-fit",
        action="store_true",
        help="skip the real BERTopic fit (the reproduction still runs)",
    )
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)

    cfg = load_config(args.config)
    topics = cfg.topics
    slugs = [t.slug for t in topics.named]
    core = core_columns(slugs)
    t0 = time.perf_counter()
    ids, texts, emb = load_corpus(args.data)
    dev = load_devset(args.devset, slugs)
    row = {pid: i for i, pid in enumerate(ids)}
    embedder = SentenceTransformerEmbedder(cfg.embedding)
    print(
        f"corpus: {len(ids)} papers, dev set: {len(dev)} papers; loaded in "
        f"{time.perf_counter() - t0:.1f}s",
        flush=True,
    )

    # ---- our classifier, fitted on the whole (unlabelled) corpus
    embedder.encode(["warm-up"])  # model load is not part of the fit time
    t0 = time.perf_counter()
    labelled, lab_emb = None, None
    if topics.named_labels is not None:
        labelled = load_labelled(topics.named_labels, slugs)
        leak = set(labelled.ids) & {r["id"] for r in dev}
        if leak:
            raise SystemExit(f"{len(leak)} dev-set papers are in the labels file, e.g. {min(leak)}")
        lab_emb = load_labelled_vectors(
            topics.named_labels_vectors, labelled, model_id_for(cfg.embedding)
        )
    clf = NamedTopicClassifier(topics.named, threshold=topics.named_threshold, seed=topics.seed)
    clf.fit(texts, emb, embedder.encode, ids=ids, labelled=labelled, labelled_embeddings=lab_emb)
    fit_s = time.perf_counter() - t0
    weak = None
    if labelled is not None:  # the same classifier from the taxonomy alone, for comparison
        weak = NamedTopicClassifier(topics.named, topics.named_threshold, topics.seed)
        weak.fit(texts, emb, embedder.encode, ids=ids)
    json_kb = len(json.dumps(clf.to_state())) / 1024

    splits = {s: [r for r in dev if r["split"] == s] for s in ("tune", "test")}
    idx = {s: np.array([row[r["id"]] for r in rs]) for s, rs in splits.items()}
    y = {s: np.array([[r[t] for t in slugs] for r in rs], dtype=bool) for s, rs in splits.items()}
    dev_texts = {s: [texts[i] for i in idx[s]] for s in splits}
    t0 = time.perf_counter()
    proba = {s: clf.predict_proba(dev_texts[s], emb[idx[s]]) for s in splits}
    pred_ms = (time.perf_counter() - t0) * 1000 / sum(len(v) for v in idx.values()) * 50
    weak_p = {s: weak.predict(dev_texts[s], emb[idx[s]]) for s in splits} if weak else {}
    thr = tune_threshold(
        y["tune"], lambda t: proba["tune"] >= t, THRESHOLDS, topics.named_threshold
    )

    # ---- ablations (each with one threshold tuned on tune)
    k = len(slugs)
    x_unit = {s: normalize_rows(emb[idx[s]]).astype(np.float64) for s in splits}
    sim = {s: clf.similarity(emb[idx[s]]) for s in splits}
    ev = {s: keyword_evidence(dev_texts[s], clf.keyword_sets_) for s in splits}
    kw_only = {s: (ev[s].hits >= 1) & (ev[s].negative == 0) for s in splits}
    logit = {s: x_unit[s] @ clf.coef_.T + clf.intercept_ for s in splits}
    z_grid = np.round(np.arange(0.0, 6.01, 0.1), 2)
    t_sim = tune_threshold(y["tune"], lambda t: sim["tune"] >= t, z_grid, 3.0)
    l_grid = np.round(np.arange(-4.0, 8.01, 0.25), 2)
    t_log = tune_threshold(y["tune"], lambda t: logit["tune"] >= t, l_grid, 0.0)

    # ---- BERTopic zero-shot peer: thresholds swept with the exact reproduction (no refit
    # needed), then the real BERTopic fitted at the default and at the best threshold
    st_model = embedder._load()
    strings = {
        "names": [t.name for t in topics.named],
        "descriptions": [t.description for t in topics.named],
    }
    peer_thr: dict[str, float] = {}
    peer_assign: dict[tuple[str, float], np.ndarray] = {}  # (kind, thr) -> assignment per row
    checks: list[str] = []
    dev_rows = np.array(sorted({row[r["id"]] for r in dev}))
    if args.bertopic_sample and args.bertopic_sample < len(ids):
        rng = np.random.default_rng(topics.seed)
        others = np.setdiff1d(np.arange(len(ids)), dev_rows)
        extra = rng.choice(others, size=max(0, args.bertopic_sample - len(dev_rows)), replace=False)
        fit_rows = np.sort(np.concatenate([dev_rows, extra]))
    else:
        fit_rows = np.arange(len(ids))
    scope = "all papers" if len(fit_rows) == len(ids) else "all dev papers + seeded others"
    for kind, strs in strings.items():
        t_emb = embedder.encode(strs)
        peer_thr[kind] = tune_threshold(
            y["tune"],
            lambda t, te=t_emb: one_hot(zeroshot_assign(emb[idx["tune"]], te, t), k),
            COSINES,
            0.7,
        )
        for m in sorted({0.7, peer_thr[kind]}):
            repro = np.full(len(ids), -1)
            repro[fit_rows] = zeroshot_assign(emb[fit_rows], t_emb, m)
            peer_assign[(kind, m)] = repro
            if args.no_bertopic_fit:
                continue
            print(f"fitting BERTopic zero-shot ({kind}, {m}) on {len(fit_rows)} papers", flush=True)
            real, secs = fit_real_bertopic(
                [texts[i] for i in fit_rows], emb[fit_rows], strs, m, st_model, topics.seed
            )
            agree = float((real == repro[fit_rows]).mean())
            checks.append(
                f"{kind} @ {m}: fitted on {len(fit_rows)} papers ({scope}) in {secs:.0f}s, "
                f"{int((real >= 0).sum())} assigned to a zero-shot topic, same assignment as "
                f"the reproduction for {agree:.2%} of them"
            )
            print(checks[-1], flush=True)
            full = np.full(len(ids), -1)
            full[fit_rows] = real
            peer_assign[(kind, m)] = full  # the table reports the real BERTopic's output
    check = "; ".join(checks) if checks else "real fit skipped (--no-bertopic-fit); reproduction"

    # ---- report
    lines = ["# Named topics on the labelled dev set", ""]
    counts = " · ".join(
        f"{s}: {len(splits[s])} papers, positives "
        + ", ".join(f"{t} {int(y[s][:, j].sum())}" for j, t in enumerate(slugs))
        for s in splits
    )
    lines += [
        f"Dev set {counts}.",
        "",
        f"Classifier fitted on all {len(ids):,} papers (unlabelled)"
        + (
            f" plus {len(labelled):,} labelled papers (`topics.named_labels`; none of them "
            f"in the dev set; stacked regression for {int(clf.stacked_.sum())} topics)"
            if labelled is not None
            else ""
        )
        + f" in {fit_s:.1f}s; "
        f"predict ≈ {pred_ms:.1f} ms per 50 papers; state {json_kb:.0f} KiB of JSON. "
        f"Threshold tuned on tune: **{thr}** (config `named_threshold`: "
        f"{topics.named_threshold}). BERTopic check: {check}.",
        "",
    ]
    for s in ("test", "tune"):
        rows_: list[tuple[str, str, np.ndarray, np.ndarray]] = [
            ("**NamedTopicClassifier**", f"{thr} (tuned on tune)", y[s], proba[s] >= thr)
        ]
        if thr != topics.named_threshold:
            rows_.append(
                (
                    "NamedTopicClassifier",
                    f"{topics.named_threshold} (config)",
                    y[s],
                    proba[s] >= topics.named_threshold,
                )
            )
        if weak is not None:
            rows_.append(
                (
                    "NamedTopicClassifier, taxonomy only (no labelled papers)",
                    f"{topics.named_threshold} (config)",
                    y[s],
                    weak_p[s],
                )
            )
        rows_ += [
            ("ablation: keywords only", "≥1 entry, no negative", y[s], kw_only[s]),
            ("ablation: prototype similarity only", f"z ≥ {t_sim}", y[s], sim[s] >= t_sim),
            (
                "ablation: classifier logit, no keywords",
                f"logit ≥ {t_log}",
                y[s],
                logit[s] >= t_log,
            ),
        ]
        for kind in strings:
            for label, m in (("default", 0.7), ("best on tune", peer_thr[kind])):
                pred = one_hot(peer_assign[(kind, m)][idx[s]], k)
                rows_.append((f"BERTopic zero-shot ({kind}), {label}", f"cos ≥ {m}", y[s], pred))
        title = (
            "Test split (held out: nothing was tuned on it)"
            if s == "test"
            else "Tune split (thresholds, keywords and hyper-parameters were tuned on it)"
        )
        lines += table(title, slugs, rows_)
        if s == "test":
            cis = []
            for name, at, yy, pp in rows_:
                if name.strip("*") == "NamedTopicClassifier" or "best on tune" in name:
                    lo, hi = bootstrap_interval(yy[:, core], pp[:, core])
                    cis.append(f"{name.strip('*')} at {at} [{lo:.2f}, {hi:.2f}]")
            lines += [
                "Bootstrap 90% interval of test macro F1 over the issue's four topics (papers "
                "resampled): " + "; ".join(cis) + ".",
                "",
            ]
            rounds = np.array(
                [
                    r["sampled_as"].rpartition("/")[2] if "/" in r["sampled_as"] else "r1"
                    for r in splits[s]
                ]
            )
            if len(set(rounds)) > 1:  # dev set drawn in rounds (bench/devset/sample.py)
                per = []
                for rd in sorted(set(rounds)):
                    m = rounds == rd
                    per.append(
                        f"{rd} ({int(m.sum())} papers): "
                        + ", ".join(
                            f"{name.strip('*')} {macro(yy[m][:, core], pp[m][:, core]):.3f}"
                            for name, _t, yy, pp in rows_
                            if name.startswith("**") or "best on tune" in name
                        )
                    )
                lines += [
                    "Test macro F1 (issue's four topics) by sampling round: "
                    + "; ".join(per)
                    + ".",
                    "",
                ]  # the same rows without papers the labeller marked as borderline
            clear = np.array(["borderline" not in r.get("note", "").lower() for r in splits[s]])
            lines += table(
                f"Test split without the {int((~clear).sum())} papers whose label note says "
                "'borderline' (supplementary; same models and thresholds)",
                slugs,
                [(name, t, yy[clear], pp[clear]) for name, t, yy, pp in rows_],
            )
    lines += [
        "Reproduce: `.venv/bin/python bench/eval_named.py` "
        f"(`--bertopic-sample {args.bertopic_sample}`).",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
