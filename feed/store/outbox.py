"""The durable outbox of push notifications (WebSub, IndexNow, Fact Check Tools).

Rows are written in the same transaction as the change they announce. Workers claim
due rows one at a time with a short lease, renewed before each request, so several
workers or app servers never send one twice at the same time, and a worker that dies
mid-delivery holds only the row it was working on, and only until its lease ends.
Only the oldest pending row per (target, fact-check) is due, so a create is always
delivered before the update or delete that follows it.

`remote_creates` remembers a create whose answer never came (a timeout, a crash): the
remote page may exist, so the next delivery for that fact-check looks it up first.
"""

from __future__ import annotations

from dataclasses import dataclass

from feed.store.sql import SQLBase


@dataclass(frozen=True)
class Notification:
    id: int
    target: str
    action: str
    slug: str
    attempts: int


@dataclass(frozen=True)
class OutboxRow:
    id: int
    target: str
    action: str
    slug: str
    attempts: int
    delivered_at: str | None
    failed_at: str | None
    last_error: str | None


@dataclass(frozen=True)
class OutboxBacklog:
    target: str
    pending: int  # neither delivered nor given up on
    failed: int  # given up on (a permanent error, or out of attempts)
    oldest_pending_at: str | None


class OutboxQueue(SQLBase):
    def claim_due(self, now: str, lease_until: str, limit: int) -> list[Notification]:
        with self._transaction() as cur:
            cur.execute(
                "SELECT o.id, o.target, o.action, o.slug, o.attempts FROM outbox o "
                "WHERE o.delivered_at IS NULL AND o.failed_at IS NULL AND o.next_attempt_at <= ? "
                "AND (o.claimed_until IS NULL OR o.claimed_until < ?) "
                "AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.target = o.target AND p.slug = o.slug "
                "AND p.id < o.id AND p.delivered_at IS NULL AND p.failed_at IS NULL) "
                "ORDER BY o.id LIMIT ?",
                (now, now, limit),
            )
            due = [Notification(int(r[0]), r[1], r[2], r[3], int(r[4])) for r in cur.fetchall()]
            for item in due:
                cur.execute("UPDATE outbox SET claimed_until = ? WHERE id = ?", (lease_until, item.id))
        return due

    def renew_lease(self, notification_id: int, held_until: str, new_until: str) -> bool:
        """Extend a lease this worker still holds; False if it ran out and another worker took the row."""
        with self._transaction() as cur:
            cur.execute(
                "UPDATE outbox SET claimed_until = ? WHERE id = ? AND claimed_until = ? "
                "AND delivered_at IS NULL AND failed_at IS NULL",
                (new_until, notification_id, held_until),
            )
            return cur.rowcount == 1

    def mark_delivered(self, notification_id: int, now: str) -> None:
        with self._transaction() as cur:
            cur.execute(
                "UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, claimed_until = NULL, "
                "last_error = NULL WHERE id = ?",
                (now, notification_id),
            )

    def mark_retry(self, notification_id: int, error: str, next_attempt_at: str) -> None:
        with self._transaction() as cur:
            cur.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, claimed_until = NULL, "
                "last_error = ? WHERE id = ?",
                (next_attempt_at, error[:1000], notification_id),
            )

    def mark_failed(self, notification_id: int, error: str, now: str) -> None:
        """Give up: a permanent error (such as a 4xx) that retrying cannot fix."""
        with self._transaction() as cur:
            cur.execute(
                "UPDATE outbox SET attempts = attempts + 1, failed_at = ?, claimed_until = NULL, "
                "last_error = ? WHERE id = ?",
                (now, error[:1000], notification_id),
            )

    def outbox_backlog(self) -> list[OutboxBacklog]:
        """Per target: rows waiting, rows given up on, the oldest waiting row's time (for metrics).

        Both counts are read through the outbox_pending index, so a scrape stays cheap however
        many rows were delivered."""
        found: dict[str, OutboxBacklog] = {}
        for target, count, oldest in self._query(
            "SELECT target, COUNT(*), MIN(created_at) FROM outbox "
            "WHERE delivered_at IS NULL AND failed_at IS NULL GROUP BY target"
        ):
            found[target] = OutboxBacklog(target, int(count), 0, oldest)
        for target, count in self._query(
            "SELECT target, COUNT(*) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NOT NULL GROUP BY target"
        ):
            pending = found.get(target, OutboxBacklog(target, 0, 0, None))
            found[target] = OutboxBacklog(target, pending.pending, int(count), pending.oldest_pending_at)
        return [found[target] for target in sorted(found)]

    def outbox(self) -> list[OutboxRow]:
        rows = self._query(
            "SELECT id, target, action, slug, attempts, delivered_at, failed_at, last_error FROM outbox ORDER BY id"
        )
        return [OutboxRow(int(r[0]), r[1], r[2], r[3], int(r[4]), r[5], r[6], r[7]) for r in rows]

    def remote_name(self, target: str, slug: str) -> str | None:
        rows = self._query("SELECT remote_name FROM remote_pages WHERE target = ? AND slug = ?", (target, slug))
        return str(rows[0][0]) if rows else None

    def set_remote_name(self, target: str, slug: str, name: str | None) -> None:
        """Record (or, with None, forget) the remote page; either way no create is in doubt any more."""
        with self._transaction() as cur:
            cur.execute("DELETE FROM remote_creates WHERE target = ? AND slug = ?", (target, slug))
            cur.execute("DELETE FROM remote_pages WHERE target = ? AND slug = ?", (target, slug))
            if name is not None:
                cur.execute(
                    "INSERT INTO remote_pages (target, slug, remote_name) VALUES (?, ?, ?)", (target, slug, name)
                )

    def note_create_attempt(self, target: str, slug: str, now: str) -> None:
        """Committed before a create is sent, so a lost answer or a crash leaves a trace."""
        with self._transaction() as cur:
            cur.execute("DELETE FROM remote_creates WHERE target = ? AND slug = ?", (target, slug))
            cur.execute("INSERT INTO remote_creates (target, slug, attempted_at) VALUES (?, ?, ?)", (target, slug, now))

    def create_attempted(self, target: str, slug: str) -> bool:
        """True if a create was sent for this fact-check and its answer never recorded."""
        rows = self._query("SELECT 1 FROM remote_creates WHERE target = ? AND slug = ?", (target, slug))
        return bool(rows)

    def forget_create_attempt(self, target: str, slug: str) -> None:
        with self._transaction() as cur:
            cur.execute("DELETE FROM remote_creates WHERE target = ? AND slug = ?", (target, slug))
