"""The store: SQL shared by both backends, with optimistic concurrency.

Every write is one transaction. An update names the version it was based on
and fails with StaleVersion if another write came first, so two editors never
silently overwrite each other. Each write also appends the full document to
`revisions`, so history is never overwritten; nothing is ever deleted
(retraction is a status).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import orjson

from feed.store.accountlog import AccountLog
from feed.store.changes import ChangeLog
from feed.store.clock import after
from feed.store.imports import ImportedPage, ImportLedger
from feed.store.outbox import OutboxQueue
from feed.store.previews import PreviewLinks
from feed.store.reviews import ReviewLog
from feed.store.search import SearchIndex
from feed.store.sql import Cursor, language_filter
from feed.store.tokens import TokenTable
from feed.store.translations import TranslationLinks
from feed.store.users import UserTable


class NotFound(Exception):
    pass


class Conflict(Exception):
    """A fact-check with this slug exists already."""


class StaleVersion(Exception):
    """The write was based on a version that is no longer current."""

    def __init__(self, current: int):
        self.current = current
        super().__init__(f"current version is {current}")


@dataclass(frozen=True)
class Record:
    slug: str
    version: int
    status: str
    document: dict[str, Any]
    created_at: str
    updated_at: str

    @property
    def etag(self) -> str:
        return f'"{self.slug}.v{self.version}"'


@dataclass(frozen=True)
class Actor:
    """Who made a write: an API token's key id and name, kept on each revision it writes."""

    key_id: str
    name: str


@dataclass(frozen=True)
class Change:
    """One write: the new document, its sort key, and the push targets to notify.

    The outbox rows for `notify` are written in the same transaction as the change, so
    a notification is never lost and never sent for a change that did not commit.
    """

    document: dict[str, Any]
    published_at: str | None = None
    action: str = "update"  # publish | update | retract
    notify: tuple[str, ...] = ()
    actor: Actor | None = None  # None: not written through the API (import, demo)
    categories: tuple[str, ...] = ()  # the verdict category of each claim, for the search index


@dataclass(frozen=True)
class Revision:
    version: int
    status: str
    document: dict[str, Any]
    recorded_at: str
    actor: Actor | None = None


_COLUMNS = "slug, version, status, document, created_at, updated_at"


class Store(
    ChangeLog,
    OutboxQueue,
    TokenTable,
    TranslationLinks,
    UserTable,
    AccountLog,
    ReviewLog,
    PreviewLinks,
    ImportLedger,
    SearchIndex,
):
    """Fact-checks and their revisions; the feed change log, the outbox, API tokens,
    translation links, desk accounts and their audit trail, imported archives, the search
    index (mixins)."""

    # -- fact-checks ---------------------------------------------------------

    def changed_slugs(self, after: int, upto: int) -> set[str]:
        """Fact-checks whose pages changed between two snapshots (exclusive, inclusive): those
        written, and the members of their translation groups, whose pages link to them."""
        return self.with_translations(self.written_slugs(after, upto), after, upto)

    def create(self, change: Change, now: str) -> Record:
        """Insert a new fact-check at version 1. Raises Conflict if the slug is taken."""
        with self._transaction() as cur:
            return self._insert(cur, change, self._next_stamp(cur, now))

    def create_many(self, changes: Sequence[Change], now: str) -> int:
        """Insert several fact-checks in one transaction: all of them, or none."""
        return self.write_many(changes, (), now)

    def write_many(self, new: Sequence[Change], replacing: Sequence[tuple[Change, int]], now: str) -> int:
        """Insert `new` fact-checks and replace others, each at the version paired with it, in one
        transaction: all of them, or none (Conflict, StaleVersion or NotFound naming the first refused)."""
        with self._transaction() as cur:
            for change in new:
                self._insert(cur, change, self._next_stamp(cur, now))
            for change, expected_version in replacing:
                self._replace(cur, change.document["slug"], change, expected_version, self._next_stamp(cur, now))
        return len(new) + len(replacing)

    def write_imported(
        self,
        change: Change,
        expected_version: int | None,
        page: ImportedPage,
        run: tuple[int, str, str] | None,
        now: str,
    ) -> Record:
        """An imported fact-check (new when `expected_version` is None, else replacing that
        version) with its `imported_pages` row, and the run's mark for the page (`run`: its id,
        the URL it fetched and the outcome), in one transaction: a crash loses at most this page."""
        with self._transaction() as cur:
            stamp = self._next_stamp(cur, now)
            if expected_version is None:
                record = self._insert(cur, change, stamp)
            else:
                record = self._replace(cur, change.document["slug"], change, expected_version, stamp)
            self._record_import(cur, replace(page, slug=record.slug, version=record.version, imported_at=stamp))
            if run is not None:
                self._mark_run_page(cur, *run)
        return record

    def _insert(self, cur: Cursor, change: Change, stamp: str) -> Record:
        document = change.document
        slug, status, language = document["slug"], document.get("status", "draft"), language_of(document)
        body = orjson.dumps(document).decode()
        cur.execute("SELECT 1 FROM factchecks WHERE slug = ?", (slug,))
        if cur.fetchall():
            raise Conflict(slug)
        try:
            cur.execute(
                "INSERT INTO factchecks (slug, version, status, document, published_at, "
                "created_at, updated_at, language, canonical_url) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)",
                (slug, status, body, change.published_at, stamp, stamp, language, canonical_elsewhere(document)),
            )
        except self.integrity_errors as exc:  # a concurrent create won the race
            raise Conflict(slug) from exc
        self._record_revision(cur, slug, 1, status, body, language, stamp, change.actor)
        self._link_translations(cur, slug, document)
        self._index_for_search(cur, document, change.published_at, change.categories)
        self._enqueue(cur, change, slug, stamp)
        return Record(slug, 1, status, document, stamp, stamp)

    def update(self, slug: str, change: Change, expected_version: int, now: str) -> Record:
        """Replace the current document if `expected_version` is still current."""
        if "\x00" in slug:
            raise NotFound(slug)
        with self._transaction() as cur:
            return self._replace(cur, slug, change, expected_version, self._next_stamp(cur, now))

    def _replace(self, cur: Cursor, slug: str, change: Change, expected_version: int, stamp: str) -> Record:
        document = change.document
        status, language = document.get("status", "draft"), language_of(document)
        body = orjson.dumps(document).decode()
        cur.execute(
            "UPDATE factchecks SET version = version + 1, status = ?, document = ?, "
            "published_at = ?, updated_at = ?, language = ?, canonical_url = ? WHERE slug = ? AND version = ?",
            (status, body, change.published_at, stamp, language, canonical_elsewhere(document), slug,
             expected_version),
        )  # fmt: skip
        if cur.rowcount != 1:
            cur.execute("SELECT version FROM factchecks WHERE slug = ?", (slug,))
            rows = cur.fetchall()
            if not rows:
                raise NotFound(slug)
            raise StaleVersion(rows[0][0])
        cur.execute(f"SELECT {_COLUMNS} FROM factchecks WHERE slug = ?", (slug,))
        record = _record(cur.fetchall()[0])
        self._record_revision(cur, slug, record.version, status, body, language, stamp, change.actor)
        self._link_translations(cur, slug, document)
        self._index_for_search(cur, document, change.published_at, change.categories)
        self._enqueue(cur, change, slug, stamp)
        return record

    def _next_stamp(self, cur: Cursor, now: str) -> str:
        """`now`, or just after the newest change if the clock is behind it.

        Runs under the write lock, so change times increase strictly in commit order and
        a reader's `since` (the newest change it has seen) never skips a later commit.
        """
        cur.execute("SELECT MAX(recorded_at) FROM revisions")
        newest = cur.fetchall()[0][0]
        return now if newest is None or now > newest else after(newest)

    def _enqueue(self, cur: Cursor, change: Change, slug: str, stamp: str) -> None:
        for target in change.notify:
            cur.execute(
                "INSERT INTO outbox (target, action, slug, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)",
                (target, change.action, slug, stamp, stamp),
            )

    def _record_revision(
        self,
        cur: Cursor,
        slug: str,
        version: int,
        status: str,
        body: str,
        language: str | None,
        now: str,
        actor: Actor | None,
    ) -> None:
        cur.execute(
            "INSERT INTO revisions (slug, version, status, document, language, recorded_at, actor_key_id, "
            "actor_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (slug, version, status, body, language, now, actor.key_id if actor else None,
             actor.name if actor else None),
        )  # fmt: skip

    def get(self, slug: str) -> Record | None:
        if "\x00" in slug:  # no stored slug holds NUL, and PostgreSQL text cannot carry one
            return None
        rows = self._query(f"SELECT {_COLUMNS} FROM factchecks WHERE slug = ?", (slug,))
        return _record(rows[0]) if rows else None

    def newest(self, statuses: Sequence[str], limit: int, offset: int = 0, language: str | None = None) -> list[Record]:
        """Fact-checks with these statuses, newest publication first (drafts by last change).

        `language` keeps those in that language or a form of it (es: es, es-MX, es-419).
        """
        marks = ", ".join("?" for _ in statuses)
        in_language, tags = language_filter("language", language)
        rows = self._query(
            f"SELECT {_COLUMNS} FROM factchecks WHERE status IN ({marks}){in_language} "
            "ORDER BY COALESCE(published_at, updated_at) DESC, slug ASC LIMIT ? OFFSET ?",
            (*statuses, *tags, limit, offset),
        )
        return [_record(row) for row in rows]

    def recently_changed(self, statuses: Sequence[str], limit: int, language: str | None = None) -> list[Record]:
        """Fact-checks with these statuses, the most recently changed first (the desk's list)."""
        marks = ", ".join("?" for _ in statuses)
        in_language, tags = language_filter("language", language)
        rows = self._query(
            f"SELECT {_COLUMNS} FROM factchecks WHERE status IN ({marks}){in_language} "
            "ORDER BY updated_at DESC, slug ASC LIMIT ?",
            (*statuses, *tags, limit),
        )
        return [_record(row) for row in rows]

    def last_actors(self, slugs: Sequence[str]) -> dict[str, str]:
        """Who wrote the latest revision of each of `slugs` (those written by a person or token)."""
        if not slugs:
            return {}
        marks = ", ".join("?" for _ in slugs)
        rows = self._query(
            f"SELECT slug, actor_name FROM revisions WHERE id IN "
            f"(SELECT MAX(id) FROM revisions WHERE slug IN ({marks}) GROUP BY slug)",
            tuple(slugs),
        )
        return {str(slug): str(name) for slug, name in rows if name is not None}

    def count(self, statuses: Sequence[str], language: str | None = None) -> int:
        marks = ", ".join("?" for _ in statuses)
        in_language, tags = language_filter("language", language)
        rows = self._query(
            f"SELECT COUNT(*) FROM factchecks WHERE status IN ({marks}){in_language}", (*statuses, *tags)
        )
        return int(rows[0][0])

    def all_records(self) -> Iterator[Record]:
        """Every fact-check, in slug order (for export)."""
        for row in self._query(f"SELECT {_COLUMNS} FROM factchecks ORDER BY slug"):
            yield _record(row)

    def revisions(self, slug: str) -> list[Revision]:
        if "\x00" in slug:
            return []
        rows = self._query(
            "SELECT version, status, document, recorded_at, actor_key_id, actor_name FROM revisions "
            "WHERE slug = ? ORDER BY version",
            (slug,),
        )
        return [
            Revision(r[0], r[1], orjson.loads(r[2]), r[3], Actor(r[4], r[5]) if r[4] is not None else None)
            for r in rows
        ]


def canonical_elsewhere(document: dict[str, Any]) -> str | None:
    """What the `canonical_url` column holds for `document`: its original article when that stays
    the canonical page (schemas.claimreview.canonical_url), else None (the page here is)."""
    original = document.get("originalUrl")
    return original if document.get("originalIsCanonical") is True and isinstance(original, str) else None


def language_of(document: dict[str, Any]) -> str | None:
    """What the `language` columns hold for `document`: its BCP 47 tag in lower case."""
    language = document.get("language")
    return language.lower() if isinstance(language, str) else None


def _record(row: tuple[Any, ...]) -> Record:
    slug, version, status, document, created_at, updated_at = row
    return Record(slug, int(version), status, orjson.loads(document), created_at, updated_at)
