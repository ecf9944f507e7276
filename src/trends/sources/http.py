"""One HTTP GET with the project's retry policy, shared by the HF daily-papers and arXiv sources.

Policy (from :class:`~trends.config.HttpConfig`): up to ``retries`` retries after the first try;
transport errors (timeouts, connection resets), HTTP 429 and HTTP 5xx are retried after the
``backoff_s`` delays (the last delay repeats). A ``Retry-After`` header (seconds or an HTTP date)
on a 429/5xx replaces the backoff delay; one asking for more than :data:`MAX_RETRY_AFTER_S` makes
the call fail at once instead of stalling a daily run. Any other 4xx fails at once. Failures raise
:class:`~trends.errors.FetchError` with the URL and the last status.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from trends.config import HttpConfig
from trends.errors import FetchError

log = logging.getLogger(__name__)

MAX_RETRY_AFTER_S = 300.0

Sleep = Callable[[float], object]


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Parse a ``Retry-After`` header: delta-seconds or an HTTP date; ``None`` if absent/invalid."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _backoff(http: HttpConfig, attempt: int) -> float:
    if not http.backoff_s:
        return 0.0
    return http.backoff_s[min(attempt, len(http.backoff_s) - 1)]


def _full_url(url: str, params: Mapping[str, str | int] | None) -> str:
    try:
        return str(httpx.URL(url, params=dict(params or {})))
    except (httpx.InvalidURL, TypeError):
        return url


@contextlib.contextmanager
def client_for(http: HttpConfig, client: httpx.Client | None) -> Iterator[httpx.Client]:
    """Yield ``client`` as is, or a new client (closed afterwards) when ``client`` is ``None``."""
    if client is not None:
        yield client
        return
    with httpx.Client(
        timeout=http.timeout_s,
        headers={"User-Agent": http.user_agent},
        follow_redirects=True,
    ) as own:
        yield own


def get_with_retries(
    client: httpx.Client,
    url: str,
    params: Mapping[str, str | int] | None,
    http: HttpConfig,
    sleep: Sleep = time.sleep,
    *,
    min_delay_s: float = 0.0,
) -> httpx.Response:
    """GET ``url`` with ``params``, retrying per ``http``; returns the first 2xx response.

    ``sleep`` is called between attempts only (inject a recorder in tests); every wait is at
    least ``min_delay_s`` (the arXiv politeness delay). Raises :class:`FetchError`.
    """
    full = _full_url(url, params)
    attempts = http.retries + 1
    last_status: int | None = None
    last_problem = ""
    for attempt in range(attempts):
        wait: float | None = None
        try:
            resp = client.get(
                url,
                params=dict(params or {}),
                headers={"User-Agent": http.user_agent},
                timeout=http.timeout_s,
                follow_redirects=True,
            )
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as err:
            raise FetchError(f"GET {full}: bad URL: {err}", url=full) from None
        except httpx.TransportError as err:
            last_status = None
            last_problem = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
        except httpx.RequestError as err:  # too many redirects, decoding errors: not transient
            raise FetchError(f"GET {full} failed: {type(err).__name__}: {err}", url=full) from None
        else:
            status = resp.status_code
            if 200 <= status < 300:
                return resp
            last_status = status
            last_problem = f"HTTP {status}"
            if status != 429 and not 500 <= status < 600:
                raise FetchError(
                    f"GET {full} failed: HTTP {status} {resp.reason_phrase}".rstrip(),
                    url=full,
                    status=status,
                )
            wait = retry_after_seconds(resp.headers.get("Retry-After"))
            if wait is not None and wait > MAX_RETRY_AFTER_S:
                raise FetchError(
                    f"GET {full} failed: HTTP {status}, server asked to retry after "
                    f"{wait:.0f} s (more than {MAX_RETRY_AFTER_S:.0f} s); try again later",
                    url=full,
                    status=status,
                )
        if attempt + 1 < attempts:
            delay = max(wait if wait is not None else _backoff(http, attempt), min_delay_s)
            log.warning(
                "GET %s: %s; retry %d/%d in %.1f s",
                full,
                last_problem,
                attempt + 1,
                http.retries,
                delay,
            )
            sleep(delay)
    raise FetchError(
        f"GET {full} failed after {attempts} attempt(s): {last_problem}",
        url=full,
        status=last_status,
    )
