"""The accounts' audit trail and their one-time set-password links, as stored.

Every change to an account (made, role changed, password link given, password set, disabled)
is a row in `account_events`, written in the change's own transaction and never changed or
deleted, so the trail cannot miss a change that committed. `actor_name` is who made it, copied
(a person's name on the desk, "command line" from `factcard user`), so the trail reads the same
whatever becomes of the account that acted.

A set-password link carries a random secret; `password_links` keeps only its SHA-256 (as for
sessions and preview links). It works once, until it expires, and only while it is the
account's newest link and the account is not disabled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from feed.store.sql import Cursor, SQLBase

ACCOUNT_ACTIONS = ("created", "role_changed", "password_link", "password_set", "disabled")
LINK_PURPOSES = ("invite", "reset")
_EVENT = "e.action, e.detail, e.recorded_at, e.actor_name, u.id, u.email, u.name"


class LastAdmin(Exception):
    """The change would leave no active admin, and no one to manage people on the desk."""


@dataclass(frozen=True)
class AccountEvent:
    action: str  # one of ACCOUNT_ACTIONS
    detail: str | None  # role_changed: "old new"; created: the role; password_link: its purpose
    recorded_at: str
    actor_name: str | None
    user_id: int
    email: str
    name: str


@dataclass(frozen=True)
class NewLink:
    """A set-password link to store: the SHA-256 of its secret, what it is for, when it ends."""

    id: str
    purpose: str  # one of LINK_PURPOSES
    expires_at: str


@dataclass(frozen=True)
class PasswordLink:
    id: str
    user_id: int
    purpose: str
    created_at: str
    expires_at: str
    created_by: str | None
    used_at: str | None
    ended_at: str | None


def record_event(cur: Cursor, user_id: int, action: str, detail: str | None, now: str, actor: str | None) -> None:
    if action not in ACCOUNT_ACTIONS:
        raise ValueError(f"no account action {action!r}")
    cur.execute(
        "INSERT INTO account_events (user_id, action, detail, recorded_at, actor_name) VALUES (?, ?, ?, ?, ?)",
        (user_id, action, detail, now, actor),
    )


def end_links(cur: Cursor, user_id: int, now: str) -> None:
    """End every open set-password link of an account (a newer one, or the account disabled)."""
    cur.execute(
        "UPDATE password_links SET ended_at = ? WHERE user_id = ? AND used_at IS NULL AND ended_at IS NULL",
        (now, user_id),
    )


def add_link(cur: Cursor, user_id: int, link: NewLink, now: str, actor: str | None) -> None:
    """A new link for an account, ending the ones before it."""
    if link.purpose not in LINK_PURPOSES:
        raise ValueError(f"no link purpose {link.purpose!r}")
    end_links(cur, user_id, now)
    cur.execute(
        "INSERT INTO password_links (id, user_id, purpose, created_at, expires_at, created_by) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (link.id, user_id, link.purpose, now, link.expires_at, actor),
    )
    record_event(cur, user_id, "password_link", link.purpose, now, actor)


def check_admins_remain(cur: Cursor, user_id: int) -> None:
    """LastAdmin unless some active admin other than `user_id` remains.

    Runs inside the change's write transaction, which both backends serialise (SQLite's
    BEGIN IMMEDIATE, PostgreSQL's advisory lock), so two admins demoting each other at once
    cannot both succeed.
    """
    cur.execute(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id <> ?",
        (user_id,),
    )
    if int(cur.fetchall()[0][0]) == 0:
        raise LastAdmin()


class AccountLog(SQLBase):
    def account_events(self, limit: int = 50) -> list[AccountEvent]:
        """The newest changes to accounts first."""
        rows = self._query(
            f"SELECT {_EVENT} FROM account_events e JOIN users u ON u.id = e.user_id ORDER BY e.id DESC LIMIT ?",
            (limit,),
        )
        return [_event(row) for row in rows]

    def find_password_link(self, link_id: str) -> PasswordLink | None:
        rows = self._query(
            "SELECT id, user_id, purpose, created_at, expires_at, created_by, used_at, ended_at "
            "FROM password_links WHERE id = ?",
            (link_id,),
        )
        return _link(rows[0]) if rows else None

    def open_password_links(self, now: str) -> dict[int, PasswordLink]:
        """Each account's link that still works (unused, not ended, not expired), by account id."""
        rows = self._query(
            "SELECT id, user_id, purpose, created_at, expires_at, created_by, used_at, ended_at FROM password_links "
            "WHERE used_at IS NULL AND ended_at IS NULL AND expires_at > ?",
            (now,),
        )
        return {link.user_id: link for link in map(_link, rows)}


def _event(row: tuple[Any, ...]) -> AccountEvent:
    return AccountEvent(row[0], row[1], row[2], row[3], int(row[4]), row[5], row[6])


def _link(row: tuple[Any, ...]) -> PasswordLink:
    return PasswordLink(row[0], int(row[1]), *row[2:])
