"""SQL plumbing shared by both backends: connections lent by the backend, explicit transactions,
versioned migrations, and `?` placeholders rewritten for the backend.

A lost connection (the server restarted, failed over or ended it) is the backend's to detect.
Reads are retried once on a fresh connection, since running them twice changes nothing. A
write is never retried, as its statements may have run: the transaction is rolled back by the
server, so it is applied whole or not at all, and StoreUnavailable tells the caller to try later.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from feed.store.migrations import BACKFILLS, MIGRATIONS


class StoreUnavailable(Exception):
    """The database cannot be reached just now; nothing was half-written. Try again later."""


class SQLBase(ABC):
    """The transaction, retry and migration machinery over a backend's connections."""

    id_column: str  # auto-increment primary key type, for migrations
    tag_column: str  # a text type compared byte by byte, for migrations (see language_filter)
    document_language: str  # SQL for the `language` of a row's JSON `document`, for backfills
    document_translations: str  # SQL for a table `t` of the slugs (`value`) in `f.document`'s translations
    # SQL for a row's `document`'s originalUrl when its originalIsCanonical is true, else NULL (backfills)
    document_canonical_url: str
    search_text_schema: tuple[str, ...]  # the statements that make the backend's word index (migration 13)
    integrity_errors: tuple[type[Exception], ...]

    # -- backend hooks -------------------------------------------------------

    @abstractmethod
    def _checkout(self, timeout: float | None = None) -> AbstractContextManager[Any]:
        """A live DB-API connection in autocommit mode, for one statement or one transaction.

        Raises StoreUnavailable if none can be had within `timeout` seconds (None: the backend's own).
        """

    def _lost(self, connection: Any, error: Exception) -> bool:
        """Whether `error` means the connection broke, rather than the statement failing."""
        return False

    @abstractmethod
    def _begin(self, cursor: Any) -> None:
        """Start a write transaction that holds its lock until commit."""

    def _sql(self, statement: str) -> str:
        return statement

    @abstractmethod
    def close(self) -> None:
        """Close every connection; a later call reconnects."""

    # -- plumbing ------------------------------------------------------------

    def _query(self, statement: str, params: Sequence[Any] = (), timeout: float | None = None) -> list[tuple[Any, ...]]:
        for attempt in (1, 2):
            with self._checkout(timeout) as connection:
                cursor = connection.cursor()
                try:
                    cursor.execute(self._sql(statement), tuple(params))
                    return list(cursor.fetchall())
                except Exception as exc:
                    if not self._lost(connection, exc):
                        raise
                    if attempt == 2:
                        raise StoreUnavailable("the database connection was lost twice in a row") from exc
                finally:
                    cursor.close()
        raise AssertionError("unreachable")

    @contextmanager
    def _transaction(self) -> Iterator[Cursor]:
        with self._checkout() as connection:
            cursor = connection.cursor()
            try:
                self._begin(cursor)
                yield Cursor(cursor, self._sql)
                cursor.execute("COMMIT")
            except BaseException as exc:
                lost = isinstance(exc, Exception) and self._lost(connection, exc)
                if not lost:
                    try:
                        cursor.execute("ROLLBACK")
                    except Exception as rollback_error:
                        if not self._lost(connection, rollback_error):
                            raise
                        lost = True
                if lost:
                    # The server rolls back what was not committed when its connection ends. A
                    # COMMIT that was cut off may have landed: retrying then meets a newer version.
                    raise StoreUnavailable("the database connection was lost during a write") from exc
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
                for statement in (*statements, *BACKFILLS.get(version, ())):
                    for each in self.search_text_schema if statement == "{search_text_schema}" else (statement,):
                        cur.execute(self.migration_sql(each))
                cur.execute(
                    "INSERT INTO schema_migrations (version, description) VALUES (?, ?)",
                    (version, description),
                )
                applied.append(version)
        return applied

    def migration_sql(self, statement: str) -> str:
        """A statement of feed.store.migrations with this backend's placeholders filled in."""
        return (
            statement.replace("{id}", self.id_column)
            .replace("{tag}", self.tag_column)
            .replace("{document_language}", self.document_language)
            .replace("{document_translations}", self.document_translations)
            .replace("{document_canonical_url}", self.document_canonical_url)
        )

    def schema_version(self) -> int:
        rows = self._query("SELECT MAX(version) FROM schema_migrations")
        return int(rows[0][0] or 0)

    def pending_migrations(self, timeout: float | None = None) -> list[int]:
        """Migrations this release has that the database lacks (a readiness check: one cheap query).

        Raises StoreUnavailable if no connection is had within `timeout` seconds.
        """
        done = {int(row[0]) for row in self._query("SELECT version FROM schema_migrations", (), timeout)}
        return [version for version, _, _ in MIGRATIONS if version not in done]

    # -- consistent reads ----------------------------------------------------

    def _begin_snapshot(self, cursor: Any) -> None:
        """Start a read transaction that sees one moment of the store (a deferred BEGIN on SQLite)."""
        cursor.execute("BEGIN")

    @contextmanager
    def _snapshot(self) -> Iterator[Cursor]:
        """A read transaction: every query through the cursor sees the same committed state."""
        with self._checkout() as connection:
            cursor = connection.cursor()
            try:
                self._begin_snapshot(cursor)
                yield Cursor(cursor, self._sql)
            except Exception as exc:
                if self._lost(connection, exc):
                    raise StoreUnavailable("the database connection was lost during a backup") from exc
                raise
            finally:
                try:
                    cursor.execute("ROLLBACK")  # nothing was written; ending it releases the snapshot
                except Exception as exc:
                    if not self._lost(connection, exc):
                        raise
                finally:
                    cursor.close()


def language_filter(column: str, language: str | None) -> tuple[str, tuple[str, ...]]:
    """An SQL condition (starting with AND) and its parameters: `column` holds `language` or a
    form of it (es: es, es-mx, es-419; es-mx: es-mx, es-mx-...); nothing for None.

    Tags are stored in lower case and compared byte by byte (migration 4), where `-` sorts just
    before `.`: every tag from `es` up to `es.` is `es` or starts with `es-`, so one index range
    finds them, and the second condition keeps exactly those.
    """
    if language is None:
        return "", ()
    tag = language.lower()
    condition = f" AND {column} >= ? AND {column} < ? AND ({column} = ? OR {column} >= ?)"
    return condition, (tag, tag + ".", tag, tag + "-")


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
