"""Inter-annotator agreement of the dev set, and how ``labels.jsonl`` was made from the passes.

Labelling protocol (every pass read title and abstract against ``DEFINITIONS.md``; no pass saw
another pass's labels or any model's output):

* ``annotations/a1.jsonl`` — first pass, the issue's four topics (the labels used until
  2026-12-04);
* ``annotations/a2.jsonl`` — second, independent pass over all 660 papers, all seven topics;
* ``annotations/a3.jsonl`` — third pass, the three added topics only;
* ``annotations/adjudication.jsonl`` — every (paper, topic) where two passes disagreed (a1 vs
  a2 for the four issue topics, a2 vs a3 for the added three), decided by an adjudicator who saw
  both labels and notes (anonymised, in random order) but no model output.

``labels.jsonl`` = the agreed label, or the adjudicated one (its ``adjudicated`` column lists
the topics decided that way). This script checks that rule and prints the agreement: F1 of one
pass against the other (symmetric), Cohen's kappa and the number of disagreements, per topic.
The annotators were language-model helpers of the same kind, so their errors may be correlated
and this agreement is an upper estimate of what two independent people would reach.

Usage: .venv/bin/python bench/devset/agreement.py
"""

from __future__ import annotations

import json
from pathlib import Path

from sklearn.metrics import cohen_kappa_score, f1_score

HERE = Path(__file__).resolve().parent
ISSUE = ["reasoning-rl", "moe", "code-llm", "mm-efficiency"]
ADDED = ["llm-agents", "video-generation", "embodied-vla"]


def read(name: str) -> dict[str, dict]:
    rows = [json.loads(x) for x in (HERE / name).read_text().splitlines() if x]
    return {r["id"]: r for r in rows}


def main() -> None:
    final = read("labels.jsonl")
    a1, a2, a3 = (read(f"annotations/{n}.jsonl") for n in ("a1", "a2", "a3"))
    adj: dict[tuple[str, str], int] = {}
    for line in (HERE / "annotations/adjudication.jsonl").read_text().splitlines():
        if line:
            r = json.loads(line)
            adj[(r["id"], r["topic"])] = r["label"]
    ids = list(final)
    print(
        "| topic | passes | positives (final) | F1 between passes | Cohen's kappa | disagreements |"
    )
    print("|---|---|---|---|---|---|")
    f1s: dict[str, float] = {}
    for topic in ISSUE + ADDED:
        x, y, name = (a1, a2, "a1 vs a2") if topic in ISSUE else (a2, a3, "a2 vs a3")
        u = [x[i][topic] for i in ids]
        v = [y[i][topic] for i in ids]
        for i, p, q in zip(ids, u, v, strict=True):
            want = p if p == q else adj[(i, topic)]  # KeyError = an undecided disagreement
            if final[i][topic] != want or (p != q) != (topic in final[i]["adjudicated"]):
                raise SystemExit(f"labels.jsonl does not follow the rule at {i} / {topic}")
        f1s[topic] = f1_score(u, v)
        print(
            f"| {topic} | {name} | {sum(final[i][topic] for i in ids)} | {f1s[topic]:.3f} | "
            f"{cohen_kappa_score(u, v):.3f} | {sum(p != q for p, q in zip(u, v, strict=True))} |"
        )
    changed = sum(final[i][t] != a1[i][t] for i in ids for t in ISSUE)
    print(
        f"\nadjudication changed {changed} of the first pass's {len(ids) * len(ISSUE):,} labels "
        "of the issue's four topics"
    )
    issue = sum(f1s[t] for t in ISSUE) / len(ISSUE)
    added = sum(f1s[t] for t in ADDED) / len(ADDED)
    print(f"\nmacro F1 between passes: issue's four {issue:.3f}, added three {added:.3f}")
    print(f"labels.jsonl follows the agreement/adjudication rule for all {len(ids)} papers")


if __name__ == "__main__":
    main()
