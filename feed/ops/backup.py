"""The backup file: every row of the store as versioned JSON Lines, gzipped when named `.gz`.

    {"format": "factcard-backup", "format_version": 1, "schema_version": 3, "created_at": ..., "tables": {...}}
    ["factchecks", ["a-slug", 4, "published", "{...}", ...]]      one line per row, in dependency order
    {"end": {"rows": {"factchecks": 418, ...}, "sha256": "..."}}   the digest of every line before it

The header names each table's columns, so a backup from an older schema restores into a
newer one. The trailer is what tells a whole file from a cut one: a restore that does
not reach it, or finds a different count or digest, rolls back and writes nothing.
Stored text (documents included) is kept as the exact string the store held.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, cast

import orjson

from feed.store import Store
from feed.store.backup import TABLES, BackupError, Row, restore, snapshot
from feed.store.clock import stamp
from feed.store.search import Categorize

FORMAT = "factcard-backup"
FORMAT_VERSION = 1
_GZIP_MAGIC = b"\x1f\x8b"


class Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...


__all__ = ["BackupError", "backup_to", "restore_from", "write_backup"]


def write_backup(store: Store, out: Sink, now: datetime) -> dict[str, int]:
    """Write the whole store, as one snapshot, to `out`; returns the rows written per table."""
    digest = hashlib.sha256()

    def line(value: Any) -> None:
        data = orjson.dumps(value) + b"\n"
        digest.update(data)
        out.write(data)

    counts: dict[str, int] = {}
    with snapshot(store) as snap:
        line({
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "schema_version": snap.schema_version,
            "created_at": stamp(now),
            "tables": {table.name: list(table.columns) for table in TABLES},
        })  # fmt: skip
        for table in TABLES:
            counts[table.name] = 0
            for row in snap.rows(table):
                line([table.name, list(row)])
                counts[table.name] += 1
    out.write(orjson.dumps({"end": {"rows": counts, "sha256": digest.hexdigest()}}) + b"\n")
    return counts


def backup_to(store: Store, path: str, now: datetime) -> dict[str, int]:
    """Back up to a file (gzipped if it ends in .gz), or to stdout for `-`.

    The file is written beside its final name and renamed into place once complete, so
    an interrupted backup never leaves a partial file where a good one was.
    """
    if path == "-":
        counts = write_backup(store, sys.stdout.buffer, now)
        sys.stdout.buffer.flush()
        return counts
    final = Path(path)
    partial = final.with_name(f".{final.name}.partial-{os.getpid()}")
    # Readable by its owner only: it holds drafts and token hashes.
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as raw:
            if final.name.endswith(".gz"):
                with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as zipped:
                    counts = write_backup(store, zipped, now)
            else:
                counts = write_backup(store, raw, now)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    return counts


# -- restore -------------------------------------------------------------------


@dataclass(frozen=True)
class _Header:
    schema_version: int
    tables: dict[str, list[str]]
    line: bytes  # as read, for the digest


def restore_from(store: Store, path: str, categorize: Categorize) -> dict[str, int]:
    """Restore a backup file (plain or gzipped; `-` for stdin) into an empty store, and build its
    search index (`categorize`: each claim's verdict category, feed.core.representation).

    Raises BackupError, having written nothing, for a damaged or foreign file or a store
    that is not empty. Returns the rows restored per table.
    """
    with _open(path) as stream:
        lines = _lines(stream)
        header = _header(next(lines, None))
        return restore(store, header.schema_version, header.tables, _rows(lines, header), categorize)


@contextmanager
def _open(path: str) -> Iterator[Iterable[bytes]]:
    # Both are buffered readers, which can look at the first bytes without consuming them.
    raw = cast(io.BufferedReader, sys.stdin.buffer if path == "-" else open(path, "rb"))
    try:
        if raw.peek(2)[:2] == _GZIP_MAGIC:
            with gzip.GzipFile(fileobj=raw, mode="rb") as zipped:
                yield zipped
        else:
            yield raw
    finally:
        if raw is not sys.stdin.buffer:
            raw.close()


def _lines(stream: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """(line number, line) pairs; a cut or corrupt compressed stream is a BackupError."""
    number = 0
    try:
        for number, data in enumerate(stream, 1):
            yield number, data
    except (EOFError, gzip.BadGzipFile, OSError) as exc:
        raise BackupError(f"the file is damaged after line {number}: {exc}") from exc


def _parse(number: int, data: bytes) -> Any:
    if not data.endswith(b"\n"):
        raise BackupError(f"the file ends in the middle of line {number}: it is truncated")
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise BackupError(f"line {number} is not valid JSON ({exc}): the file is damaged") from exc


def _header(first: tuple[int, bytes] | None) -> _Header:
    if first is None:
        raise BackupError("the file is empty: it is not a factcard backup")
    if not first[1].endswith(b"\n") and FORMAT.encode() in first[1]:
        raise BackupError("the file ends in the middle of its first line: it is truncated")
    try:
        header = orjson.loads(first[1])
    except orjson.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(f"the file does not start with a {FORMAT} header: it is not a factcard backup")
    version = header.get("format_version")
    if version != FORMAT_VERSION:
        raise BackupError(
            f"the file has backup format version {version!r}; this factcard reads version {FORMAT_VERSION}"
        )
    schema_version, tables = header.get("schema_version"), header.get("tables")
    if (
        type(schema_version) is not int
        or not isinstance(tables, dict)
        or not all(isinstance(c, list) and all(isinstance(n, str) for n in c) for c in tables.values())
    ):
        raise BackupError("the file's header is damaged (schema_version or tables)")
    return _Header(schema_version, tables, first[1])


def _rows(lines: Iterator[tuple[int, bytes]], header: _Header) -> Iterator[tuple[str, Row]]:
    """Each row, checked against the header; at the end, the trailer's counts and digest."""
    digest = hashlib.sha256(header.line)
    counts = dict.fromkeys(header.tables, 0)
    number = 1
    for number, data in lines:
        value = _parse(number, data)
        if isinstance(value, dict):
            _trailer(value, number, counts, digest.hexdigest())
            extra = next(lines, None)
            if extra is not None:
                raise BackupError(f"line {extra[0]} follows the end of the backup: the file is damaged")
            return
        if not (isinstance(value, list) and len(value) == 2 and value[0] in header.tables):
            raise BackupError(f"line {number} is not a row of a table named in the header: the file is damaged")
        table, row = value
        if not isinstance(row, list) or len(row) != len(header.tables[table]):
            raise BackupError(f"line {number}: a {table} row needs {len(header.tables[table])} values")
        if not all(cell is None or type(cell) in (str, int) for cell in row):
            raise BackupError(f"line {number}: a {table} value is not text, an integer or null")
        digest.update(data)
        counts[table] += 1
        yield table, tuple(row)
    raise BackupError(f"the file ends after line {number} without its closing line: it is truncated")


def _trailer(value: dict[str, Any], number: int, counts: dict[str, int], digest: str) -> None:
    end = value.get("end")
    if not isinstance(end, dict):
        raise BackupError(f"line {number} is neither a row nor the closing line: the file is damaged")
    if end.get("rows") != counts:
        raise BackupError(f"the closing line counts {end.get('rows')} rows but the file holds {counts}: it is damaged")
    if end.get("sha256") != digest:
        raise BackupError("the file's checksum does not match its contents: it is damaged")
