"""The PostgreSQL store, used when DATABASE_URL names a PostgreSQL server."""

from __future__ import annotations

from typing import Any

from feed.store.base import Store

try:
    import psycopg
except ImportError as exc:  # optional dependency
    raise ImportError("PostgreSQL needs the psycopg driver: pip install 'factcard[postgres]'") from exc


class PostgresStore(Store):
    id_column = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
    integrity_errors = (psycopg.errors.UniqueViolation,)

    def __init__(self, url: str):
        super().__init__()
        self.url = url

    def _connect(self) -> Any:
        # Autocommit mode: transactions are explicit, as with SQLite.
        return psycopg.connect(self.url, autocommit=True)

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
