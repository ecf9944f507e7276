"""Backtest of the momentum flags on real history: lead/lag against public events, false alarms.

For every week of the data, momentum is recomputed *as of the end of that week* (only papers
dated up to that Sunday) and the topics flagged rising/emerging are recorded. Then, for each event
in bench/events.yaml: the first flag of its topic from ``lead_weeks`` before to ``lag_weeks`` after
the event, and its lead (negative days) or lag. A flag *onset* (flagged this week, not last week)
of an event topic inside the events' coverage with no event of that topic in the same range is a
false alarm; they are reported per month. Also: how statuses change with the window lengths, and
the forecast's error against the naive "same as last period".

Topics: with ``--store PATH`` the store's papers/assignments/topics (DuckDB) are used. Without it
the script is self-contained on /work/shared/data/hf_daily.jsonl.gz: keyword rules over title +
abstract give ten named topics (multi-label; the slugs the events use), and KMeans(30, seed 0)
on the MiniLM embeddings in hf_daily.minilm.npz gives discovered topics (one per paper).

Caveat: topics are defined on the whole history (keywords chosen with hindsight; KMeans fit on
all embeddings). Only the momentum statistics are replayed without look-ahead.

Run: .venv/bin/python bench/backtest.py [--store data/trends.duckdb] [--out DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from trends.config import MomentumConfig
from trends.momentum import FLAGGED, compute_momentum, forecast_backtest

DATA = Path("/work/shared/data")
HERE = Path(__file__).resolve().parent

KEYWORDS = {
    "reasoning-rl": r"\bgrpo\b|\brlvr\b|verifiable rewards?|reasoning models?\b|long (?:chain-of-"
    r"thought|cot)|test-time scal|\bo1\b|r1-(?:like|style|zero)|o1-like|(?:reinf"
    r"orcement learning|\brl\b).{0,80}reason|reason.{0,80}(?:reinforcement learn"
    r"ing|\brl\b)",
    "moe": r"mixture[- ]of[- ]experts|\bmoe\b|expert routing|sparsely[- ]activated experts",
    "code-llm": r"code generation|code llms?\b|\bcoding\b|program synthesis|software engineering"
    r"|swe-bench|repository-level|code (?:language )?models?\b",
    "mm-efficiency": r"(?:visual|vision|image) tokens?.{0,40}(?:prun|compress|reduc|merg|drop)|"
    r"(?:prun|compress|reduc|merg)\w* .{0,30}(?:visual|vision) tokens|efficient "
    r"(?:mllms?|multimodal|vision-language|lvlms?)",
    "gui-agents": r"gui agents?|computer[- ]use|web agents?|mobile agents?|osworld|android ?world"
    r"|webarena|screenshots?.{0,40}agents?",
    "video-gen": r"video generation|text-to-video|video diffusion|image-to-video",
    "long-context": r"long[- ]context|context windows?|million tokens|length extrapolation",
    "quantization": r"quantiz|low-bit|1-bit|1\.58|bitnet|\bint[48]\b",
    "tool-agents": r"tool[- ]use|tool[- ]learning|function[- ]calling|model context protocol|"
    r"\bmcp\b|tool[- ]augmented",
    "ssm": r"\bmamba\b|state[- ]space models?",
}


def load_hf() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    from sklearn.cluster import KMeans

    rows = []
    with gzip.open(DATA / "hf_daily.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            rows.append(
                (
                    r["id"],
                    f"{r['title']}. {r['abstract']}".lower(),
                    r["date"],
                    np.nan if r.get("upvotes") is None else float(r["upvotes"]),
                )
            )
    df = pd.DataFrame(rows, columns=["paper_id", "text", "date", "upvotes"])
    df["date"] = pd.to_datetime(df["date"])
    parts, tops = [], []
    for i, (slug, rx) in enumerate(KEYWORDS.items()):
        hit = df["text"].str.contains(rx, regex=True)
        parts.append(pd.DataFrame({"paper_id": df.loc[hit, "paper_id"], "topic_id": i}))
        tops.append((i, slug, slug, "named"))
    npz = np.load(DATA / "hf_daily.minilm.npz")
    emb = pd.DataFrame(npz["embeddings"], index=npz["ids"]).reindex(df["paper_id"]).to_numpy()
    km = KMeans(30, random_state=0, n_init=3).fit(emb)
    parts.append(pd.DataFrame({"paper_id": df["paper_id"], "topic_id": 100 + km.labels_}))
    tops += [(100 + k, f"cluster-{k}", f"cluster {k}", "discovered") for k in range(30)]
    asg = pd.concat(parts, ignore_index=True).assign(confidence=1.0)
    topics = pd.DataFrame(tops, columns=["topic_id", "slug", "label", "kind"]).assign(
        birth_date=pd.NaT
    )
    return df[["paper_id", "date", "upvotes"]], asg, topics


def load_store(path: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    import duckdb

    con = duckdb.connect(path, read_only=True)
    try:
        papers = con.execute(
            "SELECT paper_id, date, CAST(upvotes AS DOUBLE) AS upvotes FROM papers"
        ).df()
        asg = con.execute("SELECT paper_id, topic_id, confidence FROM assignments").df()
        topics = con.execute(
            "SELECT topic_id, label, kind, slug, birth_date, size FROM topics"
        ).df()
    finally:
        con.close()
    papers["date"] = pd.to_datetime(papers["date"])
    topics["birth_date"] = pd.to_datetime(topics["birth_date"])
    return papers, asg, topics


def replay(papers, asg, topics, cfg: MomentumConfig) -> tuple[pd.DataFrame, float, bool]:
    """Status of every topic at every week, each computed as of that week's Sunday."""
    full = compute_momentum(papers, asg, topics, cfg).table
    weeks = np.sort(full["period"].unique())
    out, t0 = [], time.perf_counter()
    for w in weeks:
        as_of = pd.Timestamp(w) + pd.Timedelta(days=6)
        t = compute_momentum(papers, asg, topics, cfg, as_of=as_of).table
        out.append(t[t["period"] == w])
    secs = time.perf_counter() - t0
    rep = pd.concat(out, ignore_index=True)
    cols = ["topic_id", "period", "status", "growth", "q_rising"]
    # weeks without papers have no row as of their Sunday; compare the weeks that do
    ref = rep[["topic_id", "period"]].merge(full[cols], on=["topic_id", "period"], how="left")
    same = rep[cols].reset_index(drop=True).equals(ref[cols].reset_index(drop=True))
    return rep, secs, same


def flags_of(table: pd.DataFrame) -> pd.DataFrame:
    t = table.sort_values(["topic_id", "period"])
    flag = t["status"].isin(FLAGGED)
    prev = flag.groupby(t["topic_id"]).shift(1, fill_value=False)
    return t.assign(flag=flag, onset=flag & ~prev, known=t["period"] + pd.Timedelta(days=6))


TOPIC_TERMS: dict[str, list[list[str]]] = {}  # slug -> term sets, from events.yaml


def match_topic(topics: pd.DataFrame, slug: str) -> int | None:
    """A topic by slug, then by label; then the largest discovered topic whose label holds all
    terms of one of the slug's term sets (events.yaml ``topic_terms``; a store's discovered
    topics have c-TF-IDF labels, not slugs)."""
    for col in ("slug", "label"):
        if col in topics.columns:
            hit = topics[topics[col].astype(str).str.lower() == slug.lower()]
            if len(hit):
                return int(hit["topic_id"].iloc[0])
    labels = topics["label"].astype(str).str.lower()
    for terms in TOPIC_TERMS.get(slug, []):
        words = labels.str.split(" · ")
        hit = topics[words.map(lambda ws, t=terms: all(x in ws for x in t))]
        if len(hit):
            by = "size" if "size" in hit.columns else "topic_id"
            return int(hit.sort_values(by, ascending=False)["topic_id"].iloc[0])
    return None


def score_events(
    fl: pd.DataFrame, topics: pd.DataFrame, spec: dict
) -> tuple[pd.DataFrame, pd.DataFrame]:
    lead = pd.Timedelta(weeks=spec["match"]["lead_weeks"])
    lag = pd.Timedelta(weeks=spec["match"]["lag_weeks"])
    tested = fl[fl["growth"].notna()]  # windows complete: past the warm-up
    rows = []
    for ev in spec["events"]:
        d = pd.Timestamp(ev["date"])
        tid = match_topic(topics, ev["topic"])
        row = {"event": ev["name"], "date": d.date(), "topic": ev["topic"]}
        if tid is None:
            rows.append({**row, "result": "topic not found"})
            continue
        mine = fl[fl["topic_id"] == tid]
        first_test = tested.loc[tested["topic_id"] == tid, "known"].min()
        if pd.isna(first_test) or first_test > d:  # no test possible before the event
            rows.append({**row, "result": "not testable (warm-up / no data)"})
            continue
        win = mine[(mine["known"] >= d - lead) & (mine["known"] <= d + lag) & mine["flag"]]
        at_event = mine[(mine["known"] >= d - pd.Timedelta(days=6)) & (mine["known"] <= d)]
        already = bool(at_event["flag"].any())
        if win.empty:
            rows.append({**row, "result": "missed", "flagged_at_event": already})
            continue
        first = win["known"].min()
        rows.append(
            {
                **row,
                "result": "hit",
                "first_flag": first.date(),
                "lead_lag_days": int((first - d).days),
                "flagged_at_event": already,
                "flag_weeks_in_window": len(win),
            }
        )
    ev_tab = pd.DataFrame(rows)

    cov0, cov1 = pd.Timestamp(spec["coverage"]["start"]), pd.Timestamp(spec["coverage"]["end"])
    months = (cov1 - cov0).days / 30.44
    ev_topics = {match_topic(topics, e["topic"]) for e in spec["events"]} - {None}
    on = fl[fl["onset"] & fl["known"].between(cov0, cov1)]
    fa_rows = []
    for tid in sorted(ev_topics):
        dates = [
            pd.Timestamp(e["date"])
            for e in spec["events"]
            if match_topic(topics, e["topic"]) == tid
        ]
        o = on[on["topic_id"] == tid]["known"]
        explained = np.array([any(d - lead <= k <= d + lag for d in dates) for k in o], dtype=bool)
        fa_rows.append(
            {
                "topic": topics.set_index("topic_id").loc[tid, "label"],
                "onsets": len(o),
                "with_event": int(explained.sum()),
                "false_alarms": int((~explained).sum()),
            }
        )
    fa = pd.DataFrame(fa_rows)
    fa.attrs["months"] = months
    fa.attrs["all_onsets_per_month"] = len(on) / months
    fa.attrs["all_topics"] = int(on["topic_id"].nunique())
    return ev_tab, fa


def robustness(
    papers,
    asg,
    topics,
    base: MomentumConfig,
    fl_base: pd.DataFrame,
    topics_df: pd.DataFrame,
    spec: dict,
) -> pd.DataFrame:
    rows = []
    ref = fl_base.set_index(["topic_id", "period"])["status"]
    tested = fl_base["q_rising"].notna()
    for r in (2, 4, 8):
        for b in (8, 12, 26):
            cfg = base.model_copy(update={"recent_periods": r, "baseline_periods": b})
            fl = flags_of(compute_momentum(papers, asg, topics, cfg).table)
            st = fl.set_index(["topic_id", "period"])["status"].reindex(ref.index)
            both = tested.to_numpy()
            ev, fa = score_events(fl, topics_df, spec)
            rows.append(
                {
                    "recent": r,
                    "baseline": b,
                    "same_status_%": round(
                        100 * float((st.to_numpy() == ref.to_numpy())[both].mean()), 1
                    ),
                    "flag_weeks": int(fl["flag"].sum()),
                    "onsets/month": round(fa.attrs["all_onsets_per_month"], 2),
                    "events_hit": int((ev["result"] == "hit").sum()),
                    "median_lead_lag_d": (
                        float(ev["lead_lag_days"].median()) if "lead_lag_days" in ev else np.nan
                    ),
                    "false_alarms/month": round(fa["false_alarms"].sum() / fa.attrs["months"], 2),
                }
            )
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", help="DuckDB store file (default: self-contained hf_daily topics)")
    ap.add_argument("--events", default=str(HERE / "events.yaml"))
    ap.add_argument("--out", help="folder for CSVs of the replay, events and robustness")
    args = ap.parse_args(argv)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    pd.set_option("display.max_colwidth", 42)

    spec = yaml.safe_load(Path(args.events).read_text(encoding="utf-8"))
    TOPIC_TERMS.update(spec.get("topic_terms") or {})
    t0 = time.perf_counter()
    papers, asg, topics = load_store(args.store) if args.store else load_hf()
    print(
        f"data: {'store ' + args.store if args.store else 'hf_daily (self-contained topics)'}"
        f" - {len(papers):,} papers, {len(asg):,} assignments, {len(topics)} topics, "
        f"{papers['date'].min().date()} .. {papers['date'].max().date()} "
        f"(loaded in {time.perf_counter() - t0:.1f} s)"
    )
    cfg = MomentumConfig()
    print(
        f"config: freq=W recent={cfg.recent_periods} baseline={cfg.baseline_periods} "
        f"alpha={cfg.fdr_alpha} rising>={cfg.rising_min_ratio}x "
        f"emerging>={cfg.emerging_min_ratio}x & age<={cfg.emerging_max_age_days}d\n"
    )

    rep, secs, same = replay(papers, asg, topics, cfg)
    n_weeks = rep["period"].nunique()
    print(
        f"replay: {n_weeks} weeks with papers, each recomputed as of its Sunday in {secs:.1f} s "
        f"({1000 * secs / n_weeks:.0f} ms/week); equal to the rows of one full run: {same}"
    )
    fl = flags_of(rep)
    ev, fa = score_events(fl, topics, spec)
    print("\n== events (lead_lag_days < 0: flagged before the event) ==")
    print(ev.to_string(index=False))
    hits = ev[ev["result"] == "hit"]
    if len(hits):
        print(
            f"\nhit {len(hits)}/{int((ev['result'] != 'not testable (warm-up / no data)').sum())}"
            f" testable events; lead/lag days median {hits['lead_lag_days'].median():.0f}, "
            f"flagged already in the event's week: {int(hits['flagged_at_event'].sum())}"
        )
    print(
        f"\n== false alarms, event topics, {spec['coverage']['start']} .. "
        f"{spec['coverage']['end']} ({fa.attrs['months']:.1f} months) =="
    )
    print(fa.to_string(index=False))
    span_months = (fl["known"].max() - fl["known"].min()).days / 30.44
    print(
        f"false alarms per month (event topics): "
        f"{fa['false_alarms'].sum() / fa.attrs['months']:.2f}; flag onsets per month over all "
        f"{len(topics)} topics: {fa.attrs['all_onsets_per_month']:.2f} in the coverage, "
        f"{int(fl['onset'].sum()) / max(span_months, 1e-9):.2f} over the whole replay"
    )

    print("\n== robustness: statuses vs window lengths (reference recent=4, baseline=12) ==")
    rob = robustness(papers, asg, topics, cfg, fl, topics, spec)
    print(rob.to_string(index=False))

    print("\n== forecast backtest (share, rolling origin, vs naive 'same as last week') ==")
    bt = forecast_backtest(papers, asg, topics, cfg)
    print(bt.to_string(index=False, float_format=lambda v: f"{v:.5f}"))

    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        fl.to_csv(out / "replay.csv", index=False)
        ev.to_csv(out / "events.csv", index=False)
        fa.to_csv(out / "false_alarms.csv", index=False)
        rob.to_csv(out / "robustness.csv", index=False)
        bt.to_csv(out / "forecast_backtest.csv", index=False)
        print(f"\nwrote CSVs to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
