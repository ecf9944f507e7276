"""Keyword signals for named topics: compiled patterns and per-paper evidence counts.

A topic's ``keywords`` (and ``negative_keywords``) are case-insensitive regular expressions matched
against a paper's text (``title. abstract``). An entry may also be a *conjunction*: several
regexes joined by `` && ``, which matches only when every part matches somewhere in the text
(``(?:visual|video) tokens? && prun|compress|merg`` = "visual tokens" and a reduction word).

Evidence for one paper and topic:

* ``hits`` — how many distinct entries match (a paper that says "GRPO", "verifiable rewards" and
  "policy optimization" has three);
* ``title`` — whether an entry matches the title (text before the first ". "), a sign that the
  topic is the paper's subject rather than a passing mention;
* ``negative`` — whether any negative entry matches (e.g. "mixture of agents" for MoE).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

CONJUNCTION = " && "


@dataclass(frozen=True)
class KeywordSet:
    """The compiled positive and negative entries of one topic."""

    positive: tuple[tuple[re.Pattern[str], ...], ...]
    negative: tuple[tuple[re.Pattern[str], ...], ...]

    @classmethod
    def compile(
        cls, positive: Sequence[str], negative: Sequence[str] = (), *, where: str = "keywords"
    ) -> KeywordSet:
        """Compile entries; a bad regex raises ``ValueError`` naming ``where`` and the entry."""
        return cls(
            tuple(compile_entry(e, where=f"{where}.keywords") for e in positive),
            tuple(compile_entry(e, where=f"{where}.negative_keywords") for e in negative),
        )


def compile_entry(entry: str, *, where: str = "keywords") -> tuple[re.Pattern[str], ...]:
    """One entry (a regex or regexes joined by `` && ``) as a tuple of compiled patterns."""
    parts = [p.strip() for p in entry.split(CONJUNCTION)]
    if not entry.strip() or any(not p for p in parts):
        raise ValueError(f"{where}: empty keyword entry {entry!r}")
    try:
        return tuple(re.compile(p, re.IGNORECASE) for p in parts)
    except re.error as err:
        raise ValueError(f"{where}: invalid regular expression {entry!r}: {err}") from None


def _matches(entry: tuple[re.Pattern[str], ...], text: str) -> bool:
    return all(p.search(text) for p in entry)


def split_title(text: str) -> str:
    """The title part of an embedded text ``"{title}. {abstract}"`` (the whole text if no ". ")."""
    cut = text.find(". ")
    return text if cut < 0 else text[:cut]


@dataclass(frozen=True)
class KeywordEvidence:
    """Per-paper, per-topic keyword evidence; every array is ``[n_papers, n_topics]``."""

    hits: np.ndarray  # distinct positive entries matched in the whole text
    title: np.ndarray  # 1.0 when a positive entry (or one part of a conjunction) is in the title
    negative: np.ndarray  # 1.0 when any negative entry matches


def keyword_evidence(texts: Sequence[str], sets: Sequence[KeywordSet]) -> KeywordEvidence:
    """Match every topic's entries against every text."""
    n, k = len(texts), len(sets)
    hits = np.zeros((n, k), dtype=np.float64)
    title = np.zeros((n, k), dtype=np.float64)
    negative = np.zeros((n, k), dtype=np.float64)
    for i, text in enumerate(texts):
        head = split_title(text)
        for j, ks in enumerate(sets):
            matched = [e for e in ks.positive if _matches(e, text)]
            hits[i, j] = len(matched)
            if any(_matches(e, head) or (len(e) > 1 and e[0].search(head)) for e in matched):
                title[i, j] = 1.0
            if any(_matches(e, text) for e in ks.negative):
                negative[i, j] = 1.0
    return KeywordEvidence(hits=hits, title=title, negative=negative)
