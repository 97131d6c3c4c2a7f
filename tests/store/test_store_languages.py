"""Each fact-check's language in the store (migration 4): written, backfilled and filtered on,
on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from feed.store import Change, Store, open_store
from feed.store.migrations import MIGRATIONS

T1, T2 = "2025-01-01T00:00:00.000000Z", "2025-01-02T00:00:00.000000Z"
# Spanish, two regional forms of it, a language whose code starts with the same letters, and others.
LANGUAGES = {"es-a": "es", "mx-a": "es-MX", "latam-a": "es-419", "et-a": "est", "en-a": "en", "ar-a": "ar"}


def published(slug: str, language: str, headline: str = "H") -> Change:
    return Change({"slug": slug, "status": "published", "headline": headline, "language": language}, T1)


def slugs(records: Any) -> set[str]:
    return {record.slug for record in records}


def test_writes_fill_the_language_of_both_tables_in_lower_case(store: Store) -> None:
    store.create(published("one", "es-MX"), T1)
    store.create_many([published("two", "EN"), published("three", "ar")], T1)
    store.update("one", published("one", "pt-BR"), 1, T2)
    assert store._query("SELECT slug, language FROM factchecks ORDER BY slug") == [
        ("one", "pt-br"), ("three", "ar"), ("two", "en"),
    ]  # fmt: skip
    assert store._query("SELECT slug, version, language FROM revisions ORDER BY id") == [
        ("one", 1, "es-mx"), ("two", 1, "en"), ("three", 1, "ar"), ("one", 2, "pt-br"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("es", {"es-a", "mx-a", "latam-a"}),
        ("ES", {"es-a", "mx-a", "latam-a"}),
        ("es-mx", {"mx-a"}),
        ("es-MX", {"mx-a"}),
        ("es-419", {"latam-a"}),
        ("est", {"et-a"}),
        ("e", set()),  # not a prefix of a tag: a whole subtag or nothing
        ("fr", set()),
        (None, set(LANGUAGES)),
    ],
)
def test_listings_and_walks_keep_a_language_and_its_forms(
    store: Store, language: str | None, expected: set[str]
) -> None:
    store.create_many([published(slug, tag) for slug, tag in LANGUAGES.items()], T1)
    store.create(Change({"slug": "draft-es", "status": "draft", "headline": "H", "language": "es"}), T1)
    assert slugs(store.newest(["published"], 100, language=language)) == expected
    assert store.count(["published"], language) == len(expected)
    assert slugs(store.feed_entries(store.public_snapshot(), 100, language=language)) == expected
    assert slugs(store.iter_feed_entries(store.public_snapshot(), 2, language=language)) == expected
    assert store.public_count(language) == len(expected)


def test_a_filtered_walk_pages_by_keyset_and_keeps_to_its_snapshot(store: Store) -> None:
    for n in range(6):
        store.create(published(f"es-{n}", "es" if n % 2 else "es-AR"), T1)
        store.create(published(f"en-{n}", "en"), T1)
    snapshot = store.public_snapshot()
    first = store.feed_entries(snapshot, 2, language="es")
    assert [e.slug for e in first] == ["es-5", "es-4"]
    store.update("es-0", published("es-0", "es", "edited"), 1, T2)  # after the snapshot
    store.create(published("es-new", "es"), T2)
    rest = store.feed_entries(snapshot, 10, before=first[-1].seq, language="es")
    assert [e.slug for e in rest] == ["es-3", "es-2", "es-1", "es-0"]
    assert rest[-1].document["headline"] == "H"
    # A fact-check whose language changes leaves the old language's walk, and joins the new one.
    store.update("en-0", published("en-0", "es-MX"), 1, T2)
    now = store.public_snapshot()
    assert [e.slug for e in store.feed_entries(now, 3, language="es")] == ["en-0", "es-new", "es-0"]
    assert "en-0" not in slugs(store.feed_entries(now, 100, language="en"))


# -- migration 4 on a store that has rows ----------------------------------------


def _insert_at_migration_3(store: Store, slug: str, document: dict[str, Any]) -> None:
    body = orjson.dumps(document).decode()
    with store._transaction() as cur:
        cur.execute(
            "INSERT INTO factchecks (slug, version, status, document, published_at, created_at, updated_at) "
            "VALUES (?, 1, ?, ?, ?, ?, ?)",
            (slug, document["status"], body, T1, T1, T1),
        )
        cur.execute(
            "INSERT INTO revisions (slug, version, status, document, recorded_at) VALUES (?, 1, ?, ?, ?)",
            (slug, document["status"], body, T1),
        )


def test_migration_4_fills_the_language_of_rows_written_before_it(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("feed.store.sql.MIGRATIONS", MIGRATIONS[:3])
    old = open_store(database_url)
    assert old.schema_version() == 3
    documents = {
        "mx": {"slug": "mx", "status": "published", "language": "es-MX", "headline": "H"},
        "en": {"slug": "en", "status": "published", "language": "en", "headline": "é — “quotes” <b>"},
        # Stored before control characters were refused: PostgreSQL's JSON types refuse \u0000.
        "nul": {"slug": "nul", "status": "published", "language": "ES", "headline": "a\x00b \\u0000"},
        "none": {"slug": "none", "status": "draft", "headline": "H"},
    }
    for slug, document in documents.items():
        _insert_at_migration_3(old, slug, document)
    old.close()
    monkeypatch.undo()

    store = open_store(database_url)
    try:
        assert store.schema_version() == MIGRATIONS[-1][0]
        expected = [("en", "en"), ("mx", "es-mx"), ("none", None), ("nul", "es")]
        assert store._query("SELECT slug, language FROM factchecks ORDER BY slug") == expected
        assert store._query("SELECT slug, language FROM revisions ORDER BY slug") == expected
        assert slugs(store.newest(["published"], 10, language="es")) == {"mx", "nul"}
        assert slugs(store.feed_entries(store.public_snapshot(), 10, language="es")) == {"mx", "nul"}
        assert store.get("nul").document["headline"] == "a\x00b \\u0000"  # type: ignore[union-attr]
        assert store.migrate() == []
    finally:
        store.close()
