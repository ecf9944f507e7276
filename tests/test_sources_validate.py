"""Tests of the record validator shared by all sources (trends.sources.validate)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trends.records import Paper, Rejected
from trends.sources.validate import MAX_RAW_CHARS, split_arxiv_id, to_paper

GOOD: dict[str, Any] = {
    "id": "2501.12948",
    "title": "DeepSeek-R1:  Incentivizing\nReasoning",
    "abstract": "We introduce  our first-generation\n reasoning models. " * 5,
    "date": "2025-01-22",
    "published": "2025-01-20",
    "upvotes": 12,
    "authors": ["DeepSeek-AI", " Daya  Guo "],
    "source": "github:someone/archive",
}


def check(raw: Any, **kw: Any) -> Paper | Rejected:
    kw.setdefault("max_abstract_chars", 10_000)
    kw.setdefault("max_title_chars", 1_000)
    return to_paper(raw, source="local:t.jsonl", ref="t.jsonl:1", **kw)


def reason(raw: Any, **kw: Any) -> str:
    result = check(raw, **kw)
    assert isinstance(result, Rejected), result
    assert result.source == "local:t.jsonl"
    assert result.ref == "t.jsonl:1"
    return result.reason


def with_(**changes: Any) -> dict[str, Any]:
    rec = dict(GOOD)
    for k, v in changes.items():
        if v is ...:
            rec.pop(k)
        else:
            rec[k] = v
    return rec


def test_good_record_is_normalised() -> None:
    p = check(GOOD)
    assert isinstance(p, Paper)
    assert p.id == "2501.12948"
    assert p.title == "DeepSeek-R1: Incentivizing Reasoning"
    assert "  " not in p.abstract and "\n" not in p.abstract
    assert p.date == date(2025, 1, 22)
    assert p.published == date(2025, 1, 20)
    assert p.upvotes == 12
    assert p.authors == ("DeepSeek-AI", "Daya Guo")
    assert p.source == "github:someone/archive"


def test_source_kwarg_used_when_record_has_none() -> None:
    p = check(with_(source=...))
    assert isinstance(p, Paper) and p.source == "local:t.jsonl"


@pytest.mark.parametrize(
    ("raw_id", "expected"),
    [
        ("2501.12948v2", "2501.12948"),
        ("2501.1294v11", "2501.1294"),
        ("arXiv:2501.12948", "2501.12948"),
        ("cs/0101001", "cs/0101001"),
        ("hep-th/9901001v3", "hep-th/9901001"),
        ("math.AG/0601001", "math.AG/0601001"),
    ],
)
def test_id_forms(raw_id: str, expected: str) -> None:
    p = check(with_(id=raw_id))
    assert isinstance(p, Paper) and p.id == expected


def test_split_arxiv_id_returns_version() -> None:
    assert split_arxiv_id("2501.12948v2") == ("2501.12948", 2)
    assert split_arxiv_id("cs/0101001") == ("cs/0101001", None)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"id": ...}, "missing id"),
        ({"id": 2501.12948}, "wrong type for id: float"),
        ({"id": "not-an-id"}, "invalid arXiv id 'not-an-id'"),
        ({"id": "2501.12948v"}, "invalid arXiv id '2501.12948v'"),
        ({"title": ...}, "missing title"),
        ({"title": "  \n "}, "empty title"),
        ({"title": ["a"]}, "wrong type for title: list"),
        ({"abstract": ...}, "missing abstract"),
        ({"abstract": None}, "missing abstract"),
        ({"abstract": 3}, "wrong type for abstract: int"),
        ({"date": ...}, "missing date"),
        ({"date": "2024-13-45"}, "unparseable date '2024-13-45'"),
        ({"date": "yesterday"}, "unparseable date 'yesterday'"),
        ({"date": 20240101}, "wrong type for date: int"),
        ({"published": "2024-02-30"}, "unparseable published '2024-02-30'"),
        ({"upvotes": "12"}, "wrong type for upvotes: str"),
        ({"upvotes": 1.5}, "wrong type for upvotes: float"),
        ({"upvotes": True}, "wrong type for upvotes: bool"),
        ({"upvotes": -1}, "negative upvotes: -1"),
        ({"authors": "A. Author"}, "wrong type for authors: str"),
        ({"authors": ["A", 3]}, "wrong type for authors[1]: int"),
        ({"authors": [{"nom": "A"}]}, "missing name in authors[0]"),
        ({"source": 7}, "wrong type for source: int"),
    ],
)
def test_rejection_reasons(changes: dict[str, Any], expected: str) -> None:
    assert reason(with_(**changes)) == expected


def test_too_long_texts_are_rejected_with_sizes() -> None:
    assert reason(with_(abstract="x" * 60_000)) == "abstract too long: 60000 chars > 10000"
    assert reason(with_(title="t" * 30), max_title_chars=20) == "title too long: 30 chars > 20"


def test_date_forms() -> None:
    for value, expected in [
        ("2025-01-14T18:57:21.000Z", date(2025, 1, 14)),
        ("2025-01-14 03:00:00+02:00", date(2025, 1, 14)),
        (date(2025, 1, 14), date(2025, 1, 14)),
        (datetime(2025, 1, 14, 23, 59), date(2025, 1, 14)),
    ]:
        p = check(with_(date=value))
        assert isinstance(p, Paper) and p.date == expected


def test_feed_date_overrides_record_date() -> None:
    p = check(with_(date=...), feed_date=date(2025, 1, 20))
    assert isinstance(p, Paper) and p.date == date(2025, 1, 20)


def test_authors_as_name_objects_and_null_fields() -> None:
    p = check(with_(authors=[{"name": "Jiwen Yu", "hidden": False}], upvotes=None, published=None))
    assert isinstance(p, Paper)
    assert p.authors == ("Jiwen Yu",) and p.upvotes is None and p.published is None


def test_rejected_raw_is_json_truncated() -> None:
    r = check(with_(abstract="y" * 50_000))
    assert isinstance(r, Rejected)
    assert len(r.raw) == MAX_RAW_CHARS
    assert r.raw.startswith('{"id": "2501.12948"')


def test_non_mapping_is_rejected() -> None:
    r = check(["2501.12948"])
    assert isinstance(r, Rejected) and r.reason == "record is not an object: list"
    assert json.loads(r.raw) == ["2501.12948"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
id_like = st.from_regex(r"\A(\d{4}\.\d{4,5}|cs/\d{7})(v\d{1,2})?\Z") | st.text(max_size=15)
date_like = st.dates().map(date.isoformat) | st.text(max_size=12) | json_values
field_values = {
    "id": id_like | json_values,
    "title": st.text(max_size=40) | json_values,
    "abstract": st.text(max_size=300) | json_values,
    "date": date_like,
    "published": date_like,
    "upvotes": st.integers(-5, 10**6) | json_values,
    "authors": st.lists(st.text(max_size=10) | st.fixed_dictionaries({"name": st.text()}))
    | json_values,
    "source": st.text(max_size=10) | json_values,
}
records = st.fixed_dictionaries({}, optional=field_values) | st.dictionaries(
    st.text(max_size=10), json_values
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records)
def test_to_paper_never_raises(raw: dict[str, Any]) -> None:
    result = to_paper(raw, source="prop", ref="r", max_abstract_chars=200, max_title_chars=20)
    assert isinstance(result, Paper | Rejected)
    if isinstance(result, Paper):
        assert not re.search(r"v\d+$", result.id)
        assert split_arxiv_id(result.id)[1] is None
        assert result.title and len(result.title) <= 20
        assert result.abstract and len(result.abstract) <= 200
        assert isinstance(result.date, date)
    else:
        assert result.reason and len(result.raw) <= MAX_RAW_CHARS
