"""The Hugging Face daily-papers API (``GET .../api/daily_papers?date=YYYY-MM-DD``).

The API answers a JSON list; each item holds a ``paper`` object with ``id``, ``title``,
``summary``, ``upvotes``, ``publishedAt`` (arXiv first-version time) and ``authors[].name``.
:func:`parse_hf_daily` is pure (payload in, batch out); :func:`fetch_hf_daily` adds the HTTP call.
A paper's ``date`` is the requested feed day, ``published`` is the date of ``paper.publishedAt``.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Mapping
from datetime import date
from typing import Any

import httpx

from trends.config import HFDailySourceConfig, HttpConfig
from trends.errors import FetchError, SourceError
from trends.records import IngestBatch, Paper, Rejected
from trends.sources.http import Sleep, client_for, get_with_retries
from trends.sources.validate import (
    DEFAULT_MAX_ABSTRACT_CHARS,
    DEFAULT_MAX_TITLE_CHARS,
    raw_json,
    to_paper,
)

SOURCE = "hf_daily"


def _record(item: Mapping[str, Any]) -> dict[str, Any]:
    """Map one API item onto the shared record format (missing pieces stay missing)."""
    paper = item["paper"]
    return {
        "id": paper.get("id"),
        "title": paper.get("title") or item.get("title"),  # the item repeats the title
        "abstract": paper.get("summary"),
        "published": paper.get("publishedAt"),
        "upvotes": paper.get("upvotes"),
        "authors": paper.get("authors"),
    }


def parse_hf_daily(
    payload: Any,
    day: date,
    *,
    max_abstract_chars: int = DEFAULT_MAX_ABSTRACT_CHARS,
    max_title_chars: int = DEFAULT_MAX_TITLE_CHARS,
) -> IngestBatch:
    """Parse one day's API answer; items with missing or bad pieces become rejected rows.

    Raises :class:`SourceError` when the payload is not a JSON list (the API changed shape or
    answered an error object). A paper listed twice keeps its first item (``duplicates`` += 1).
    """
    if not isinstance(payload, list):
        what = type(payload).__name__
        if isinstance(payload, Mapping):
            what += " with keys " + ", ".join(sorted(map(str, payload))[:8])
        raise SourceError(
            f"HF daily-papers API answered an unexpected shape for {day.isoformat()}: "
            f"expected a JSON list of items, got {what}"
        )
    batch = IngestBatch()
    seen: set[str] = set()
    for i, item in enumerate(payload):
        ref = f"daily_papers?date={day.isoformat()}#{i}"
        if not isinstance(item, Mapping) or not isinstance(item.get("paper"), Mapping):
            reason = (
                "item is not an object"
                if not isinstance(item, Mapping)
                else (
                    "missing paper object"
                    if item.get("paper") is None
                    else f"wrong type for paper: {type(item['paper']).__name__}"
                )
            )
            batch.rejected.append(Rejected(SOURCE, ref, reason, raw_json(item)))
            continue
        result = to_paper(
            _record(item),
            source=SOURCE,
            ref=ref,
            max_abstract_chars=max_abstract_chars,
            max_title_chars=max_title_chars,
            feed_date=day,
        )
        if isinstance(result, Paper):
            if result.id in seen:
                batch.duplicates += 1
            else:
                seen.add(result.id)
                batch.papers.append(result)
        else:
            batch.rejected.append(dataclasses.replace(result, raw=raw_json(item)))
    return batch


def fetch_hf_daily(
    day: date,
    cfg: HFDailySourceConfig,
    http: HttpConfig,
    *,
    client: httpx.Client | None = None,
    sleep: Sleep = time.sleep,
    max_abstract_chars: int = DEFAULT_MAX_ABSTRACT_CHARS,
    max_title_chars: int = DEFAULT_MAX_TITLE_CHARS,
) -> IngestBatch:
    """Fetch and parse the feed of ``day``. Raises :class:`FetchError` / :class:`SourceError`."""
    params = {"date": day.isoformat()}
    with client_for(http, client) as c:
        resp = get_with_retries(c, cfg.base_url, params, http, sleep)
    try:
        payload = json.loads(resp.content)
    except (ValueError, UnicodeDecodeError) as err:
        raise FetchError(
            f"GET {resp.url} answered HTTP {resp.status_code} but not JSON: {err}",
            url=str(resp.url),
            status=resp.status_code,
        ) from None
    return parse_hf_daily(
        payload, day, max_abstract_chars=max_abstract_chars, max_title_chars=max_title_chars
    )
