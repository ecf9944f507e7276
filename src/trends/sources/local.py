"""Local paper files: JSON Lines, CSV and Parquet, in the shared record format.

Supported (by file name, case-insensitive): ``.jsonl``, ``.jsonl.gz``, ``.ndjson``, ``.json``
(JSON Lines, or one JSON array of records), ``.json.gz``, ``.csv``, ``.csv.gz``, ``.parquet``.
Each row goes through :func:`~trends.sources.validate.to_paper`; a bad row becomes a rejected row
whose ``ref`` is ``file:LINE`` (JSON Lines, CSV) or ``file:ROW`` (Parquet, 1-based; a JSON array
item ``file[INDEX]``). In CSV, ``authors`` is a JSON list or a ``;``-separated string and empty
cells are nulls. A file that cannot be read at all raises :class:`SourceFormatError`.
A repeated id keeps its first record and counts in ``duplicates``.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from trends.errors import SourceFormatError
from trends.records import IngestBatch, Paper, Rejected
from trends.sources.validate import MAX_RAW_CHARS, to_paper

SUPPORTED = (
    "JSON Lines (.jsonl, .jsonl.gz, .ndjson, .json, .json.gz), "
    "CSV (.csv, .csv.gz) and Parquet (.parquet)"
)
_JSON_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".json", ".json.gz")
_CSV_SUFFIXES = (".csv", ".csv.gz")
_INT_TEXT = re.compile(r"\s*\d+(?:\.0*)?\s*")

# (ref, record or (reason, raw text)) for each row of a file, in order
_Row = tuple[str, Any]


class _Broken:
    """A row that could not even be decoded into a record."""

    __slots__ = ("raw", "reason")

    def __init__(self, reason: str, raw: str) -> None:
        self.reason = reason
        self.raw = raw[:MAX_RAW_CHARS]


def _open(path: Path) -> BinaryIO:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _json_rows(path: Path) -> Iterator[_Row]:
    name = path.name
    with _open(path) as fh:
        head = fh.peek(64)[:64] if hasattr(fh, "peek") else b""
        if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
            yield from _json_array_rows(name, fh.read())
            return
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            ref = f"{name}:{lineno}"
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as err:
                yield ref, _Broken(f"invalid UTF-8: {err.reason}", line.decode("utf-8", "replace"))
                continue
            text = text.rstrip("\r\n")
            if lineno == 1:
                text = text.lstrip("\ufeff")
            try:
                yield ref, json.loads(text)
            except json.JSONDecodeError as err:
                yield ref, _Broken(f"broken JSON: {err.msg} (column {err.colno})", text)
            except RecursionError:
                yield ref, _Broken("broken JSON: nested too deeply", text)


def _json_array_rows(name: str, data: bytes) -> Iterator[_Row]:
    try:
        items = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise SourceFormatError(
            f"{name}: starts like a JSON array but is not valid JSON ({err}); "
            f"supported: {SUPPORTED}"
        ) from None
    if not isinstance(items, list):
        raise SourceFormatError(f"{name}: expected a JSON array of records")
    for i, item in enumerate(items):
        yield f"{name}[{i}]", item


def _none_if_blank(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _tabular_authors(value: Any) -> Any:
    if not isinstance(value, str):
        return value.tolist() if hasattr(value, "tolist") else value
    text = value.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text  # rejected as "wrong type for authors: str"
    return [part.strip() for part in text.split(";") if part.strip()]


def _tabular_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """Undo what a table format does to records: blank cells, text or float numbers."""
    rec = {str(k): _none_if_blank(v) for k, v in row.items() if k is not None}
    up = rec.get("upvotes")
    if isinstance(up, str) and _INT_TEXT.fullmatch(up):
        rec["upvotes"] = int(float(up))
    elif isinstance(up, float) and up.is_integer():
        rec["upvotes"] = int(up)
    if rec.get("authors") is not None:
        rec["authors"] = _tabular_authors(rec["authors"])
    return rec


def _csv_rows(path: Path) -> Iterator[_Row]:
    name = path.name
    csv.field_size_limit(2**31 - 1)
    with _open(path) as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        if "id" not in header:
            raise SourceFormatError(
                f"{name}: CSV header has no 'id' column (found: {', '.join(header) or 'none'}); "
                "expected columns id, title, abstract, date, published, upvotes, authors"
            )
        line = reader.line_num
        for row in reader:
            start, line = line + 1, reader.line_num
            yield f"{name}:{start}", _tabular_record(row)


def _parquet_rows(path: Path) -> Iterator[_Row]:
    import pyarrow.parquet as pq

    name = path.name
    try:
        table = pq.read_table(path)
    except Exception as err:  # pyarrow raises ArrowInvalid, OSError, ... for a bad file
        raise SourceFormatError(f"{name}: not a readable Parquet file ({err})") from None
    for i, row in enumerate(table.to_pylist(), start=1):
        yield f"{name}:{i}", _tabular_record(row)


def _rows(path: Path) -> Iterable[_Row]:
    lower = path.name.lower()
    if lower.endswith(_JSON_SUFFIXES):
        return _json_rows(path)
    if lower.endswith(_CSV_SUFFIXES):
        return _csv_rows(path)
    if lower.endswith(".parquet"):
        return _parquet_rows(path)
    raise SourceFormatError(f"{path}: unknown file type; supported: {SUPPORTED}")


def read_local(path: str | Path, *, max_abstract_chars: int, max_title_chars: int) -> IngestBatch:
    """Read every record of a local file; bad rows come back as rejected rows.

    Raises :class:`SourceFormatError` when the file is missing, has an unsupported extension,
    or cannot be decoded as its format (corrupt gzip, not Parquet, CSV without an ``id`` column).
    """
    p = Path(path)
    rows = _rows(p)  # checks the extension first
    if not p.is_file():
        raise SourceFormatError(f"{p}: no such file (supported formats: {SUPPORTED})")
    source = f"local:{p.name}"
    batch = IngestBatch()
    seen: set[str] = set()
    try:
        for ref, record in rows:
            if isinstance(record, _Broken):
                batch.rejected.append(Rejected(source, ref, record.reason, record.raw))
                continue
            result = to_paper(
                record,
                source=source,
                ref=ref,
                max_abstract_chars=max_abstract_chars,
                max_title_chars=max_title_chars,
            )
            if not isinstance(result, Paper):
                batch.rejected.append(result)
            elif result.id in seen:
                batch.duplicates += 1
            else:
                seen.add(result.id)
                batch.papers.append(result)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error) as err:
        raise SourceFormatError(
            f"{p}: cannot be read as {_kind(p)} ({type(err).__name__}: {err}); "
            f"supported: {SUPPORTED}"
        ) from None
    return batch


def _kind(path: Path) -> str:
    lower = path.name.lower()
    if lower.endswith(_CSV_SUFFIXES):
        return "CSV"
    return "Parquet" if lower.endswith(".parquet") else "JSON Lines"
