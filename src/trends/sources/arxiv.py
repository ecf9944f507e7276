"""The arXiv API (Atom feed): one submission day of papers in the configured categories.

:func:`parse_atom` is pure (XML in, batch and ``opensearch:totalResults`` out), using the stdlib
``xml.etree`` with the Atom, OpenSearch and arXiv namespaces. :func:`fetch_arxiv` pages through
``search_query=(cat:A OR cat:B ...) AND submittedDate:[YYYYMMDD0000 TO YYYYMMDD2359]`` with
``start``/``max_results``, waiting ``delay_s`` between requests as the arXiv API terms ask.
Both ``date`` and ``published`` of a paper are its submission (first-version) date.
The same paper seen in two versions (``v1`` on one page, ``v2`` on a later one) is kept once,
as its newest version.
"""

from __future__ import annotations

import logging
import re
import time
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

import httpx

from trends.config import ArxivSourceConfig, HttpConfig
from trends.errors import FetchError, SourceError
from trends.records import IngestBatch, Paper, Rejected
from trends.sources.http import Sleep, client_for, get_with_retries
from trends.sources.validate import (
    DEFAULT_MAX_ABSTRACT_CHARS,
    DEFAULT_MAX_TITLE_CHARS,
    MAX_RAW_CHARS,
    split_arxiv_id,
    to_paper,
)

log = logging.getLogger(__name__)

SOURCE = "arxiv"
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
    "arxiv": "http://arxiv.org/schemas/atom",
}
_ABS_URL = re.compile(r"arxiv\.org/abs/(?P<id>.+)$")

# (paper, version) pairs: the version (0 when unknown) decides which duplicate is kept
_Versioned = list[tuple[Paper, int]]


def _text(entry: ET.Element, path: str) -> str | None:
    node = entry.find(path, NS)
    return None if node is None or node.text is None else node.text


def _entry_raw(entry: ET.Element) -> str:
    return ET.tostring(entry, encoding="unicode")[:MAX_RAW_CHARS]


def _entry(
    entry: ET.Element, index: int, max_abstract_chars: int, max_title_chars: int
) -> tuple[Paper, int] | Rejected:
    entry_id = (_text(entry, "atom:id") or "").strip()
    ref = entry_id or f"entry #{index}"
    m = _ABS_URL.search(entry_id)
    raw_id: str | None = m.group("id") if m else (entry_id or None)
    published = _text(entry, "atom:published")
    record: dict[str, Any] = {
        "id": raw_id,
        "title": _text(entry, "atom:title"),
        "abstract": _text(entry, "atom:summary"),
        "date": published,
        "published": published,
        "authors": [name.text or "" for name in entry.findall("atom:author/atom:name", NS)],
    }
    result = to_paper(
        record,
        source=SOURCE,
        ref=ref,
        max_abstract_chars=max_abstract_chars,
        max_title_chars=max_title_chars,
    )
    if isinstance(result, Rejected):
        return Rejected(result.source, result.ref, result.reason, _entry_raw(entry))
    assert raw_id is not None  # to_paper accepted it
    return result, split_arxiv_id(raw_id)[1] or 0


def _check_error_feed(entries: list[ET.Element]) -> None:
    """The arXiv API reports a bad query as a feed with one entry titled "Error"."""
    for entry in entries:
        title = (_text(entry, "atom:title") or "").strip()
        entry_id = _text(entry, "atom:id") or ""
        if title == "Error" or "/api/errors" in entry_id:
            summary = " ".join((_text(entry, "atom:summary") or "no details").split())
            raise FetchError(f"arXiv API error: {summary}", url=entry_id.strip() or None)


def _parse(
    xml: str | bytes, max_abstract_chars: int, max_title_chars: int
) -> tuple[_Versioned, list[Rejected], int]:
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as err:
        raise SourceError(f"arXiv API answered something that is not XML: {err}") from None
    if root.tag != f"{{{NS['atom']}}}feed":
        raise SourceError(f"arXiv API answered XML that is not an Atom feed (root {root.tag!r})")
    entries = root.findall("atom:entry", NS)
    _check_error_feed(entries)
    total_text = (_text(root, "opensearch:totalResults") or "").strip()
    if not total_text.isdigit():
        raise SourceError(
            f"arXiv API feed has no valid opensearch:totalResults (got {total_text!r})"
        )
    found: _Versioned = []
    rejected: list[Rejected] = []
    for i, entry in enumerate(entries):
        result = _entry(entry, i, max_abstract_chars, max_title_chars)
        if isinstance(result, Rejected):
            rejected.append(result)
        else:
            found.append(result)
    return found, rejected, int(total_text)


def _dedup(found: _Versioned) -> tuple[list[Paper], int]:
    """Keep one record per id: the highest version (the first one seen on a tie)."""
    best: dict[str, tuple[Paper, int]] = {}
    for paper, version in found:
        kept = best.get(paper.id)
        if kept is None or version > kept[1]:
            best[paper.id] = (paper, version)
    papers = [paper for paper, _ in best.values()]  # dicts keep first-insertion order
    return papers, len(found) - len(papers)


def parse_atom(
    xml: str | bytes,
    *,
    max_abstract_chars: int = DEFAULT_MAX_ABSTRACT_CHARS,
    max_title_chars: int = DEFAULT_MAX_TITLE_CHARS,
) -> tuple[IngestBatch, int]:
    """Parse one Atom page; returns the batch and ``opensearch:totalResults``.

    A malformed entry becomes a rejected row; an arXiv error feed raises :class:`FetchError`;
    a document that is not an Atom feed raises :class:`SourceError`.
    """
    found, rejected, total = _parse(xml, max_abstract_chars, max_title_chars)
    papers, dups = _dedup(found)
    return IngestBatch(papers=papers, rejected=rejected, duplicates=dups), total


def search_query(categories: tuple[str, ...], day: date) -> str:
    """``(cat:cs.CL OR cat:cs.LG) AND submittedDate:[202501140000 TO 202501142359]``."""
    stamp = day.strftime("%Y%m%d")
    window = f"submittedDate:[{stamp}0000 TO {stamp}2359]"
    if not categories:
        return window
    return "(" + " OR ".join(f"cat:{c}" for c in categories) + ") AND " + window


def fetch_arxiv(
    day: date,
    cfg: ArxivSourceConfig,
    http: HttpConfig,
    *,
    client: httpx.Client | None = None,
    sleep: Sleep = time.sleep,
    max_abstract_chars: int = DEFAULT_MAX_ABSTRACT_CHARS,
    max_title_chars: int = DEFAULT_MAX_TITLE_CHARS,
) -> IngestBatch:
    """Fetch every paper submitted on ``day`` in ``cfg.categories`` (up to ``cfg.max_pages``).

    Waits ``cfg.delay_s`` before every request but the first. The arXiv API sometimes answers
    an empty page inside the result range; such a page is asked again (up to ``http.retries``
    times) before paging stops with a warning in the log.
    """
    query = search_query(cfg.categories, day)
    found: _Versioned = []
    rejected: list[Rejected] = []
    start, pages, requests, empty_retries = 0, 0, 0, 0
    with client_for(http, client) as c:
        while True:
            params: dict[str, str | int] = {
                "search_query": query,
                "sortBy": "submittedDate",
                "sortOrder": "ascending",
                "start": start,
                "max_results": cfg.page_size,
            }
            if requests:
                sleep(cfg.delay_s)
            resp = get_with_retries(c, cfg.base_url, params, http, sleep, min_delay_s=cfg.delay_s)
            requests += 1
            page, page_rejected, total = _parse(resp.content, max_abstract_chars, max_title_chars)
            entries = len(page) + len(page_rejected)
            if not entries:
                if start >= total:
                    break
                empty_retries += 1
                if empty_retries > http.retries:
                    log.warning("arXiv: empty page at start=%d of %d; stopping", start, total)
                    break
                continue
            found.extend(page)
            rejected.extend(page_rejected)
            start += entries  # a short page inside the range does not leave a gap
            pages += 1
            if start >= total:
                break
            if pages >= cfg.max_pages:
                log.warning(
                    "arXiv: stopped after max_pages=%d (%d of %d results)", pages, start, total
                )
                break
    papers, dups = _dedup(found)
    return IngestBatch(papers=papers, rejected=rejected, duplicates=dups)
