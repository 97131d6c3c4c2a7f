"""One store suite, run on a real SQLite file and on a real PostgreSQL database."""

from __future__ import annotations

import threading

import pytest

from feed.store import Change, Conflict, NotFound, StaleVersion, Store, open_store
from feed.store.migrations import MIGRATIONS

T1, T2, T3 = "2025-01-01T00:00:00.000000Z", "2025-01-02T00:00:00.000000Z", "2025-01-03T00:00:00.000000Z"


def doc(slug: str, status: str = "draft", headline: str = "H") -> dict[str, str]:
    return {"slug": slug, "status": status, "headline": headline}


def test_migrations_are_recorded_and_idempotent(store: Store, database_url: str) -> None:
    assert store.schema_version() == MIGRATIONS[-1][0]
    again = open_store(database_url)
    assert again.migrate() == []
    again.close()


def test_create_get_and_conflict(store: Store) -> None:
    record = store.create(Change(doc("a"), None), T1)
    assert (record.version, record.status, record.etag) == (1, "draft", '"a.v1"')
    assert store.get("a") == record
    assert store.get("missing") is None
    with pytest.raises(Conflict):
        store.create(Change(doc("a"), None), T2)


def test_update_keeps_every_revision(store: Store) -> None:
    store.create(Change(doc("a", headline="first"), None), T1)
    store.update("a", Change(doc("a", "published", "second"), T2), 1, T2)
    current = store.update("a", Change(doc("a", "published", "third"), T2), 2, T3)
    assert current.version == 3 and current.document["headline"] == "third"
    history = store.revisions("a")
    assert [(r.version, r.status, r.document["headline"]) for r in history] == [
        (1, "draft", "first"), (2, "published", "second"), (3, "published", "third"),
    ]  # fmt: skip


def test_stale_update_is_refused_and_writes_nothing(store: Store) -> None:
    store.create(Change(doc("a", headline="first"), None), T1)
    store.update("a", Change(doc("a", headline="editor one"), None), 1, T2)
    with pytest.raises(StaleVersion) as caught:
        store.update("a", Change(doc("a", headline="editor two"), None), 1, T3)
    assert caught.value.current == 2
    assert store.get("a").document["headline"] == "editor one"  # type: ignore[union-attr]
    assert len(store.revisions("a")) == 2
    with pytest.raises(NotFound):
        store.update("missing", Change(doc("missing"), None), 1, T3)


def test_concurrent_writers_on_one_version_exactly_one_wins(store: Store) -> None:
    store.create(Change(doc("a"), None), T1)
    outcomes: list[str] = []

    def edit(n: int) -> None:
        try:
            store.update("a", Change(doc("a", headline=f"editor {n}"), None), 1, T2)
            outcomes.append("won")
        except StaleVersion:
            outcomes.append("stale")

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["stale"] * 5 + ["won"]
    assert store.get("a").version == 2  # type: ignore[union-attr]


def test_create_many_is_all_or_nothing(store: Store) -> None:
    store.create(Change(doc("taken"), None), T1)
    with pytest.raises(Conflict):
        store.create_many([Change(doc("new-one")), Change(doc("taken"))], T2)
    assert store.get("new-one") is None
    assert store.create_many([Change(doc("b")), Change(doc("c"))], T2) == 2


def test_list_orders_by_publication_newest_first_and_pages(store: Store) -> None:
    store.create(Change(doc("old", "published"), "2024-01-01T00:00:00.000000Z"), T1)
    store.create(Change(doc("new", "published"), "2025-06-01T00:00:00.000000Z"), T1)
    store.create(Change(doc("mid", "published"), "2025-01-01T00:00:00.000000Z"), T1)
    store.create(Change(doc("draft"), None), T1)
    assert [r.slug for r in store.newest(["published"], 10)] == ["new", "mid", "old"]
    assert [r.slug for r in store.newest(["published"], 2, 2)] == ["old"]
    assert store.count(["published"]) == 3
    assert store.count(["draft", "published"]) == 4
    assert [r.slug for r in store.all_records()] == ["draft", "mid", "new", "old"]


def test_tokens_store_only_a_hash(store: Store) -> None:
    store.add_token("k1", "newsroom", "abc123", T1)
    assert store.token_hash("k1") == ("newsroom", "abc123")
    assert store.token_hash("k2") is None


def test_text_survives_byte_for_byte(store: Store) -> None:
    hostile = "</script>\u2028\u2029 \"quotes\" 'apostrophes' émoji 🧪 \\ back"
    store.create(Change(doc("a", headline=hostile), None), T1)
    assert store.get("a").document["headline"] == hostile  # type: ignore[union-attr]


def test_sqlite_file_uses_wal(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    path = tmp_path / "wal.db"
    opened = open_store(f"sqlite:///{path}")
    opened.create(Change(doc("a"), None), T1)
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    opened.close()


def test_unknown_database_url_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="must start with sqlite:/// or postgresql://"):
        open_store("mysql://localhost/db")
