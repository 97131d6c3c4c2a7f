"""`factcard backup` and `restore`: moving a newsroom from SQLite to PostgreSQL and back changes no byte."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from feed.app import create_app
from feed.cli.main import main
from feed.core.publishing import Publishing
from feed.site.config import load_publishers
from feed.store import Store, open_store
from tests.history import BASE_URL, START, TARGETS, build_history, settings_for, table_rows

FEEDS = ("/", "/feed.json", "/feed.atom", "/claimreview.json", "/sitemap.xml")


def factcard(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _history(url: str) -> None:
    store = open_store(url)
    build_history(store)
    store.close()


def public_output(store: Store, url: str) -> dict[str, tuple[int, bytes, str | None, str | None]]:
    """Status, body, ETag and Last-Modified of every public URL, as the app serves this store."""
    client = TestClient(create_app(settings_for(url), store))
    paths = [*FEEDS]
    for record in store.all_records():
        paths += [f"/checks/{record.slug}", f"/checks/{record.slug}.json", f"/embed/{record.slug}"]
    output = {}
    for path in paths:
        response = client.get(path)
        output[path] = (
            response.status_code,
            response.content,
            response.headers.get("etag"),
            response.headers.get("last-modified"),
        )
    return output


@pytest.mark.postgres
def test_sqlite_to_postgres_to_sqlite_serves_the_same_bytes(
    tmp_path: Path, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    first, last = f"sqlite:///{tmp_path / 'first.db'}", f"sqlite:///{tmp_path / 'last.db'}"
    _history(first)
    to_postgres, to_sqlite = str(tmp_path / "from-sqlite.jsonl.gz"), str(tmp_path / "from-postgres.jsonl")
    for command, file, url in (
        ("backup", to_postgres, first),
        ("restore", to_postgres, postgres_url),
        ("backup", to_sqlite, postgres_url),
        ("restore", to_sqlite, last),
    ):
        code, out, err = factcard(capsys, command, file, "--database-url", url)
        assert code == 0, err
        said = err if command == "backup" else out
        assert f"{'backed up to' if command == 'backup' else 'restored from'} {file}: " in said
        assert "factchecks 11, revisions 18, tokens 3, outbox 33" in said

    stores = [open_store(url) for url in (first, postgres_url, last)]
    rows = [table_rows(store) for store in stores]
    assert rows[1] == rows[0] and rows[2] == rows[0]
    outputs = [public_output(store, url) for store, url in zip(stores, (first, postgres_url, last), strict=True)]
    assert outputs[0]["/checks/backup-history"][0] == 200 and b"backup-history" in outputs[0]["/feed.json"][1]
    assert sum(status == 200 for status, *_ in outputs[0].values()) >= len(FEEDS) + 6 * 3
    for path, served in outputs[0].items():
        assert outputs[1][path] == served, f"PostgreSQL serves {path} differently"
        assert outputs[2][path] == served, f"SQLite, back from PostgreSQL, serves {path} differently"

    postgres = stores[1]
    publishing = Publishing(postgres, load_publishers(settings_for(postgres_url)), BASE_URL, TARGETS)
    lightning = postgres.get("lightning-never-strikes-twice")
    assert lightning is not None
    draft = {**lightning.document, "slug": "after-the-move", "status": "draft"}
    created = publishing.create(draft, START + timedelta(days=1))
    publishing.publish(created.slug, created.version, START + timedelta(days=1, minutes=1))
    moved = table_rows(postgres)
    # New ids follow the 18 revisions and 33 notifications restored.
    assert [row[0] for row in moved["revisions"] if row[1] == "after-the-move"] == [19, 20]
    assert [row[0] for row in moved["outbox"] if row[3] == "after-the-move"] == [34, 35, 36]
    for store in stores:
        store.close()


def test_backup_and_restore_refuse_with_clear_errors_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, target = f"sqlite:///{tmp_path / 'source.db'}", f"sqlite:///{tmp_path / 'target.db'}"
    _history(source)
    file = tmp_path / "newsroom.jsonl"
    assert factcard(capsys, "backup", str(file), "--database-url", source)[0] == 0

    code, _, err = factcard(capsys, "restore", str(file), "--database-url", source)
    assert (code, err) == (
        1,
        "error: nothing restored: the store is not empty (factchecks, revisions, tokens, outbox, remote_pages, "
        "remote_creates, translation_links, users, sessions, account_events hold rows): restore only into a new, "
        "empty database\n",
    )
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(file.read_bytes()[:-50])
    code, _, err = factcard(capsys, "restore", str(cut), "--database-url", target)
    assert code == 1 and err.startswith("error: nothing restored: the file ends in the middle of line")
    code, _, err = factcard(capsys, "restore", str(tmp_path / "missing.jsonl"), "--database-url", target)
    assert code == 2 and "error: cannot read" in err and "No such file" in err
    store = open_store(target)
    assert all(not rows for name, rows in table_rows(store).items() if name != "schema_migrations")
    store.close()

    code, _, err = factcard(capsys, "backup", str(tmp_path / "no" / "such" / "folder.jsonl"), "--database-url", source)
    assert code == 2 and "error: cannot write" in err


def test_a_failed_backup_leaves_the_previous_file_as_it_was(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    store = open_store(url)
    with store._transaction() as cur:
        cur.execute("CREATE TABLE embargoes (slug TEXT)")  # a table backup does not know
    store.close()
    previous = tmp_path / "nightly.jsonl.gz"
    previous.write_bytes(b"last night's backup")
    code, _, err = factcard(capsys, "backup", str(previous), "--database-url", url)
    assert code == 1 and "error: no backup written: " in err and "table embargoes" in err
    assert previous.read_bytes() == b"last night's backup"
    assert sorted(path.name for path in tmp_path.iterdir() if "nightly" in path.name) == ["nightly.jsonl.gz"]


def test_backup_to_stdout_restores_from_the_saved_stream(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    source, target = f"sqlite:///{tmp_path / 'source.db'}", f"sqlite:///{tmp_path / 'target.db'}"
    _history(source)
    assert main(["backup", "-", "--database-url", source]) == 0
    captured: Any = capsysbinary.readouterr()
    assert captured.out.startswith(b'{"format":"factcard-backup"') and b"backed up to -: " in captured.err
    saved = tmp_path / "piped.jsonl"
    saved.write_bytes(captured.out)
    assert main(["restore", str(saved), "--database-url", target]) == 0
    stores = [open_store(source), open_store(target)]
    assert table_rows(stores[0]) == table_rows(stores[1])
    for store in stores:
        store.close()
