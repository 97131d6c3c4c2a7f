"""The change log that feeds read: every write is a row in `revisions` with a rising id.

A feed walk is pinned to a snapshot (the newest revision id when the walk began) and
returns, for each fact-check, its latest revision at that snapshot, newest first. Pages
continue by keyset (`id < cursor`), so fact-checks published or edited during a walk
neither repeat nor push others out of it: they show up in the next poll instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from feed.store.sql import SQLBase, language_filter

PUBLIC_STATUSES = ("published", "retracted")  # shown to readers, feeds and crawlers


@dataclass(frozen=True)
class FeedEntry:
    seq: int
    slug: str
    status: str
    document: dict[str, Any]
    changed_at: str
    created_at: str


class ChangeLog(SQLBase):
    def snapshot(self) -> int:
        """The newest change so far, drafts included (what the response cache watches)."""
        rows = self._query("SELECT MAX(id) FROM revisions")
        return int(rows[0][0] or 0)

    def public_snapshot(self) -> int:
        """The newest public change: a publish, an edit of a published fact-check, a retraction.

        Feeds pin their walks, validators and `since` to it, so saving a draft moves nothing a
        reader can see: no ETag, no Last-Modified, no refetch by pollers and CDNs.
        """
        # Newest first by primary key, stopping at the first public row: drafts are few and
        # sit at the top only while a newsroom is writing.
        rows = self._query("SELECT id FROM revisions WHERE status IN (?, ?) ORDER BY id DESC LIMIT 1", PUBLIC_STATUSES)
        return int(rows[0][0]) if rows else 0

    def change_time(self, seq: int) -> str | None:
        rows = self._query("SELECT recorded_at FROM revisions WHERE id = ?", (seq,))
        return str(rows[0][0]) if rows else None

    def first_change_after(self, instant: str) -> int | None:
        """The id of the first change recorded after `instant` (a store timestamp)."""
        # Change times rise with ids, so the earliest time has the smallest id. Asking for
        # MIN(id) instead makes SQLite walk the table in id order: a full scan.
        rows = self._query("SELECT id FROM revisions WHERE recorded_at > ? ORDER BY recorded_at LIMIT 1", (instant,))
        return int(rows[0][0]) if rows else None

    def feed_entries(
        self,
        snapshot: int,
        limit: int,
        before: int | None = None,
        since_seq: int = 0,
        language: str | None = None,
    ) -> list[FeedEntry]:
        """Each public fact-check's latest revision at `snapshot`, newest first.

        `before` continues a walk (keyset); `since_seq` keeps only changes from that id on;
        `language` keeps only latest revisions in that language or a form of it (es: es-MX too).
        """
        upper = snapshot + 1 if before is None else min(before, snapshot + 1)
        # The language is the revision's own: a fact-check whose language changed leaves the
        # other language's walks at the snapshot that saw the change.
        in_language, tags = language_filter("r.language", language)
        rows = self._query(
            "SELECT r.id, r.slug, r.status, r.document, r.recorded_at, f.created_at "
            "FROM revisions r JOIN factchecks f ON f.slug = r.slug "
            f"WHERE r.id < ? AND r.id >= ? AND r.status IN (?, ?){in_language} "
            "AND NOT EXISTS (SELECT 1 FROM revisions n WHERE n.slug = r.slug AND n.id > r.id AND n.id <= ?) "
            "ORDER BY r.id DESC LIMIT ?",
            (upper, since_seq, *PUBLIC_STATUSES, *tags, snapshot, limit),
        )
        return [FeedEntry(int(r[0]), r[1], r[2], orjson.loads(r[3]), r[4], r[5]) for r in rows]

    def iter_feed_entries(self, snapshot: int, batch: int = 500, language: str | None = None) -> Iterator[FeedEntry]:
        """Every entry at `snapshot` (in `language`, if given), a batch at a time so memory stays flat."""
        before: int | None = None
        while True:
            entries = self.feed_entries(snapshot, batch, before, language=language)
            yield from entries
            if len(entries) < batch:
                return
            before = entries[-1].seq

    def public_entries(self, limit: int, offset: int) -> list[tuple[str, str]]:
        """(slug, last change) of public fact-checks, in slug order: every page there is."""
        rows = self._query(
            "SELECT slug, updated_at FROM factchecks WHERE status IN (?, ?) ORDER BY slug LIMIT ? OFFSET ?",
            (*PUBLIC_STATUSES, limit, offset),
        )
        return [(r[0], r[1]) for r in rows]

    def sitemap_entries(self, limit: int, offset: int) -> list[tuple[str, str]]:
        """(slug, last change) of the public fact-checks whose page here is canonical, in slug order:
        what sitemaps list (canonical URLs only; not a page whose original article stays canonical)."""
        rows = self._query(
            "SELECT slug, updated_at FROM factchecks WHERE status IN (?, ?) AND canonical_url IS NULL "
            "ORDER BY slug LIMIT ? OFFSET ?",
            (*PUBLIC_STATUSES, limit, offset),
        )
        return [(r[0], r[1]) for r in rows]

    def sitemap_count(self) -> int:
        """How many fact-checks `sitemap_entries` lists."""
        rows = self._query("SELECT COUNT(*) FROM factchecks WHERE status IN (?, ?) AND canonical_url IS NULL",
                           PUBLIC_STATUSES)  # fmt: skip
        return int(rows[0][0])

    def public_count(self, language: str | None = None) -> int:
        """Published and retracted fact-checks (in `language` or a form of it, if given)."""
        in_language, tags = language_filter("language", language)
        rows = self._query(f"SELECT COUNT(*) FROM factchecks WHERE status IN (?, ?){in_language}",
                           (*PUBLIC_STATUSES, *tags))  # fmt: skip
        return int(rows[0][0])

    def written_slugs(self, after: int, upto: int) -> set[str]:
        """Fact-checks written between two snapshots (exclusive, inclusive)."""
        rows = self._query("SELECT DISTINCT slug FROM revisions WHERE id > ? AND id <= ?", (after, upto))
        return {str(r[0]) for r in rows}
