"""Tests of the arXiv API source, offline, against Atom pages built from real records.

The pages in ``tests/fixtures/arxiv/`` come from ``make_fixture.py``: 14 results over three pages
of 5 for the submission day 2025-01-14; ``2501.08167`` is listed as v1 on page 1 and as v2 (with
all its authors) on page 2; ``2501.08325`` on page 3 has no summary.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from trends.config import ArxivSourceConfig, HttpConfig
from trends.errors import FetchError, SourceError
from trends.sources import fetch_arxiv, parse_atom, search_query

FIXTURES = Path(__file__).parent / "fixtures" / "arxiv"
DAY = date(2025, 1, 14)
EXPECTED: dict[str, dict[str, Any]] = {
    r["id"]: r for r in json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
}
DUP, MALFORMED = "2501.08167", "2501.08325"
CFG = ArxivSourceConfig.model_validate({"page_size": 5, "delay_s": 3.0, "max_pages": 10})
HTTP = HttpConfig.model_validate({"retries": 2, "backoff_s": (1.0, 5.0)})
QUERY = (
    "(cat:cs.CL OR cat:cs.LG OR cat:cs.AI OR cat:cs.CV) AND "
    "submittedDate:[202501140000 TO 202501142359]"
)


def page(n: int) -> bytes:
    return (FIXTURES / f"page{n}.xml").read_bytes()


class ArxivServer:
    """A MockTransport handler serving the fixture pages by ``start``; records requests."""

    def __init__(self, failures: list[httpx.Response] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.failures = list(failures or [])

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.failures:
            return self.failures.pop(0)
        start = int(request.url.params["start"])
        return httpx.Response(200, content=page(start // 5 + 1))

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


def test_parse_single_page() -> None:
    batch, total = parse_atom(page(1))
    assert total == 14
    assert [p.id for p in batch.papers] == list(EXPECTED)[:5]
    for p in batch.papers:
        exp = EXPECTED[p.id]
        assert p.title == exp["title"]  # wrapped title and summary are collapsed back
        assert p.abstract == exp["abstract"]
        assert p.date == p.published == DAY
        assert p.upvotes is None and p.source == "arxiv"
    assert batch.papers[0].authors == tuple(EXPECTED[batch.papers[0].id]["authors"])


def test_parse_rejects_entry_without_summary() -> None:
    batch, total = parse_atom(page(3).decode("utf-8"))
    assert total == 14
    assert [p.id for p in batch.papers] == list(EXPECTED)[9:12]
    (bad,) = batch.rejected
    assert bad.reason == "missing abstract"
    assert bad.ref == f"http://arxiv.org/abs/{MALFORMED}v1"
    assert bad.source == "arxiv"
    assert bad.raw.startswith("<") and f"{MALFORMED}v1" in bad.raw and "summary" not in bad.raw


def test_fetch_pages_through_the_day() -> None:
    server = ArxivServer()
    sleeps: list[float] = []
    batch = fetch_arxiv(DAY, CFG, HTTP, client=server.client(), sleep=sleeps.append)

    # requests: correct query, sorted by submission date, offsets 0, 5, 10, then stop at 14
    assert len(server.requests) == 3
    for req, start in zip(server.requests, [0, 5, 10], strict=True):
        assert req.url.host == "export.arxiv.org" and req.url.path == "/api/query"
        params = req.url.params
        assert params["search_query"] == QUERY
        assert params["sortBy"] == "submittedDate"
        assert params["start"] == str(start)
        assert params["max_results"] == "5"
        assert req.headers["User-Agent"] == HTTP.user_agent
    assert sleeps == [3.0, 3.0]  # politeness delay between pages, none before the first

    # 13 records - 1 malformed = 12 papers; the v2 replaced its v1
    assert sorted(p.id for p in batch.papers) == sorted(set(EXPECTED) - {MALFORMED})
    assert batch.duplicates == 1
    dup = next(p for p in batch.papers if p.id == DUP)
    assert dup.authors == tuple(EXPECTED[DUP]["authors"]) and len(dup.authors) > 1
    assert [r.reason for r in batch.rejected] == ["missing abstract"]


def test_fetch_retries_and_keeps_politeness_delay() -> None:
    server = ArxivServer(failures=[httpx.Response(503)])
    sleeps: list[float] = []
    fast = HttpConfig.model_validate({"retries": 2, "backoff_s": (0.5,)})
    batch = fetch_arxiv(DAY, CFG, fast, client=server.client(), sleep=sleeps.append)
    assert len(batch.papers) == 12
    assert sleeps == [3.0, 3.0, 3.0]  # the retry waits at least delay_s too
    assert [r.url.params["start"] for r in server.requests] == ["0", "0", "5", "10"]


def test_fetch_stops_at_max_pages() -> None:
    server = ArxivServer()
    batch = fetch_arxiv(
        DAY,
        CFG.model_copy(update={"max_pages": 2}),
        HTTP,
        client=server.client(),
        sleep=lambda s: None,
    )
    assert len(server.requests) == 2
    assert len(batch.papers) == 9  # 10 entries, one of them the v2 of another


def test_error_feed_raises_fetch_error() -> None:
    with pytest.raises(FetchError, match="incorrect id format") as info:
        parse_atom((FIXTURES / "error.xml").read_bytes())
    assert info.value.url and "api/errors" in info.value.url

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=(FIXTURES / "error.xml").read_bytes())

    client = httpx.Client(transport=httpx.MockTransport(handler))
    with pytest.raises(FetchError, match="arXiv API error"):
        fetch_arxiv(DAY, CFG, HTTP, client=client, sleep=lambda s: None)


def test_empty_page_inside_range_is_asked_again() -> None:
    empty = page(1).split(b"<entry>")[0] + b"</feed>\n"
    server = ArxivServer(failures=[httpx.Response(200, content=empty)])
    sleeps: list[float] = []
    batch = fetch_arxiv(DAY, CFG, HTTP, client=server.client(), sleep=sleeps.append)
    assert len(batch.papers) == 12
    assert [r.url.params["start"] for r in server.requests] == ["0", "0", "5", "10"]
    assert sleeps == [3.0, 3.0, 3.0]


@pytest.mark.parametrize(
    ("xml", "match"),
    [
        (b"<html>busy</html", "not XML"),
        (b"<html><body>busy</body></html>", "not an Atom feed"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>', "totalResults"),
    ],
)
def test_not_a_feed_is_a_source_error(xml: bytes, match: str) -> None:
    with pytest.raises(SourceError, match=match):
        parse_atom(xml)


def test_search_query_forms() -> None:
    assert search_query(("cs.CL",), date(2024, 2, 29)) == (
        "(cat:cs.CL) AND submittedDate:[202402290000 TO 202402292359]"
    )
    assert search_query((), DAY) == "submittedDate:[202501140000 TO 202501142359]"


def test_limits_apply_to_entries() -> None:
    batch, _ = parse_atom(page(2), max_title_chars=20)
    assert not batch.papers
    assert all(r.reason.startswith("title too long: ") for r in batch.rejected)


def test_short_page_advances_by_entries_and_empty_tail_stops() -> None:
    head, *entries = page(1).decode("utf-8").split("  <entry>")
    short = (head + "".join("  <entry>" + e for e in entries[:4])).rstrip() + "\n</feed>\n"
    empty = head + "</feed>\n"
    answers: list[str | bytes] = [short, page(2), page(3), empty, empty, empty]
    starts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        starts.append(request.url.params["start"])
        return httpx.Response(200, content=answers.pop(0))

    client = httpx.Client(transport=httpx.MockTransport(handler))
    sleeps: list[float] = []
    batch = fetch_arxiv(DAY, CFG, HTTP, client=client, sleep=sleeps.append)
    assert starts == ["0", "4", "9", "13", "13", "13"]  # HTTP.retries=2 re-asks of the empty page
    assert len(sleeps) == 5
    assert len(batch.papers) == 11 and batch.duplicates == 1
