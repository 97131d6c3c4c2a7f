"""The store: SQL shared by both backends, with optimistic concurrency.

Every write is one transaction. An update names the version it was based on
and fails with StaleVersion if another write came first, so two editors never
silently overwrite each other. Each write also appends the full document to
`revisions`, so history is never overwritten; nothing is ever deleted
(retraction is a status).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson

from feed.store.migrations import MIGRATIONS


class NotFound(Exception):
    pass


class Conflict(Exception):
    """A fact-check with this slug exists already."""


class StaleVersion(Exception):
    """The write was based on a version that is no longer current."""

    def __init__(self, current: int):
        self.current = current
        super().__init__(f"current version is {current}")


@dataclass(frozen=True)
class Record:
    slug: str
    version: int
    status: str
    document: dict[str, Any]
    created_at: str
    updated_at: str

    @property
    def etag(self) -> str:
        return f'"{self.slug}.v{self.version}"'


@dataclass(frozen=True)
class Revision:
    version: int
    status: str
    document: dict[str, Any]
    recorded_at: str


_COLUMNS = "slug, version, status, document, created_at, updated_at"


class Store(ABC):
    """Shared SQL over a DB-API connection, one connection per thread."""

    id_column: str  # auto-increment primary key type, for migrations
    integrity_errors: tuple[type[Exception], ...]

    def __init__(self) -> None:
        self._local = threading.local()
        self._opened: list[Any] = []  # every thread's connection, so close() can reach them
        self._opened_lock = threading.Lock()

    # -- backend hooks -------------------------------------------------------

    @abstractmethod
    def _connect(self) -> Any: ...

    @abstractmethod
    def _begin(self, cursor: Any) -> None:
        """Start a write transaction that holds its lock until commit."""

    def _sql(self, statement: str) -> str:
        return statement

    def close(self) -> None:
        """Close every thread's connection; a later call on any thread reconnects."""
        with self._opened_lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            connection.close()
        self._local = threading.local()

    # -- plumbing ------------------------------------------------------------

    def _connection(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self._connect()
            with self._opened_lock:
                self._opened.append(connection)
        return connection

    def _query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self._connection().cursor()
        try:
            cursor.execute(self._sql(statement), tuple(params))
            return list(cursor.fetchall())
        finally:
            cursor.close()

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        cursor = self._connection().cursor()
        try:
            self._begin(cursor)
            yield _Cursor(cursor, self._sql)
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        finally:
            cursor.close()

    # -- schema --------------------------------------------------------------

    def migrate(self) -> list[int]:
        """Apply pending migrations; returns the versions applied."""
        applied: list[int] = []
        with self._transaction() as cur:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL)"
            )
            cur.execute("SELECT version FROM schema_migrations")
            done = {row[0] for row in cur.fetchall()}
            for version, description, statements in MIGRATIONS:
                if version in done:
                    continue
                for statement in statements:
                    cur.execute(statement.replace("{id}", self.id_column))
                cur.execute(
                    "INSERT INTO schema_migrations (version, description) VALUES (?, ?)",
                    (version, description),
                )
                applied.append(version)
        return applied

    def schema_version(self) -> int:
        rows = self._query("SELECT MAX(version) FROM schema_migrations")
        return int(rows[0][0] or 0)

    # -- fact-checks ---------------------------------------------------------

    def create(self, document: dict[str, Any], now: str, published_at: str | None) -> Record:
        """Insert a new fact-check at version 1. Raises Conflict if the slug is taken."""
        with self._transaction() as cur:
            return self._insert(cur, document, now, published_at)

    def create_many(self, items: Sequence[tuple[dict[str, Any], str | None]], now: str) -> int:
        """Insert several fact-checks in one transaction: all of them, or none."""
        with self._transaction() as cur:
            for document, published_at in items:
                self._insert(cur, document, now, published_at)
        return len(items)

    def _insert(self, cur: _Cursor, document: dict[str, Any], now: str, published_at: str | None) -> Record:
        slug, status = document["slug"], document.get("status", "draft")
        body = orjson.dumps(document).decode()
        cur.execute("SELECT 1 FROM factchecks WHERE slug = ?", (slug,))
        if cur.fetchall():
            raise Conflict(slug)
        try:
            cur.execute(
                "INSERT INTO factchecks (slug, version, status, document, published_at, "
                "created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?)",
                (slug, status, body, published_at, now, now),
            )
        except self.integrity_errors as exc:  # a concurrent create won the race
            raise Conflict(slug) from exc
        self._record_revision(cur, slug, 1, status, body, now)
        return Record(slug, 1, status, document, now, now)

    def update(
        self,
        slug: str,
        document: dict[str, Any],
        expected_version: int,
        now: str,
        published_at: str | None,
    ) -> Record:
        """Replace the current document if `expected_version` is still current."""
        status = document.get("status", "draft")
        body = orjson.dumps(document).decode()
        with self._transaction() as cur:
            cur.execute(
                "UPDATE factchecks SET version = version + 1, status = ?, document = ?, "
                "published_at = ?, updated_at = ? WHERE slug = ? AND version = ?",
                (status, body, published_at, now, slug, expected_version),
            )
            if cur.rowcount != 1:
                cur.execute("SELECT version FROM factchecks WHERE slug = ?", (slug,))
                rows = cur.fetchall()
                if not rows:
                    raise NotFound(slug)
                raise StaleVersion(rows[0][0])
            cur.execute(f"SELECT {_COLUMNS} FROM factchecks WHERE slug = ?", (slug,))
            record = _record(cur.fetchall()[0])
            self._record_revision(cur, slug, record.version, status, body, now)
        return record

    def _record_revision(self, cur: _Cursor, slug: str, version: int, status: str, body: str, now: str) -> None:
        cur.execute(
            "INSERT INTO revisions (slug, version, status, document, recorded_at) VALUES (?, ?, ?, ?, ?)",
            (slug, version, status, body, now),
        )

    def get(self, slug: str) -> Record | None:
        rows = self._query(f"SELECT {_COLUMNS} FROM factchecks WHERE slug = ?", (slug,))
        return _record(rows[0]) if rows else None

    def newest(self, statuses: Sequence[str], limit: int, offset: int = 0) -> list[Record]:
        """Fact-checks with these statuses, newest publication first (drafts by last change)."""
        marks = ", ".join("?" for _ in statuses)
        rows = self._query(
            f"SELECT {_COLUMNS} FROM factchecks WHERE status IN ({marks}) "
            "ORDER BY COALESCE(published_at, updated_at) DESC, slug ASC LIMIT ? OFFSET ?",
            (*statuses, limit, offset),
        )
        return [_record(row) for row in rows]

    def count(self, statuses: Sequence[str]) -> int:
        marks = ", ".join("?" for _ in statuses)
        rows = self._query(f"SELECT COUNT(*) FROM factchecks WHERE status IN ({marks})", statuses)
        return int(rows[0][0])

    def all_records(self) -> Iterator[Record]:
        """Every fact-check, in slug order (for export)."""
        for row in self._query(f"SELECT {_COLUMNS} FROM factchecks ORDER BY slug"):
            yield _record(row)

    def revisions(self, slug: str) -> list[Revision]:
        rows = self._query(
            "SELECT version, status, document, recorded_at FROM revisions WHERE slug = ? ORDER BY version",
            (slug,),
        )
        return [Revision(r[0], r[1], orjson.loads(r[2]), r[3]) for r in rows]

    # -- API tokens ----------------------------------------------------------

    def add_token(self, key_id: str, name: str, secret_hash: str, now: str) -> None:
        with self._transaction() as cur:
            cur.execute(
                "INSERT INTO tokens (key_id, name, secret_hash, created_at) VALUES (?, ?, ?, ?)",
                (key_id, name, secret_hash, now),
            )

    def token_hash(self, key_id: str) -> tuple[str, str] | None:
        """(name, secret_hash) for a token's key id."""
        rows = self._query("SELECT name, secret_hash FROM tokens WHERE key_id = ?", (key_id,))
        return (rows[0][0], rows[0][1]) if rows else None


class _Cursor:
    """A cursor that rewrites placeholders for the backend."""

    def __init__(self, cursor: Any, sql: Any):
        self._cursor, self._sql = cursor, sql

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        self._cursor.execute(self._sql(statement), tuple(params))

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self._cursor.fetchall())

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)


def _record(row: tuple[Any, ...]) -> Record:
    slug, version, status, document, created_at, updated_at = row
    return Record(slug, int(version), status, orjson.loads(document), created_at, updated_at)
