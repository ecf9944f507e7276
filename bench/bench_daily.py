"""Daily-run cost versus store size: whole-process time of `trends run --date D`.

For each store size it builds a store with a backfill (vectors for the backfilled papers come
from ../shared/data/hf_daily.minilm.npz, so no CPU-hour is spent re-embedding), then runs
`trends run --date D` as a fresh process for the following days, exactly as cron would. The
daily papers are NOT in the snapshot given to the store: they are embedded for real.

Usage: .venv/bin/python bench/bench_daily.py [--sizes 500 15000] [--days 3] [--out DIR]
Prints one row per daily run: store size, date, new papers, embedded, refit?, wall seconds,
and the pipeline's own step timings.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
TRENDS = str(Path(sys.executable).with_name("trends"))


def build(size: int, days: list[str], work: Path) -> Path:
    with gzip.open(DATA / "hf_daily.jsonl.gz", "rt", encoding="utf-8") as fh:
        rows = [json.loads(x) for x in fh]
    before = [r for r in rows if r["date"] < days[0]][-size:]
    daily = [r for r in rows if r["date"] in days]
    src = work / "papers.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        for r in before + daily:
            fh.write(json.dumps(r) + "\n")
    snap = np.load(DATA / "hf_daily.minilm.npz")
    keep = {r["id"] for r in before}
    idx = np.array([i for i, pid in enumerate(snap["ids"].tolist()) if pid in keep])
    np.savez(
        work / "snap.npz",
        ids=snap["ids"][idx],
        embeddings=snap["embeddings"][idx],
        text_sha256=snap["text_sha256"][idx],
    )
    cfg = yaml.safe_load((REPO / "config.yaml").read_text())
    cfg["store"]["path"] = str(work / "store.duckdb")
    cfg["ingest"]["source"] = {"kind": "local", "path": str(src)}
    cfg["embedding"]["snapshot"] = str(work / "snap.npz")
    cfg["report"]["out_dir"] = str(work / "reports")
    path = work / "config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    t0 = time.perf_counter()
    subprocess.run(
        [TRENDS, "--config", str(path), "backfill", "--until", before[-1]["date"], "--no-report"],
        check=True,
        capture_output=True,
    )
    print(f"# store of {len(before)} papers: backfill {time.perf_counter() - t0:.0f} s", flush=True)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[500, 15000])
    ap.add_argument("--days", nargs="+", default=["2026-08-19", "2026-08-20", "2026-08-21"])
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    print("| store papers | date | new | embedded | refit | wall s | steps (s) |")
    print("|---:|---|---:|---:|---|---:|---|")
    for size in args.sizes:
        with tempfile.TemporaryDirectory(dir=args.out) as tmp:
            cfg = build(size, args.days, Path(tmp))
            import duckdb

            for day in args.days:
                t0 = time.perf_counter()
                out = subprocess.run(
                    [TRENDS, "--config", str(cfg), "run", "--date", day],
                    capture_output=True,
                    text=True,
                )
                if out.returncode:
                    sys.exit(f"trends run --date {day} failed:\n{out.stderr[-3000:]}")
                wall = time.perf_counter() - t0
                con = duckdb.connect(str(Path(tmp) / "store.duckdb"), read_only=True)
                n_store, counts, timings = con.execute(
                    "SELECT (SELECT count(*) FROM papers), counts, timings FROM runs "
                    "WHERE kind = 'daily' ORDER BY started_at DESC LIMIT 1"
                ).fetchall()[0]
                con.close()
                c, t = json.loads(counts), json.loads(timings)
                steps = ", ".join(f"{k} {v:.1f}" for k, v in t.items())
                print(
                    f"| {n_store} | {day} | {c.get('new_papers')} | {c.get('embedded')} | "
                    f"{'yes' if 'refit' in t else 'no'} | {wall:.1f} | {steps} |",
                    flush=True,
                )
                if "report:" not in out.stdout:
                    print("  (no report written)", file=sys.stderr)


if __name__ == "__main__":
    main()
