"""Turn one raw record (a dict in the shared record format) into a ``Paper`` or a ``Rejected``.

Record format (see ``SOURCES.md``): ``id``, ``title``, ``abstract``, ``date`` (YYYY-MM-DD or an ISO
datetime), ``published`` (same, or null), ``upvotes`` (int or null), ``authors`` (list of str, or
list of ``{"name": ...}``), ``source`` (str, optional).

Every source funnels its records through :func:`to_paper`, so all sources apply the same rules:

* ``id`` is an arXiv id, new style (``2501.12948``) or old style (``cs/0101001``); a version
  suffix (``v2``) and an ``arXiv:`` prefix are stripped.
* ``title`` and ``abstract`` are non-empty strings; runs of whitespace are collapsed to one space;
  texts longer than the configured limits are rejected (not truncated).
* a wrong type is rejected with a reason naming the field; nothing raises.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from trends.records import Paper, Rejected

MAX_RAW_CHARS = 20_000
DEFAULT_MAX_ABSTRACT_CHARS = 10_000
DEFAULT_MAX_TITLE_CHARS = 1_000

# new style 2501.12948 (4- or 5-digit serial); old style cs/0101001, math.AG/0601001, hep-th/9901001
_ARXIV_ID = re.compile(
    r"(?P<base>\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7})(?:v(?P<version>\d+))?"
)
_PREFIX = re.compile(r"^arxiv:", re.IGNORECASE)


class _Bad(Exception):
    """Internal: a record is unusable; the message is the rejection reason."""


def split_arxiv_id(value: str) -> tuple[str, int | None]:
    """``"2501.12948v2"`` -> ``("2501.12948", 2)``; raises ``ValueError`` if not an arXiv id."""
    text = _PREFIX.sub("", value.strip())
    m = _ARXIV_ID.fullmatch(text)
    if m is None:
        raise ValueError(f"invalid arXiv id {_short(value)}")
    version = m.group("version")
    return m.group("base"), int(version) if version is not None else None


def collapse_ws(text: str) -> str:
    """Collapse every run of whitespace (newlines included) to one space and strip the ends."""
    return " ".join(text.split())


def raw_json(record: Any) -> str:
    """The record as JSON (dates as strings), truncated to :data:`MAX_RAW_CHARS` characters."""
    try:
        text = json.dumps(record, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        text = repr(record)
    return text[:MAX_RAW_CHARS]


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _type_name(value: object) -> str:
    return type(value).__name__


def _parse_day(value: Any, field: str) -> date:
    """A date from a ``date``, a ``datetime`` or a YYYY-MM-DD / ISO-datetime string."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise _Bad(f"wrong type for {field}: {_type_name(value)}")
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        if len(text) > 10 and text[10] in "T ":
            return datetime.fromisoformat(text).date()
    except (ValueError, OverflowError):
        pass
    raise _Bad(f"unparseable {field} {_short(value)}")


def _text(raw: Mapping[Any, Any], field: str, limit: int) -> str:
    value = raw.get(field)
    if value is None:
        raise _Bad(f"missing {field}")
    if not isinstance(value, str):
        raise _Bad(f"wrong type for {field}: {_type_name(value)}")
    text = collapse_ws(value)
    if not text:
        raise _Bad(f"empty {field}")
    if len(text) > limit:
        raise _Bad(f"{field} too long: {len(text)} chars > {limit}")
    return text


def _authors(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise _Bad(f"wrong type for authors: {_type_name(value)}")
    names: list[str] = []
    for i, item in enumerate(value):
        name = item.get("name") if isinstance(item, Mapping) else item
        if name is None and isinstance(item, Mapping):
            raise _Bad(f"missing name in authors[{i}]")
        if not isinstance(name, str):
            raise _Bad(f"wrong type for authors[{i}]: {_type_name(name)}")
        name = collapse_ws(name)
        if name:
            names.append(name)
    return tuple(names)


def _upvotes(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(f"wrong type for upvotes: {_type_name(value)}")
    if value < 0:
        raise _Bad(f"negative upvotes: {value}")
    return value


def _paper(
    raw: Mapping[Any, Any],
    source: str,
    max_abstract_chars: int,
    max_title_chars: int,
    feed_date: date | None,
) -> Paper:
    pid = raw.get("id")
    if pid is None:
        raise _Bad("missing id")
    if not isinstance(pid, str):
        raise _Bad(f"wrong type for id: {_type_name(pid)}")
    try:
        base, _version = split_arxiv_id(pid)
    except ValueError as err:
        raise _Bad(str(err)) from None
    title = _text(raw, "title", max_title_chars)
    abstract = _text(raw, "abstract", max_abstract_chars)
    if feed_date is not None:
        day = feed_date
    elif raw.get("date") is None:
        raise _Bad("missing date")
    else:
        day = _parse_day(raw["date"], "date")
    published_raw = raw.get("published")
    published = None if published_raw is None else _parse_day(published_raw, "published")
    upvotes = _upvotes(raw.get("upvotes"))
    authors = _authors(raw.get("authors"))
    own_source = raw.get("source")
    if own_source is not None and not isinstance(own_source, str):
        raise _Bad(f"wrong type for source: {_type_name(own_source)}")
    return Paper(
        id=base,
        title=title,
        abstract=abstract,
        date=day,
        published=published,
        upvotes=upvotes,
        authors=authors,
        source=own_source.strip() if own_source and own_source.strip() else source,
    )


def to_paper(
    raw: Mapping[str, Any],
    *,
    source: str,
    ref: str,
    max_abstract_chars: int,
    max_title_chars: int,
    feed_date: date | None = None,
) -> Paper | Rejected:
    """Validate and normalise one record; never raises on bad data.

    ``source`` names the source ("hf_daily", "arxiv", "local:papers.jsonl"); it becomes
    ``Paper.source`` unless the record carries its own non-empty ``source`` string (the shared
    data files name the upstream archive there). ``ref`` says where the record came from
    ("papers.jsonl:17"). When ``feed_date`` is given it is the paper's ``date`` (the record's own
    ``date`` is then not consulted), as for the HF feed whose day is the requested day.
    """
    if not isinstance(raw, Mapping):
        return Rejected(source, ref, f"record is not an object: {_type_name(raw)}", raw_json(raw))
    try:
        return _paper(raw, source, max_abstract_chars, max_title_chars, feed_date)
    except _Bad as bad:
        return Rejected(source=source, ref=ref, reason=str(bad), raw=raw_json(raw))
