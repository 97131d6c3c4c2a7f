"""Backup and restore keep every row of every table, on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import gzip
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from feed.ops.backup import BackupError, backup_to, restore_from, write_backup
from feed.store import Change, Store, open_store
from feed.store.backup import TABLES, live_schema, snapshot
from feed.store.clock import stamp
from feed.store.migrations import BACKFILLS, MIGRATIONS
from tests.history import START, build_history, categorize, table_rows


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A SQLite store with history, built once for the module's tests."""
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('source') / 'source.db'}")
    build_history(store)
    yield store
    store.close()


@pytest.fixture(scope="module")
def backup(source: Store) -> bytes:
    out = io.BytesIO()
    write_backup(source, out, START)
    return out.getvalue()


def _restore_bytes(store: Store, data: bytes, tmp_path: Path, name: str = "backup.jsonl") -> dict[str, int]:
    path = tmp_path / name
    path.write_bytes(data)
    return restore_from(store, str(path), categorize)


def _empty(store: Store) -> bool:
    return all(not rows for name, rows in table_rows(store).items() if name != "schema_migrations")


# -- the table list is the schema ----------------------------------------------


def test_the_table_list_matches_the_live_schema(store: Store) -> None:
    assert live_schema(store) == {table.name: table.columns for table in TABLES}


def test_each_table_comes_after_the_tables_it_references(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'f.db'}")
    order = [table.name for table in TABLES]
    for position, name in enumerate(order):
        for (referenced,) in store._query(f"SELECT \"table\" FROM pragma_foreign_key_list('{name}')"):
            assert order.index(referenced) < position, f"{name} references {referenced}, listed after it"
    store.close()


_ADDITIVE = re.compile(r"\s*(CREATE TABLE|CREATE (UNIQUE )?INDEX|ALTER TABLE \w+ ADD COLUMN|\{search_text_schema\}$)")


def test_every_migration_only_adds_so_an_older_backup_restores_by_defaults() -> None:
    # Restore gives a column an older backup lacks its default, as ADD COLUMN does. A migration
    # that changes rows needs the same change applied to older backups in feed/store/backup.py.
    for version, _, statements in MIGRATIONS:
        for statement in statements:
            assert _ADDITIVE.match(statement), f"migration {version} changes rows: {statement[:60]}"


_BACKFILL = re.compile(r"UPDATE (\w+) SET (\w+) = .+ WHERE \2 IS NULL$")
_BACKFILL_TABLE = re.compile(r"INSERT INTO (\w+) \(.+ WHERE NOT EXISTS \(SELECT 1 FROM \1 ")


def test_backfills_only_fill_their_migrations_new_columns_where_empty() -> None:
    # Restore runs them again over a backup older than their migration (see the tests below),
    # so each must fill only the column its migration added, and only where it is empty.
    added = {
        version: {(m[1], m[2]) for s in statements if (m := re.match(r"ALTER TABLE (\w+) ADD COLUMN (\w+)", s))}
        for version, _, statements in MIGRATIONS
    }
    tables = {
        version: {m[1] for s in statements if (m := re.match(r"CREATE TABLE (\w+)", s))}
        for version, _, statements in MIGRATIONS
    }
    for version, statements in BACKFILLS.items():
        for statement in statements:
            if match := _BACKFILL_TABLE.match(statement):
                assert match[1] in tables[version], f"migration {version} did not make table {match[1]}"
                continue
            match = _BACKFILL.match(statement)
            assert match, f"backfill {version} is not an UPDATE of an empty column: {statement[:60]}"
            assert (match[1], match[2]) in added[version], f"migration {version} did not add {match[1]}.{match[2]}"


def test_a_table_or_column_missing_from_the_list_stops_backup_and_restore(tmp_path: Path, backup: bytes) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'f.db'}")
    with store._transaction() as cur:
        cur.execute("ALTER TABLE tokens ADD COLUMN note TEXT")
        cur.execute("CREATE TABLE embargoes (slug TEXT)")
    with pytest.raises(BackupError, match=r"column tokens\.note is not in the backup's table list") as caught:
        write_backup(store, io.BytesIO(), START)
    assert "table embargoes is not in the backup's table list" in str(caught.value)
    with pytest.raises(BackupError, match="embargoes"):
        _restore_bytes(store, backup, tmp_path)
    store.close()


# -- nothing lost ----------------------------------------------------------------


@pytest.mark.postgres
def test_restore_into_sqlite_and_postgres_keeps_every_row(source: Store, tmp_path: Path, postgres_url: str) -> None:
    expected = table_rows(source)
    assert len(expected["revisions"]) > len(expected["factchecks"]) and expected["remote_creates"]
    assert any(row[6] for row in expected["tokens"]) and any(row[8] for row in expected["outbox"])
    path = str(tmp_path / "newsroom.jsonl.gz")
    written = backup_to(source, path, START)
    assert written == {name: len(rows) for name, rows in expected.items()}
    assert gzip.open(path).readline().startswith(b'{"format":"factcard-backup"')
    assert Path(path).stat().st_mode & 0o777 == 0o600  # drafts and token hashes: its owner's only
    for url in (f"sqlite:///{tmp_path / 'restored.db'}", postgres_url):
        target = open_store(url)
        assert restore_from(target, path, categorize) == written
        assert table_rows(target) == expected
        target.close()


def test_a_snapshot_reads_every_table_whole_in_batches(store: Store) -> None:
    build_history(store)
    expected = table_rows(store)
    with snapshot(store) as snap:
        assert snap.schema_version == MIGRATIONS[-1][0]
        for table in TABLES:
            keys = [table.columns.index(column) for column in table.key]
            read = list(snap.rows(table, batch=2))  # composite keys page by row comparison
            assert sorted(read, key=lambda row: [row[i] for i in keys]) == expected[table.name]


def test_writes_after_a_restore_get_fresh_ids(store: Store, backup: bytes, tmp_path: Path) -> None:
    _restore_bytes(store, backup, tmp_path)
    before = table_rows(store)
    newest_revision, newest_outbox = before["revisions"][-1][0], before["outbox"][-1][0]
    store.create(Change({"slug": "after-restore", "status": "published"}, None, "publish", ("websub",)), stamp(START))
    store.update("after-restore", Change({"slug": "after-restore", "status": "published"}, None), 1, stamp(START))
    after = table_rows(store)
    new_revisions = [row[0] for row in after["revisions"] if row[1] == "after-restore"]
    assert new_revisions == [newest_revision + 1, newest_revision + 2]
    assert after["outbox"][-1][0] == newest_outbox + 1
    # Change times keep rising past the restored history, though this write's clock is older.
    assert after["revisions"][-1][5] > before["revisions"][-1][5]


def test_the_backup_is_one_snapshot_while_writers_go_on(store: Store, database_url: str, tmp_path: Path) -> None:
    store.create(Change({"slug": "before", "status": "published"}, None), stamp(START))
    writer = open_store(database_url)  # another connection, as another app server would have

    class WriteDuringBackup(io.BytesIO):
        def write(self, data: Any, /) -> int:
            if data.startswith(b'["factchecks"') and writer.get("during") is None:
                writer.create(Change({"slug": "during", "status": "published"}, None), stamp(START))
            return super().write(data)

    out = WriteDuringBackup()
    counts = write_backup(store, out, START)
    writer.close()
    assert store.get("during") is not None  # the writer was not held up
    assert b"during" not in out.getvalue()
    assert (counts["factchecks"], counts["revisions"]) == (1, 1)


# -- refusals: clear errors, nothing written ---------------------------------


def test_restore_refuses_a_store_that_is_not_empty(store: Store, backup: bytes, tmp_path: Path) -> None:
    store.add_token("k1", "Chief editor", "hash", stamp(START))
    before = table_rows(store)
    with pytest.raises(BackupError, match=r"the store is not empty \(tokens hold rows\)"):
        _restore_bytes(store, backup, tmp_path)
    assert table_rows(store) == before


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _rewritten(data: bytes, edit: Callable[[dict[str, Any], list[list[Any]]], None]) -> bytes:
    """The backup with its header and rows edited, and a fresh trailer to match."""
    lines = _lines(data)
    header, rows = orjson.loads(lines[0]), [orjson.loads(line) for line in lines[1:-1]]
    edit(header, rows)
    body = b"".join(orjson.dumps(value) + b"\n" for value in [header, *rows])
    counts = dict.fromkeys(header["tables"], 0)
    for table, _ in rows:
        counts[table] += 1
    trailer = {"end": {"rows": counts, "sha256": hashlib.sha256(body).hexdigest()}}
    return body + orjson.dumps(trailer) + b"\n"


def _flip_a_letter(data: bytes) -> bytes:
    lines = _lines(data)
    index = next(i for i, line in enumerate(lines) if line.startswith(b'["revisions"') and b"Lightning" in line)
    lines[index] = lines[index].replace(b"Lightning", b"Lightnint", 1)
    return b"".join(lines)


def _set_header(key: str, value: Any) -> Callable[[bytes], bytes]:
    return lambda data: _rewritten(data, lambda header, rows: header.__setitem__(key, value))


def _short_row(data: bytes) -> bytes:
    return _rewritten(data, lambda header, rows: rows[-1][1].pop())


DAMAGE: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "empty": (lambda data: b"", "the file is empty"),
    "not a backup": (lambda data: b'{"slug": "a", "headline": "H"}\n', "not a factcard backup"),
    "cut after a row": (lambda data: b"".join(_lines(data)[:-1]), "without its closing line: it is truncated"),
    "cut in a row": (lambda data: data[: len(data) * 2 // 3], r"ends in the middle of line \d+: it is truncated"),
    "cut in the header": (lambda data: data[:40], "ends in the middle of its first line"),
    "cut gzip": (lambda data: gzip.compress(data)[:-300], r"the file is damaged after line \d+"),
    "a changed letter": (_flip_a_letter, "checksum does not match"),
    "a short row": (_short_row, r"line \d+: a account_events row needs 6 values"),
    "format version 2": (_set_header("format_version", 2), "backup format version 2; this factcard reads version 1"),
    "a newer schema": (
        _set_header("schema_version", 99),
        f"schema version 99, newer than this store's {MIGRATIONS[-1][0]}",
    ),
    "text after the end": (lambda data: data + b'["tokens", []]\n', r"line \d+ follows the end of the backup"),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_restore_refuses_a_damaged_file_and_writes_nothing(
    store: Store, backup: bytes, tmp_path: Path, damage: str
) -> None:
    damaged, message = DAMAGE[damage]
    with pytest.raises(BackupError, match=message):
        _restore_bytes(store, damaged(backup), tmp_path)
    assert _empty(store)
    _restore_bytes(store, backup, tmp_path)  # the same store takes the whole file afterwards
    assert not _empty(store)


# -- an older schema --------------------------------------------------------------


# What each migration added: a backup made before it lacks these columns and tables.
_ADDED: dict[int, tuple[dict[str, set[str]], set[str]]] = {
    3: (
        {
            "tokens": {"publisher", "expires_at", "revoked_at", "last_used_at"},
            "revisions": {"actor_key_id", "actor_name"},
        },
        {"remote_creates"},
    ),
    4: ({"factchecks": {"language"}, "revisions": {"language"}}, set()),
    5: ({}, {"translation_links"}),
    6: ({}, {"users", "sessions"}),
    7: ({}, {"review_events"}),
    8: ({}, {"preview_links"}),
    9: ({"tokens": {"user_id"}}, set()),
    10: ({}, {"password_links", "account_events"}),
    11: ({}, {"imported_pages", "import_runs", "import_run_pages"}),
    12: ({"factchecks": {"canonical_url"}}, set()),
    13: ({}, set()),  # the search index, which a backup leaves out (restore rebuilds it)
    14: ({}, set()),  # an index
}


def _as_schema(version: int) -> Callable[[dict[str, Any], list[list[Any]]], None]:
    """A backup rewritten as one made at schema `version`, without what later migrations added."""

    def edit(header: dict[str, Any], rows: list[list[Any]]) -> None:
        newer: dict[str, set[str]] = {}
        tables: set[str] = set()
        for later in range(version + 1, MIGRATIONS[-1][0] + 1):
            columns, added_tables = _ADDED[later]
            for name, names in columns.items():
                newer.setdefault(name, set()).update(names)
            tables |= added_tables
        keep = {
            name: [i for i, c in enumerate(columns) if c not in newer.get(name, ())]
            for name, columns in header["tables"].items()
        }
        header["schema_version"] = version
        for name in tables:
            del header["tables"][name]
        rows[:] = [
            row for row in rows if row[0] not in tables and not (row[0] == "schema_migrations" and row[1][0] > version)
        ]
        for row in rows:
            row[1] = [row[1][i] for i in keep[row[0]]]
        header["tables"] = {name: [columns[i] for i in keep[name]] for name, columns in header["tables"].items()}

    return edit


def test_a_backup_from_an_older_schema_restores_as_its_migrations_would_leave_it(
    source: Store, backup: bytes, tmp_path: Path
) -> None:
    target = open_store(f"sqlite:///{tmp_path / 'newer.db'}")
    counts = _restore_bytes(target, _rewritten(backup, _as_schema(2)), tmp_path)
    assert counts["remote_creates"] == 0 and counts["schema_migrations"] == 2
    restored, original = table_rows(target), table_rows(source)
    # Each fact-check's and revision's language is filled from its document, as migration 4 does.
    assert restored["factchecks"] == original["factchecks"] and restored["outbox"] == original["outbox"]
    assert [row[:4] + (None,) * 5 for row in original["tokens"]] == restored["tokens"]
    assert [(*row[:6], None, None, row[8]) for row in original["revisions"]] == restored["revisions"]
    # Translation links are rebuilt from the documents, as migration 5 does.
    assert restored["remote_creates"] == [] and restored["translation_links"] == original["translation_links"] != []
    assert restored["schema_migrations"] == original["schema_migrations"]
    target.close()


@pytest.mark.postgres
def test_a_backup_without_languages_restores_with_them_filled_in(
    source: Store, backup: bytes, tmp_path: Path, postgres_url: str
) -> None:
    original = table_rows(source)
    languages = {row[7] for row in original["factchecks"]}
    assert languages == {"en", "es", "pt-br", "ar", "hi"}, languages
    older = _rewritten(backup, _as_schema(3))
    assert b'"language"]' in _lines(backup)[0] and b'"language"]' not in _lines(older)[0]
    for url in (f"sqlite:///{tmp_path / 'restored.db'}", postgres_url):
        target = open_store(url)
        counts = _restore_bytes(target, older, tmp_path)
        assert counts["schema_migrations"] == 3
        restored = table_rows(target)
        # Accounts came with migration 6, their audit trail with 10: a backup from schema 3 has none.
        accounts = ("users", "sessions", "account_events", "password_links")
        assert [restored.pop(name) for name in accounts] == [[]] * len(accounts)
        assert restored == {name: rows for name, rows in original.items() if name not in accounts}
        assert [r.slug for r in target.newest(["published"], 10, language="es")] == ["agua-caliente-con-limon-cancer"]
        target.close()
