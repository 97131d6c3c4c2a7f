"""SQL plumbing shared by both backends: one connection per thread, explicit transactions,
versioned migrations, and `?` placeholders rewritten for the backend."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from feed.store.migrations import MIGRATIONS


class SQLBase(ABC):
    """A DB-API connection per thread, and the transaction and migration machinery."""

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
    def _transaction(self) -> Iterator[Cursor]:
        cursor = self._connection().cursor()
        try:
            self._begin(cursor)
            yield Cursor(cursor, self._sql)
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

    # -- consistent reads ----------------------------------------------------

    def _begin_snapshot(self, cursor: Any) -> None:
        """Start a read transaction that sees one moment of the store (a deferred BEGIN on SQLite)."""
        cursor.execute("BEGIN")

    @contextmanager
    def _snapshot(self) -> Iterator[Cursor]:
        """A read transaction: every query through the cursor sees the same committed state."""
        cursor = self._connection().cursor()
        try:
            self._begin_snapshot(cursor)
        except BaseException:
            cursor.close()
            raise
        try:
            yield Cursor(cursor, self._sql)
        finally:
            try:
                cursor.execute("ROLLBACK")  # nothing was written; ending it releases the snapshot
            finally:
                cursor.close()


class Cursor:
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
