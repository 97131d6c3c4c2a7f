"""A store with a newsroom's history, written through the publishing workflow, for backup tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from feed.core.publishing import Publishing
from feed.core.representation import verdict_categories
from feed.core.settings import Settings
from feed.core.tokens import create_token, verify_token
from feed.desk.accounts import create_user, disable_user, start_session
from feed.site.config import load_publishers
from feed.store import Store
from feed.store.backup import TABLES
from feed.store.clock import stamp
from tests.conftest import demo_documents

BASE_URL = "http://news.example"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TARGETS = ("websub", "indexnow", "factcheck-tools")
SLUG = "backup-history"  # created, edited, published, corrected and retracted


def settings_for(database_url: str) -> Settings:
    return Settings.load({}, {"database_url": database_url, "base_url": BASE_URL})


def categorize(document: dict[str, Any]) -> tuple[str, ...]:
    """Each claim's verdict category by the demo publishers' scales, as restore is given them."""
    return verdict_categories(load_publishers(settings_for("sqlite:///unused")), document)


def build_history(store: Store) -> None:
    """Demo checks, then a check's whole life by API tokens, token lifecycles and push outcomes."""
    clock = (START + timedelta(minutes=minute) for minute in count())
    publishing = Publishing(store, load_publishers(settings_for("sqlite:///unused")), BASE_URL, TARGETS)
    publishing.import_documents(demo_documents(), next(clock))

    chief = create_token(store, "Chief editor", next(clock))
    regional = create_token(
        store, "Regional desk", next(clock), publisher="demo", expires_at=START + timedelta(days=90)
    )
    leaver = create_token(store, "Former freelancer", next(clock))
    store.revoke_token(leaver.split("_")[1], stamp(next(clock)))
    editor = verify_token(store, chief, next(clock))  # also records its last use
    desk = verify_token(store, regional, next(clock))
    assert editor is not None and desk is not None

    base: dict[str, Any] = {**demo_documents()[2], "slug": SLUG, "status": "draft"}
    for key in ("datePublished", "dateModified", "corrections"):
        base.pop(key, None)
    record = publishing.create(base, next(clock), actor=editor.actor)
    for headline in ("Lightning, checked", "Lightning: é — “quotes” <b>&amp;</b>", "Lightning strikes twice"):
        document = {**record.document, "headline": headline}
        record = publishing.update(SLUG, document, record.version, next(clock), actor=editor.actor)
    record = publishing.publish(SLUG, record.version, next(clock), actor=editor.actor)
    corrected = {**record.document, "corrections": [{"date": "2026-03-02", "note": "A figure was wrong."}]}
    record = publishing.update(SLUG, corrected, record.version, next(clock), actor=desk.actor)
    publishing.retract(SLUG, "The source withdrew its study.", record.version, next(clock), actor=editor.actor)

    health = store.get("three-everyday-health-myths")
    assert health is not None
    edited = {**health.document, "headline": "Three health claims, checked again"}
    publishing.update(health.slug, edited, health.version, next(clock), actor=desk.actor)
    publishing.create({**base, "slug": "backup-draft"}, next(clock), actor=desk.actor)
    # Its original article stays canonical: the store keeps where (factchecks.canonical_url).
    kept = {**base, "slug": "backup-kept", "originalUrl": "https://news.example/lightning", "originalIsCanonical": True}
    publishing.create(kept, next(clock), actor=desk.actor)

    now = stamp(next(clock))
    delivered, retried, failed, leased = store.claim_due(now, stamp(START + timedelta(days=1)), 4)
    store.mark_delivered(delivered.id, now)
    store.mark_retry(retried.id, "HTTP 503", stamp(START + timedelta(hours=2)))
    store.mark_failed(failed.id, "HTTP 400: bad request", now)
    assert leased.id  # left claimed: its lease is kept too
    store.set_remote_name("factcheck-tools", "lightning-never-strikes-twice", "claims/x1/pages/p1")
    store.note_create_attempt("factcheck-tools", "three-everyday-health-myths", now)

    # Desk accounts: one signed in, one disabled (its session ended with it).
    editor_account = create_user(
        store, "editor@news.example", "Desk Editor", "editor", "a long passphrase", next(clock)
    )
    start_session(store, editor_account, next(clock))
    leaver_account = create_user(
        store, "leaver@news.example", "Léa Départ", "writer", "another passphrase", next(clock)
    )
    start_session(store, leaver_account, next(clock))
    disable_user(store, leaver_account.email, next(clock))


def table_rows(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in key order (compared as Python orders text, the same on both backends)."""
    rows = {}
    for table in TABLES:
        order = ", ".join(str(table.columns.index(column) + 1) for column in table.key)
        found = store._query(f"SELECT {', '.join(table.columns)} FROM {table.name} ORDER BY {order}")
        keys = [table.columns.index(column) for column in table.key]
        rows[table.name] = sorted(found, key=lambda row: [row[i] for i in keys])
    return rows
