"""Every table of the store: read as one snapshot, written back into an empty store.

`TABLES` is the one list that backup and restore walk, each table after the tables it
references. Both check it against the live schema first, so a migration that adds a
table or a column stops backups with a clear error until it is listed here, instead of
being silently left out of them.

Restore writes everything in one transaction, into a store that holds no rows yet, with
the original ids, and then moves each auto-increment sequence past them so later
writes get fresh ids. A backup from an older schema restores as its migrations would
have left it: a column it lacks takes the column's default, a table it lacks stays
empty (tests/store/test_backup.py holds every migration to that additive kind), and the
backfills of the migrations it predates (feed.store.migrations.BACKFILLS) then fill
the columns those migrations derive from the rows, as migrating would have.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from feed.store.base import Store
from feed.store.migrations import BACKFILLS
from feed.store.search import Categorize
from feed.store.sql import Cursor

Row = tuple[Any, ...]


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why, for the operator."""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]  # the primary key: dump order, and the keyset for reading in batches
    identity: str | None = None  # an auto-increment column, whose sequence restore advances


SCHEMA_TABLE = "schema_migrations"  # recreated by migrating the target, so checked rather than copied
# The search index's tables (and SQLite's FTS5 shadow tables) hold nothing but what the fact-checks
# give: a backup leaves them out, and restore rebuilds them from the rows it wrote.
DERIVED_PREFIX = "search_"

TABLES: tuple[Table, ...] = (
    Table(SCHEMA_TABLE, ("version", "description"), ("version",)),
    Table(
        "factchecks",
        (
            "slug",
            "version",
            "status",
            "document",
            "published_at",
            "created_at",
            "updated_at",
            "language",
            "canonical_url",
        ),
        ("slug",),
    ),
    Table(
        "revisions",
        ("id", "slug", "version", "status", "document", "recorded_at", "actor_key_id", "actor_name", "language"),
        ("id",),
        identity="id",
    ),
    Table(
        "tokens",
        (
            "key_id",
            "name",
            "secret_hash",
            "created_at",
            "publisher",
            "expires_at",
            "revoked_at",
            "last_used_at",
            "user_id",
        ),
        ("key_id",),
    ),
    Table(
        "outbox",
        (
            "id",
            "target",
            "action",
            "slug",
            "created_at",
            "attempts",
            "next_attempt_at",
            "claimed_until",
            "delivered_at",
            "failed_at",
            "last_error",
        ),
        ("id",),
        identity="id",
    ),
    Table("remote_pages", ("target", "slug", "remote_name"), ("target", "slug")),
    Table("remote_creates", ("target", "slug", "attempted_at"), ("target", "slug")),
    Table("translation_links", ("slug", "translation"), ("slug", "translation")),
    Table(
        "users",
        ("id", "email", "name", "password_hash", "role", "created_at", "disabled_at", "password_changed_at"),
        ("id",),
        identity="id",
    ),
    Table(
        "sessions",
        ("id", "user_id", "csrf_token", "created_at", "expires_at", "last_seen_at", "ended_at"),
        ("id",),
    ),
    Table("review_events", ("id", "slug", "action", "note", "recorded_at", "actor_name"), ("id",), identity="id"),
    Table("preview_links", ("id", "slug", "created_at", "expires_at", "created_by", "ended_at"), ("id",)),
    Table(
        "password_links",
        ("id", "user_id", "purpose", "created_at", "expires_at", "created_by", "used_at", "ended_at"),
        ("id",),
    ),
    Table("account_events", ("id", "user_id", "action", "detail", "recorded_at", "actor_name"), ("id",), identity="id"),
    Table(
        "imported_pages",
        ("source_url", "slug", "digest", "version", "fetched_url", "etag", "last_modified", "imported_at"),
        ("source_url",),
    ),
    Table("import_runs", ("id", "run_key", "started_at", "finished_at"), ("id",), identity="id"),
    Table("import_run_pages", ("run_id", "url", "outcome"), ("run_id", "url")),
)
BY_NAME = {table.name: table for table in TABLES}


# -- what differs between the backends ---------------------------------------


@dataclass(frozen=True)
class _Dialect:
    columns_sql: str  # (table, column) of every user table, in column order
    identity_insert: str  # the clause that lets an INSERT give auto-increment ids itself
    advance_sql: str | None  # moves a table's sequence past its largest id; {table}, {column}
    errors: tuple[type[Exception], ...]  # what a refused row raises


def _dialect(store: Store) -> _Dialect:
    from feed.store.sqlite import SQLiteStore

    if isinstance(store, SQLiteStore):
        import sqlite3

        return _Dialect(
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p "
            "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid",
            "",
            None,  # AUTOINCREMENT records an explicit id in sqlite_sequence by itself
            (sqlite3.Error,),
        )
    from feed.store.postgres import PostgresStore

    if isinstance(store, PostgresStore):
        import psycopg

        return _Dialect(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
            "OVERRIDING SYSTEM VALUE ",  # the id columns are GENERATED ALWAYS
            "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), MAX({column})) FROM {table} "
            "HAVING MAX({column}) IS NOT NULL",
            (psycopg.Error,),
        )
    raise TypeError(f"no backup support for {type(store).__name__}")


def live_schema(store: Store) -> dict[str, tuple[str, ...]]:
    """Each table of the store as it is, with its columns in order."""
    return _live_schema(store._query(_dialect(store).columns_sql))


def _live_schema(rows: Iterable[Row]) -> dict[str, tuple[str, ...]]:
    schema: dict[str, list[str]] = {}
    for table, column in rows:
        if not str(table).startswith(DERIVED_PREFIX):
            schema.setdefault(str(table), []).append(str(column))
    return {table: tuple(columns) for table, columns in schema.items()}


def _check_schema(cur: Cursor, dialect: _Dialect) -> None:
    cur.execute(dialect.columns_sql)
    live = _live_schema(cur.fetchall())
    problems = [f"table {name} is not in the backup's table list" for name in live if name not in BY_NAME]
    for table in TABLES:
        columns = live.get(table.name)
        if columns is None:
            problems.append(f"table {table.name} is missing from the store")
            continue
        problems += [
            f"column {table.name}.{c} is not in the backup's table list" for c in columns if c not in table.columns
        ]
        problems += [f"column {table.name}.{c} is missing from the store" for c in table.columns if c not in columns]
    if problems:
        raise BackupError("the store's schema and feed/store/backup.py disagree: " + "; ".join(problems))


# -- backup --------------------------------------------------------------------


class Snapshot:
    """The store at one moment: its schema version and every row of every table."""

    def __init__(self, cur: Cursor, schema_version: int):
        self._cur, self.schema_version = cur, schema_version

    def rows(self, table: Table, batch: int = 500) -> Iterator[Row]:
        """A table's rows in key order, fetched a batch at a time so memory stays flat."""
        columns, key = ", ".join(table.columns), ", ".join(table.key)
        marks = ", ".join("?" for _ in table.key)
        positions = [table.columns.index(column) for column in table.key]
        after: Row | None = None
        while True:
            where = f"WHERE ({key}) > ({marks}) " if after is not None else ""
            self._cur.execute(
                f"SELECT {columns} FROM {table.name} {where}ORDER BY {key} LIMIT ?", (*(after or ()), batch)
            )
            rows = self._cur.fetchall()
            yield from rows
            if len(rows) < batch:
                return
            after = tuple(rows[-1][i] for i in positions)


@contextmanager
def snapshot(store: Store) -> Iterator[Snapshot]:
    """Read the whole store as one consistent snapshot; writers are not held up meanwhile."""
    dialect = _dialect(store)
    with store._snapshot() as cur:
        _check_schema(cur, dialect)
        cur.execute(f"SELECT MAX(version) FROM {SCHEMA_TABLE}")
        yield Snapshot(cur, int(cur.fetchall()[0][0] or 0))


# -- restore -------------------------------------------------------------------


def restore(
    store: Store,
    schema_version: int,
    columns: Mapping[str, Sequence[str]],
    rows: Iterable[tuple[str, Row]],
    categorize: Categorize,
) -> dict[str, int]:
    """Write a backup's rows into an empty store, all of them or (on any error) none, and build
    the search index from them (filing verdicts by `categorize`) in the same transaction.

    `columns` names each table's columns as the backup has them; `rows` yields (table, row)
    in dependency order and may raise BackupError part way (a damaged file): the transaction
    is then rolled back. Returns the rows restored per table.
    """
    dialect = _dialect(store)
    with store._transaction() as cur:
        _check_schema(cur, dialect)
        cur.execute(f"SELECT version FROM {SCHEMA_TABLE}")
        applied = {int(row[0]) for row in cur.fetchall()}
        if schema_version > max(applied, default=0):
            raise BackupError(
                f"the backup has schema version {schema_version}, newer than this store's "
                f"{max(applied, default=0)}: restore it with the factcard release that made it, or a newer one"
            )
        _check_columns(columns)
        _check_empty(cur)
        writer = _Writer(cur, dialect, columns, applied)
        for name, row in rows:
            writer.add(name, row)
        writer.flush()
        for version, statements in sorted(BACKFILLS.items()):
            if version > schema_version:  # the backup was made before this migration
                for statement in statements:
                    cur.execute(store.migration_sql(statement))
        store.rebuild_search_index(cur, categorize)
        if dialect.advance_sql:
            for table in TABLES:
                if table.identity:
                    cur.execute(dialect.advance_sql.format(table=table.name, column=table.identity))
        return writer.counts


def _check_columns(columns: Mapping[str, Sequence[str]]) -> None:
    for name, names in columns.items():
        table = BY_NAME.get(name)
        if table is None:
            raise BackupError(f"the backup has a table {name!r} that this factcard does not know; is it newer?")
        unknown = [column for column in names if column not in table.columns]
        if unknown:
            raise BackupError(f"the backup's table {name} has columns this factcard does not know: {unknown}")
        if not set(table.key) <= set(names):
            raise BackupError(f"the backup's table {name} lacks its key column(s) {list(table.key)}")


def _check_empty(cur: Cursor) -> None:
    holding = []
    for table in TABLES:
        if table.name != SCHEMA_TABLE:
            cur.execute(f"SELECT 1 FROM {table.name} LIMIT 1")
            if cur.fetchall():
                holding.append(table.name)
    if holding:
        raise BackupError(
            f"the store is not empty ({', '.join(holding)} hold rows): restore only into a new, empty database"
        )


class _Writer:
    """Inserts rows a batch per statement, keeping the original ids."""

    def __init__(self, cur: Cursor, dialect: _Dialect, columns: Mapping[str, Sequence[str]], applied: set[int]):
        self._cur, self._dialect, self._columns, self._applied = cur, dialect, columns, applied
        self._table = ""
        self._pending: list[Row] = []
        self.counts = {table.name: 0 for table in TABLES}

    def add(self, table: str, row: Row) -> None:
        if table != self._table:
            self.flush()
            self._table = table
        self.counts[table] += 1
        if table == SCHEMA_TABLE:
            # The target's own migrations made this table; the backup's versions must be among them.
            version = row[list(self._columns[table]).index("version")]
            if version not in self._applied:
                raise BackupError(f"the backup records migration {version}, which this store does not have")
            return
        self._pending.append(row)
        if len(self._pending) * len(row) >= 900:  # under SQLite's oldest limit of 999 parameters
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        names = list(self._columns[self._table])
        table = BY_NAME[self._table]
        one = "(" + ", ".join("?" for _ in names) + ")"
        identity = self._dialect.identity_insert if table.identity in names else ""
        statement = f"INSERT INTO {table.name} ({', '.join(names)}) {identity}VALUES " + ", ".join(
            one for _ in self._pending
        )
        try:
            self._cur.execute(statement, [value for row in self._pending for value in row])
        except self._dialect.errors as exc:
            raise BackupError(f"a row of table {table.name} was refused by the database: {exc}") from exc
        self._pending = []
