"""Tests of the HF daily-papers source and the shared retry policy, offline.

HTTP goes through ``httpx.MockTransport`` (a real transport injected into a real client), so the
code under test builds real requests and reads real responses. The replayed payloads are the
recorded API answers in ``tests/fixtures/hf_daily_api/``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from trends.config import HFDailySourceConfig, HttpConfig
from trends.errors import FetchError, SourceError
from trends.records import Paper
from trends.sources import fetch_hf_daily, get_with_retries, parse_hf_daily
from trends.sources.http import MAX_RETRY_AFTER_S, retry_after_seconds

FIXTURES = Path(__file__).parent / "fixtures" / "hf_daily_api"
DAYS = sorted(p.stem for p in FIXTURES.glob("*.json"))
CFG = HFDailySourceConfig()
HTTP = HttpConfig.model_validate(
    {"retries": 3, "backoff_s": (2.0, 10.0, 30.0), "user_agent": "trends-test/1"}
)

Handler = Callable[[httpx.Request], httpx.Response]


class Replay:
    """A MockTransport handler answering from a list of responses, recording every request."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


def payload(day: str) -> Any:
    return json.loads((FIXTURES / f"{day}.json").read_text(encoding="utf-8"))


def ok(day: str) -> httpx.Response:
    return httpx.Response(200, content=(FIXTURES / f"{day}.json").read_bytes())


def test_fixtures_present() -> None:
    assert DAYS == ["2025-01-20", "2025-01-21", "2025-01-22", "2026-08-20", "2026-08-21"]


@pytest.mark.parametrize("day", DAYS)
def test_replay_parses_every_paper(day: str) -> None:
    items = payload(day)
    batch = parse_hf_daily(items, date.fromisoformat(day))
    assert len(batch.papers) == len(items)  # every recorded item is a good paper
    assert not batch.rejected and batch.duplicates == 0
    for item, paper in zip(items, batch.papers, strict=True):
        src = item["paper"]
        assert paper.id == src["id"]
        assert paper.date == date.fromisoformat(day)
        assert paper.published == date.fromisoformat(src["publishedAt"][:10])
        assert paper.upvotes == src["upvotes"]
        assert paper.authors == tuple(" ".join(a["name"].split()) for a in src["authors"])
        assert paper.title == " ".join(src["title"].split())
        assert "\n" not in paper.abstract
        assert paper.source == "hf_daily"


def test_items_missing_pieces_are_rejected() -> None:
    items = payload("2025-01-20")[:3]
    del items[0]["paper"]["summary"]
    items[1]["paper"]["upvotes"] = "many"
    items += ["junk", {"title": "no paper object"}, payload("2025-01-20")[2]]
    batch = parse_hf_daily(items, date(2025, 1, 20))
    assert [p.id for p in batch.papers] == [items[2]["paper"]["id"]]
    assert batch.duplicates == 1
    assert [(r.ref, r.reason) for r in batch.rejected] == [
        ("daily_papers?date=2025-01-20#0", "missing abstract"),
        ("daily_papers?date=2025-01-20#1", "wrong type for upvotes: str"),
        ("daily_papers?date=2025-01-20#3", "item is not an object"),
        ("daily_papers?date=2025-01-20#4", "missing paper object"),
    ]
    assert json.loads(batch.rejected[0].raw)["paper"]["id"] == items[0]["paper"]["id"]


@pytest.mark.parametrize("bad", [{"error": "Invalid date"}, "nope", None])
def test_unexpected_shape_is_a_source_error(bad: Any) -> None:
    with pytest.raises(SourceError, match="unexpected shape") as info:
        parse_hf_daily(bad, date(2025, 1, 20))
    assert not isinstance(info.value, FetchError)


def test_fetch_sends_date_and_user_agent() -> None:
    replay = Replay(ok("2025-01-22"))
    sleeps: list[float] = []
    batch = fetch_hf_daily(
        date(2025, 1, 22), CFG, HTTP, client=replay.client(), sleep=sleeps.append
    )
    assert len(batch.papers) == len(payload("2025-01-22"))
    (req,) = replay.requests
    assert req.method == "GET"
    assert str(req.url) == "https://huggingface.co/api/daily_papers?date=2025-01-22"
    assert req.headers["User-Agent"] == "trends-test/1"
    assert req.extensions["timeout"]["read"] == HTTP.timeout_s
    assert sleeps == []


def test_retries_503_then_succeeds() -> None:
    replay = Replay(httpx.Response(503), httpx.Response(502), ok("2025-01-21"))
    sleeps: list[float] = []
    batch = fetch_hf_daily(
        date(2025, 1, 21), CFG, HTTP, client=replay.client(), sleep=sleeps.append
    )
    assert [p.id for p in batch.papers] == ["2501.08325"]
    assert sleeps == [2.0, 10.0]
    assert len(replay.requests) == 3


def test_transport_errors_are_retried() -> None:
    replay = Replay(httpx.ConnectTimeout("slow"), httpx.ReadError("reset"), ok("2025-01-21"))
    sleeps: list[float] = []
    batch = fetch_hf_daily(
        date(2025, 1, 21), CFG, HTTP, client=replay.client(), sleep=sleeps.append
    )
    assert len(batch.papers) == 1 and sleeps == [2.0, 10.0]


def test_404_fails_at_once() -> None:
    replay = Replay(httpx.Response(404), ok("2025-01-21"))
    sleeps: list[float] = []
    with pytest.raises(FetchError) as info:
        fetch_hf_daily(date(2025, 1, 21), CFG, HTTP, client=replay.client(), sleep=sleeps.append)
    assert info.value.status == 404
    assert info.value.url == "https://huggingface.co/api/daily_papers?date=2025-01-21"
    assert "404" in str(info.value)
    assert len(replay.requests) == 1 and sleeps == []


def test_429_honours_retry_after() -> None:
    replay = Replay(httpx.Response(429, headers={"Retry-After": "7"}), ok("2025-01-21"))
    sleeps: list[float] = []
    fetch_hf_daily(date(2025, 1, 21), CFG, HTTP, client=replay.client(), sleep=sleeps.append)
    assert sleeps == [7.0]


def test_retry_after_too_long_fails_now() -> None:
    wait = str(int(MAX_RETRY_AFTER_S) + 1)
    replay = Replay(httpx.Response(429, headers={"Retry-After": wait}))
    with pytest.raises(FetchError, match="retry after") as info:
        fetch_hf_daily(date(2025, 1, 21), CFG, HTTP, client=replay.client(), sleep=lambda s: None)
    assert info.value.status == 429


def test_gives_up_after_retries() -> None:
    replay = Replay(*[httpx.Response(500) for _ in range(4)])
    sleeps: list[float] = []
    with pytest.raises(FetchError, match="after 4 attempt") as info:
        fetch_hf_daily(date(2025, 1, 21), CFG, HTTP, client=replay.client(), sleep=sleeps.append)
    assert info.value.status == 500
    assert info.value.url and "date=2025-01-21" in info.value.url
    assert sleeps == [2.0, 10.0, 30.0]  # no sleep after the last attempt


def test_backoff_repeats_last_delay_and_min_delay() -> None:
    http = HttpConfig.model_validate({"retries": 4, "backoff_s": (1.0, 2.0)})
    replay = Replay(*[httpx.Response(503) for _ in range(4)], httpx.Response(200, json=[]))
    sleeps: list[float] = []
    resp = get_with_retries(replay.client(), "https://x.test/a", None, http, sleeps.append)
    assert resp.status_code == 200 and sleeps == [1.0, 2.0, 2.0, 2.0]
    replay = Replay(httpx.Response(503), httpx.Response(200))
    sleeps.clear()
    get_with_retries(replay.client(), "https://x.test/a", {}, http, sleeps.append, min_delay_s=3)
    assert sleeps == [3.0]


def test_non_json_answer_is_a_fetch_error() -> None:
    replay = Replay(httpx.Response(200, text="<html>maintenance</html>"))
    with pytest.raises(FetchError, match="not JSON"):
        fetch_hf_daily(date(2025, 1, 21), CFG, HTTP, client=replay.client(), sleep=lambda s: None)


def test_retry_after_http_date() -> None:
    from datetime import UTC, datetime

    now = datetime(2025, 1, 21, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("Tue, 21 Jan 2025 12:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("garbage", now=now) is None
    assert retry_after_seconds(None) is None


def test_limits_are_applied() -> None:
    batch = parse_hf_daily(payload("2025-01-21"), date(2025, 1, 21), max_abstract_chars=200)
    assert batch.papers == []
    assert batch.rejected[0].reason.startswith("abstract too long: ")
    assert isinstance(parse_hf_daily(payload("2025-01-21"), date(2025, 1, 21)).papers[0], Paper)
