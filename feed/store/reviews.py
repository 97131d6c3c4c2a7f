"""The desk's review of drafts: a writer submits a draft, an editor asks for changes.

Each step is a row in `review_events`, never changed or deleted, so the review's course is
part of the fact-check's audit log; the last step is where the review stands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from feed.store.sql import SQLBase

REVIEW_ACTIONS = ("submitted", "changes_requested")


@dataclass(frozen=True)
class ReviewEvent:
    slug: str
    action: str  # one of REVIEW_ACTIONS
    note: str | None  # what the editor asks for
    recorded_at: str
    actor_name: str | None


class ReviewLog(SQLBase):
    def add_review_event(self, slug: str, action: str, note: str | None, now: str, actor_name: str | None) -> None:
        if action not in REVIEW_ACTIONS:
            raise ValueError(f"no review action {action!r}")
        with self._transaction() as cur:
            cur.execute(
                "INSERT INTO review_events (slug, action, note, recorded_at, actor_name) VALUES (?, ?, ?, ?, ?)",
                (slug, action, note, now, actor_name),
            )

    def review_events(self, slug: str) -> list[ReviewEvent]:
        rows = self._query(
            "SELECT slug, action, note, recorded_at, actor_name FROM review_events WHERE slug = ? ORDER BY id",
            (slug,),
        )
        return [ReviewEvent(*row) for row in rows]

    def review_stages(self, slugs: Sequence[str]) -> dict[str, ReviewEvent]:
        """The last review step of each of `slugs` that has one."""
        if not slugs:
            return {}
        marks = ", ".join("?" for _ in slugs)
        rows = self._query(
            "SELECT slug, action, note, recorded_at, actor_name FROM review_events WHERE id IN "
            f"(SELECT MAX(id) FROM review_events WHERE slug IN ({marks}) GROUP BY slug)",
            tuple(slugs),
        )
        return {row[0]: ReviewEvent(*row) for row in rows}
