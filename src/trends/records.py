"""The record types that flow from sources into the store.

A source turns raw input (a file line, an API item, an Atom entry) into either a :class:`Paper`
or a :class:`Rejected` row that keeps the raw text and the reason. Nothing is dropped silently.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper, normalised. ``id`` is the arXiv id without version suffix."""

    id: str
    title: str
    abstract: str
    date: dt.date  # the day the paper entered the feed (or arXiv submission day)
    published: dt.date | None = None
    upvotes: int | None = None
    authors: tuple[str, ...] = ()
    source: str = ""

    @property
    def text(self) -> str:
        """The text that is embedded: ``title + ". " + abstract`` (as in hf_daily.minilm.npz)."""
        return embed_text(self.title, self.abstract)


def embed_text(title: str, abstract: str) -> str:
    return f"{title}. {abstract}"


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input record that could not be used, kept aside with why."""

    source: str  # e.g. "local:papers.jsonl", "hf_daily", "arxiv"
    ref: str  # where it came from: "papers.jsonl:17", a URL, an Atom entry id
    reason: str  # short, human-readable: "missing abstract", "unparseable date '2024-13-01'"
    raw: str  # the raw record text (truncated to a sane size by the source)

    @property
    def key(self) -> str:
        """Stable identity, so re-ingesting the same bad row does not add it twice."""
        return hashlib.sha256(f"{self.source}\x00{self.ref}\x00{self.raw}".encode()).hexdigest()[
            :32
        ]


@dataclass(slots=True)
class IngestBatch:
    """What one ingest call produced."""

    papers: list[Paper] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    duplicates: int = 0  # records that repeated an id within the batch (kept: the first/newest)

    def extend(self, other: IngestBatch) -> None:
        self.papers.extend(other.papers)
        self.rejected.extend(other.rejected)
        self.duplicates += other.duplicates
