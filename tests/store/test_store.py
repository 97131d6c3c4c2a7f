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


def test_write_many_replaces_at_the_named_version_or_writes_nothing(store: Store) -> None:
    store.create_many([Change(doc("a", headline="first")), Change(doc("b", headline="first"))], T1)
    store.update("b", Change(doc("b", headline="edited elsewhere")), 1, T2)
    with pytest.raises(StaleVersion) as caught:
        store.write_many([Change(doc("new-one"))], [(Change(doc("a", headline="mine")), 1),
                                                    (Change(doc("b", headline="mine")), 1)], T3)  # fmt: skip
    assert caught.value.current == 2
    assert store.get("new-one") is None
    assert [store.get(s).document["headline"] for s in "ab"] == ["first", "edited elsewhere"]  # type: ignore[union-attr]
    assert len(store.revisions("a")) == 1
    assert store.write_many([Change(doc("new-one"))], [(Change(doc("b", headline="mine")), 2)], T3) == 2
    assert store.get("b").version == 3  # type: ignore[union-attr]


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


# -- change log (feeds) --------------------------------------------------------


def published(slug: str, headline: str = "H") -> Change:
    return Change(doc(slug, "published", headline), T1, "publish")


def test_change_times_rise_strictly_even_when_the_clock_goes_back(store: Store) -> None:
    store.create(published("a"), T3)
    store.create(published("b"), T1)  # a clock behind the newest change
    store.update("a", published("a", "edit"), 1, T2)
    times = [store.change_time(seq) for seq in range(1, store.snapshot() + 1)]
    assert times == sorted(times) and len(set(times)) == 3
    assert times[0] == T3


def test_feed_entries_pin_a_snapshot_and_page_by_keyset(store: Store) -> None:
    for n in range(5):
        store.create(published(f"c{n}"), T1)
    store.create(Change(doc("draft")), T1)
    snapshot = store.snapshot()
    first = store.feed_entries(snapshot, 2)
    assert [e.slug for e in first] == ["c4", "c3"]
    # Changes after the snapshot: an edit of c0 and a new c5. The walk goes on unaffected.
    store.update("c0", published("c0", "edited"), 1, T2)
    store.create(published("c5"), T2)
    rest = store.feed_entries(snapshot, 10, before=first[-1].seq)
    assert [e.slug for e in rest] == ["c2", "c1", "c0"]
    assert rest[-1].document["headline"] == "H"  # c0 as it was at the snapshot
    # A new walk sees the latest revisions, the edited one first.
    latest = store.feed_entries(store.snapshot(), 10)
    assert [e.slug for e in latest] == ["c5", "c0", "c4", "c3", "c2", "c1"]
    since = store.first_change_after(store.change_time(snapshot) or "")
    assert since is not None
    assert [e.slug for e in store.feed_entries(store.snapshot(), 10, since_seq=since)] == ["c5", "c0"]
    assert store.first_change_after("2999-01-01T00:00:00.000000Z") is None


def test_retracted_stays_in_the_change_log(store: Store) -> None:
    store.create(published("a"), T1)
    store.update("a", Change(doc("a", "retracted"), T1, "retract"), 1, T2)
    (entry,) = store.feed_entries(store.snapshot(), 10)
    assert (entry.slug, entry.status) == ("a", "retracted")
    assert store.public_count() == 1
    assert store.sitemap_entries(10, 0) == [("a", entry.changed_at)]


def test_sitemaps_leave_out_pages_whose_original_article_stays_canonical(store: Store) -> None:
    original = {"originalUrl": "https://news.example/a", "originalIsCanonical": True}
    store.create_many([published("a"), published("b"), published("c"), Change(doc("d"), T1, "none")], T1)
    store.update("b", Change(doc("b", "published") | original, T1, "update"), 1, T2)
    # Named without being canonical: listed.
    store.update("c", Change(doc("c", "published") | {"originalUrl": "https://news.example/c"}, T1, "update"), 1, T2)
    assert [slug for slug, _ in store.sitemap_entries(10, 0)] == ["a", "c"]
    assert store.sitemap_count() == 2
    # Every public page is still there to build.
    assert [slug for slug, _ in store.public_entries(10, 0)] == ["a", "b", "c"]
    assert store.public_count() == 3
    # Back to canonical here: listed again.
    store.update("b", Change(doc("b", "published") | {"originalUrl": "https://news.example/a"}, T1, "update"), 2, T3)
    assert [slug for slug, _ in store.sitemap_entries(10, 0)] == ["a", "b", "c"] and store.sitemap_count() == 3
    store.create(Change(doc("e", "published") | original, T1, "publish"), T3)  # canonical elsewhere from the start
    assert "e" not in [slug for slug, _ in store.sitemap_entries(10, 0)] and store.sitemap_count() == 3


def test_iter_feed_entries_reads_in_batches(store: Store) -> None:
    store.create_many([published(f"b{n:02d}") for n in range(7)], T1)
    assert [e.slug for e in store.iter_feed_entries(store.snapshot(), batch=3)] == [
        f"b{n:02d}" for n in reversed(range(7))
    ]


# -- outbox --------------------------------------------------------------------


def test_outbox_rows_commit_with_their_change_or_not_at_all(store: Store) -> None:
    store.create(Change(doc("a", "published"), T1, "publish", ("websub", "indexnow")), T1)
    assert [(r.target, r.action, r.slug) for r in store.outbox()] == [
        ("websub", "publish", "a"), ("indexnow", "publish", "a"),
    ]  # fmt: skip
    with pytest.raises(StaleVersion):
        store.update("a", Change(doc("a", "published"), T1, "update", ("websub",)), 7, T2)
    assert len(store.outbox()) == 2


def test_claims_are_leased_and_ordered_per_target_and_check(store: Store) -> None:
    store.create(Change(doc("a", "published"), T1, "publish", ("websub",)), T1)
    store.update("a", Change(doc("a", "published"), T1, "update", ("websub",)), 1, T2)
    now, later = "2030-01-01T00:00:00.000000Z", "2030-01-01T00:02:00.000000Z"
    (claimed,) = store.claim_due(now, later, 10)  # only the older of the two for (websub, a)
    assert claimed.action == "publish"
    assert store.claim_due(now, later, 10) == []  # leased
    store.mark_retry(claimed.id, "503", "2030-01-01T01:00:00.000000Z")
    assert store.claim_due(now, later, 10) == []  # not due; and the update waits behind it
    (again,) = store.claim_due("2030-01-01T01:00:01.000000Z", "2030-01-01T01:02:00.000000Z", 10)
    assert again.id == claimed.id and again.attempts == 1
    store.mark_delivered(again.id, "2030-01-01T01:00:02.000000Z")
    (update,) = store.claim_due("2030-01-01T01:00:03.000000Z", "2030-01-01T01:02:00.000000Z", 10)
    assert update.action == "update"
    store.mark_failed(update.id, "403 forbidden", "2030-01-01T01:00:04.000000Z")
    rows = store.outbox()
    assert [(r.attempts, bool(r.delivered_at), bool(r.failed_at)) for r in rows] == [(2, True, False), (1, False, True)]
    assert rows[1].last_error == "403 forbidden"


def test_expired_lease_can_be_claimed_again(store: Store) -> None:
    store.create(Change(doc("a", "published"), T1, "publish", ("websub",)), T1)
    store.claim_due("2030-01-01T00:00:00.000000Z", "2030-01-01T00:02:00.000000Z", 10)
    assert len(store.claim_due("2030-01-01T00:03:00.000000Z", "2030-01-01T00:05:00.000000Z", 10)) == 1


def test_remote_page_names(store: Store) -> None:
    store.create(published("a"), T1)
    store.set_remote_name("factcheck-tools", "a", "pages/1")
    assert store.remote_name("factcheck-tools", "a") == "pages/1"
    store.set_remote_name("factcheck-tools", "a", None)
    assert store.remote_name("factcheck-tools", "a") is None


def test_a_slug_with_nul_is_simply_absent(store: Store) -> None:
    assert store.get("a\x00b") is None
    assert store.revisions("a\x00b") == []
    with pytest.raises(NotFound):
        store.update("a\x00b", Change(doc("a")), 1, T1)


# -- token lifecycle and revision actors -----------------------------------------


def test_tokens_keep_scope_expiry_and_revocation(store: Store) -> None:
    store.add_token("k1", "Regional desk", "hash1", T1, publisher="regional", expires_at=T3)
    store.add_token("k2", "Chief editor", "hash2", T2)
    found = store.find_token("k1")
    assert found is not None
    info, secret_hash = found
    assert (info.name, info.publisher, info.created_at, info.expires_at, secret_hash) == (
        "Regional desk", "regional", T1, T3, "hash1",
    )  # fmt: skip
    assert info.revoked_at is None and store.find_token("nope") is None and store.find_token("k\x001") is None
    assert [t.key_id for t in store.tokens()] == ["k1", "k2"]
    assert "hash1" not in repr(store.tokens())

    revoked = store.revoke_token("k1", T2)
    assert revoked is not None and revoked.revoked_at == T2
    again = store.revoke_token("k1", T3)
    assert again is not None and again.revoked_at == T2  # the first revocation stands
    assert store.revoke_token("nope", T3) is None
    store.touch_token("k2", T3)
    assert [(t.key_id, t.revoked_at, t.last_used_at) for t in store.tokens()] == [("k1", T2, None), ("k2", None, T3)]


def test_each_revision_records_its_actor(store: Store) -> None:
    from feed.store import Actor

    desk = Actor("k1", "Night desk")
    store.create(Change(doc("a"), actor=desk), T1)
    store.update("a", Change(doc("a", headline="imported")), 1, T2)
    assert [(r.version, r.actor) for r in store.revisions("a")] == [(1, desk), (2, None)]


# -- outbox leases and creates in doubt --------------------------------------------


def test_a_lease_is_renewed_only_by_its_holder(store: Store) -> None:
    store.create(Change(doc("a", "published"), T1, "publish", ("websub",)), T1)
    now, until = "2030-01-01T00:00:00.000000Z", "2030-01-01T00:01:00.000000Z"
    (row,) = store.claim_due(now, until, 10)
    assert store.renew_lease(row.id, until, "2030-01-01T00:02:00.000000Z")
    assert store.claim_due("2030-01-01T00:01:30.000000Z", "2030-01-01T00:02:30.000000Z", 10) == []  # renewed
    assert not store.renew_lease(row.id, until, "2030-01-01T00:09:00.000000Z")  # no longer the lease held
    # The holder died; another worker takes the row, and the first can no longer renew it.
    (taken,) = store.claim_due("2030-01-01T00:02:01.000000Z", "2030-01-01T00:03:01.000000Z", 10)
    assert taken.id == row.id
    assert not store.renew_lease(row.id, "2030-01-01T00:02:00.000000Z", "2030-01-01T00:04:00.000000Z")
    store.mark_delivered(row.id, "2030-01-01T00:02:02.000000Z")
    assert not store.renew_lease(row.id, "2030-01-01T00:03:01.000000Z", "2030-01-01T00:04:00.000000Z")


def test_a_create_in_doubt_is_remembered_until_the_page_is_known(store: Store) -> None:
    store.create(published("a"), T1)
    assert not store.create_attempted("factcheck-tools", "a")
    store.note_create_attempt("factcheck-tools", "a", T2)
    store.note_create_attempt("factcheck-tools", "a", T3)  # a second try is still one create in doubt
    assert store.create_attempted("factcheck-tools", "a") and not store.create_attempted("other", "a")
    store.set_remote_name("factcheck-tools", "a", "pages/1")
    assert not store.create_attempted("factcheck-tools", "a")
    store.note_create_attempt("factcheck-tools", "a", T3)
    store.forget_create_attempt("factcheck-tools", "a")
    assert not store.create_attempted("factcheck-tools", "a")


# -- the SQLite file -------------------------------------------------------------


def test_sqlite_file_and_its_wal_and_shm_are_private_whatever_the_umask(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import stat

    path = tmp_path / "private.db"
    previous = os.umask(0o022)  # the usual umask, under which files are created world-readable
    try:
        opened = open_store(f"sqlite:///{path}")
        opened.create(Change(doc("a"), None), T1)
        modes = {name: stat.S_IMODE(os.stat(f"{path}{name}").st_mode) for name in ("", "-wal", "-shm")}
        opened.close()
    finally:
        os.umask(previous)
    assert modes == {"": 0o600, "-wal": 0o600, "-shm": 0o600}


def test_sqlite_file_is_0600_even_under_a_umask_that_takes_owner_bits(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import stat

    path = tmp_path / "strict.db"
    previous = os.umask(0o277)
    try:
        open_store(f"sqlite:///{path}").close()
    finally:
        os.umask(previous)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_sqlite_commits_are_durable_once_acknowledged(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import threading

    opened = open_store(f"sqlite:///{tmp_path / 'durable.db'}")
    levels: list[int] = []
    worker = threading.Thread(target=lambda: levels.append(opened._query("PRAGMA synchronous")[0][0]))
    worker.start()
    worker.join()
    levels.append(opened._query("PRAGMA synchronous")[0][0])
    assert levels == [2, 2]  # FULL, on every thread's connection (NORMAL is 1)
    opened.close()
