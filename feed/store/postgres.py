"""The PostgreSQL store, used when DATABASE_URL names a PostgreSQL server.

Connections come from a pool that replaces broken ones, so the app rides out a server restart
or failover: requests wait (up to `timeout` seconds) for a connection while the server is away,
get a 503 problem past that, and work again as soon as the pool reconnects.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from feed.store.base import Store
from feed.store.search import WordMatch
from feed.store.searchentry import FIELDS
from feed.store.sql import Cursor, StoreUnavailable

try:
    import psycopg
    from psycopg_pool import ConnectionPool, PoolTimeout
except ImportError as exc:  # optional dependency
    raise ImportError("PostgreSQL needs the psycopg driver and pool: pip install 'factcard[postgres]'") from exc

MIN_CONNECTIONS = 2  # kept open when idle
MAX_CONNECTIONS = 10  # per process; mind the server's max_connections times the processes
TIMEOUT = 5.0  # seconds a request waits for a connection (long enough to ride out a restart)


class PostgresStore(Store):
    id_column = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
    tag_column = 'TEXT COLLATE "C"'  # byte order whatever the database's collation
    # PostgreSQL's JSON types refuse a \u0000 escape, which a document stored before control
    # characters were refused may hold. Made \u0001 it parses, and the result is still JSON
    # whatever precedes it (an escaped backslash makes it plain text either way).
    document_language = "(replace(document, '\\u0000', '\\u0001')::json ->> 'language')"
    document_translations = (
        "json_array_elements_text(replace(f.document, '\\u0000', '\\u0001')::json -> 'translations') AS t (value)"
    )
    document_canonical_url = (
        "CASE WHEN (replace(document, '\\u0000', '\\u0001')::json -> 'originalIsCanonical')::text = 'true' "
        "THEN (replace(document, '\\u0000', '\\u0001')::json ->> 'originalUrl') END"
    )
    integrity_errors = (psycopg.errors.UniqueViolation,)
    # Terms arrive made (feed.words) and go in as tsvector and tsquery literals, never through a
    # text search configuration: no parser or dictionary of the server's can split or stem them
    # differently from SQLite.
    search_text_schema = (
        "ALTER TABLE search_documents ADD COLUMN terms tsvector",
        "CREATE INDEX search_documents_by_terms ON search_documents USING GIN (terms)",
    )

    def __init__(self, url: str, *, timeout: float = TIMEOUT, max_size: int = MAX_CONNECTIONS):
        self.url, self.timeout, self.max_size = url, timeout, max_size
        self._pool: ConnectionPool[psycopg.Connection[Any]] | None = None
        self._pool_lock = threading.Lock()

    def _open_pool(self) -> ConnectionPool[psycopg.Connection[Any]]:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ConnectionPool(
                    self.url,
                    # Autocommit mode: transactions are explicit, as with SQLite.
                    kwargs={"autocommit": True},
                    min_size=min(MIN_CONNECTIONS, self.max_size),
                    max_size=self.max_size,
                    timeout=self.timeout,
                    name="factcard",
                    open=True,
                )
            return self._pool

    @contextmanager
    def _checkout(self, timeout: float | None = None) -> Iterator[psycopg.Connection[Any]]:
        pool = self._open_pool()
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        connection = _get(pool, deadline)
        try:
            ConnectionPool.check_connection(connection)
        except psycopg.Error:
            # The server went away (restart, failover) and took every idle connection with it:
            # replace them all now, rather than one failed check per request. The pool's own
            # `check` option would also sleep a second between checks.
            pool.putconn(connection)
            pool.check()
            connection = _get(pool, deadline)
        try:
            yield connection
        finally:
            pool.putconn(connection)

    def _lost(self, connection: Any, error: Exception) -> bool:
        return isinstance(error, psycopg.OperationalError) and bool(connection.closed)

    def _begin(self, cursor: Any) -> None:
        cursor.execute("BEGIN")
        # Serialise writers (and concurrent migrations) across app servers.
        cursor.execute("SELECT pg_advisory_xact_lock(4242)")

    def _sql(self, statement: str) -> str:
        # Our SQL uses ? placeholders and no literal ? or %.
        return statement.replace("?", "%s")

    def _begin_snapshot(self, cursor: Any) -> None:
        # Repeatable read: one snapshot for the whole transaction, without blocking writers.
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")

    def _write_search_text(self, cur: Cursor, document_id: int, fields: dict[str, list[frozenset[str]]]) -> None:
        cur.execute("UPDATE search_documents SET terms = CAST(? AS tsvector) WHERE id = ?",
                    (tsvector_literal(fields), document_id))  # fmt: skip

    def _delete_search_text(self, cur: Cursor, document_id: int) -> None:
        pass  # the terms go with the search_documents row

    def _match(self, groups: Sequence[frozenset[str]], every: bool) -> WordMatch:
        query = (" & " if every else " | ").join(
            "(" + " | ".join(_lexeme(term) for term in sorted(group)) + ")" for group in groups
        )
        # Weights for D, C, B, A: body, labels, headline, claims. Normalisation 1 divides by the
        # logarithm of the length, so a long body does not outrank a short claim by length alone.
        rank = "ts_rank('{0.1, 0.3, 0.6, 1.0}', d.terms, CAST(? AS tsquery), 1) DESC, "
        return WordMatch("", " AND d.terms @@ CAST(? AS tsquery)", (query,), rank, (query,))

    def _word_rows(self, statement: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        # The terms are TOASTed, out of the table's pages, so the planner, costing a sequential
        # scan by those pages, often prefers it to the GIN index, and then reads and unpacks every
        # fact-check's terms: 60 ms at 20,000 fact-checks for a word few or none hold (a
        # misspelling, a LIMIT 1 check), where the index takes under a millisecond.
        with self._transaction() as cur:
            cur.execute("SET LOCAL enable_seqscan = off")
            cur.execute(statement, params)
            return cur.fetchall()

    def pool_stats(self) -> dict[str, float]:
        """The pool's own figures (pool_size, pool_available, requests_waiting, ...), for /metrics."""
        pool = self._pool
        return {name: float(value) for name, value in pool.get_stats().items()} if pool is not None else {}

    def close(self) -> None:
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()


def _get(pool: ConnectionPool[psycopg.Connection[Any]], deadline: float) -> psycopg.Connection[Any]:
    waited = max(0.0, deadline - time.monotonic())
    try:
        return pool.getconn(timeout=waited)
    except PoolTimeout as exc:
        raise StoreUnavailable(f"no database connection within {waited:.1f} seconds") from exc


MAX_POSITION = 16383  # PostgreSQL's largest word position
MAX_POSITIONS = 255  # kept per lexeme
WEIGHTS = dict(zip(FIELDS, "ABCD", strict=True))


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(fields: dict[str, list[frozenset[str]]]) -> str:
    """The tsvector of a document's terms: each lexeme with its positions and its field's weight."""
    positions: dict[str, list[str]] = {}
    position = 0
    for name in FIELDS:
        for terms in fields[name]:
            position = min(position + 1, MAX_POSITION)
            for term in terms:
                kept = positions.setdefault(term, [])
                if len(kept) < MAX_POSITIONS:
                    kept.append(f"{position}{WEIGHTS[name]}")
    return " ".join(f"{_lexeme(term)}:{','.join(marks)}" for term, marks in sorted(positions.items()))
