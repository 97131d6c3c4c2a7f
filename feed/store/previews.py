"""Preview links: a draft shown to someone outside the desk, by a link that expires.

The link carries a random secret; the store keeps only its SHA-256 (as for sessions), the
fact-check it shows, who made it and when it stops working. A link can be ended before then.
"""

from __future__ import annotations

from dataclasses import dataclass

from feed.store.sql import SQLBase


@dataclass(frozen=True)
class PreviewLink:
    id: str  # SHA-256 of the link's secret, hex
    slug: str
    created_at: str
    expires_at: str
    created_by: str | None
    ended_at: str | None


class PreviewLinks(SQLBase):
    def add_preview_link(self, link_id: str, slug: str, now: str, expires_at: str, created_by: str) -> None:
        with self._transaction() as cur:
            cur.execute(
                "INSERT INTO preview_links (id, slug, created_at, expires_at, created_by) VALUES (?, ?, ?, ?, ?)",
                (link_id, slug, now, expires_at, created_by),
            )

    def find_preview_link(self, link_id: str) -> PreviewLink | None:
        rows = self._query(
            "SELECT id, slug, created_at, expires_at, created_by, ended_at FROM preview_links WHERE id = ?", (link_id,)
        )
        return PreviewLink(*rows[0]) if rows else None

    def preview_links(self, slug: str) -> list[PreviewLink]:
        rows = self._query(
            "SELECT id, slug, created_at, expires_at, created_by, ended_at FROM preview_links WHERE slug = ? "
            "ORDER BY created_at",
            (slug,),
        )
        return [PreviewLink(*row) for row in rows]

    def end_preview_links(self, slug: str, now: str) -> int:
        with self._transaction() as cur:
            cur.execute("UPDATE preview_links SET ended_at = ? WHERE slug = ? AND ended_at IS NULL", (now, slug))
            return cur.rowcount
