"""Desk accounts and their sign-in sessions, as stored.

A session row is found by the SHA-256 of the cookie's secret (its primary key), read on every
desk request together with its account, so ending a session or disabling an account holds at
once on every server. Sessions are never deleted, only ended (`ended_at`).

Each change to an account writes its row of the audit trail in the same transaction
(feed.store.accountlog); `actor` names who made it. A role is read with the session on every
request, so a new role holds at once without signing the person out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from feed.store.accountlog import NewLink, add_link, check_admins_remain, end_links, record_event
from feed.store.sql import Cursor, SQLBase

ROLES = ("writer", "editor", "admin")  # each may do what the ones before it may
_USER = "id, email, name, role, created_at, disabled_at, password_changed_at"
_SESSION = "s.id, s.csrf_token, s.created_at, s.expires_at, s.last_seen_at, s.ended_at"


class DuplicateEmail(Exception):
    """An account with this email exists already."""


@dataclass(frozen=True)
class User:
    """An account, without its password hash."""

    id: int
    email: str
    name: str
    role: str
    created_at: str
    disabled_at: str | None
    password_changed_at: str


@dataclass(frozen=True)
class Session:
    id: str  # the SHA-256 of the cookie's secret, hex
    csrf_token: str
    created_at: str
    expires_at: str  # the absolute end; idle expiry is reckoned from last_seen_at
    last_seen_at: str
    ended_at: str | None
    user: User


class UserTable(SQLBase):
    def add_user(
        self, email: str, name: str, role: str, password_hash: str, now: str,
        actor: str | None = None, link: NewLink | None = None,
    ) -> User:  # fmt: skip
        """Insert an account (and its first set-password link, if given); raises DuplicateEmail if
        `email` (lower case) is taken."""
        with self._transaction() as cur:
            cur.execute("SELECT 1 FROM users WHERE email = ?", (email,))
            if cur.fetchall():
                raise DuplicateEmail(email)
            try:
                cur.execute(
                    "INSERT INTO users (email, name, password_hash, role, created_at, password_changed_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (email, name, password_hash, role, now, now),
                )
            except self.integrity_errors as exc:  # a concurrent create won the race
                raise DuplicateEmail(email) from exc
            cur.execute(f"SELECT {_USER} FROM users WHERE email = ?", (email,))
            user = _user(cur.fetchall()[0])
            record_event(cur, user.id, "created", role, now, actor)
            if link is not None:
                add_link(cur, user.id, link, now, actor)
            return user

    def user(self, user_id: int) -> User | None:
        rows = self._query(f"SELECT {_USER} FROM users WHERE id = ?", (user_id,))
        return _user(rows[0]) if rows else None

    def find_user(self, email: str) -> tuple[User, str] | None:
        """An account and its password hash, by email (lower case)."""
        if "\x00" in email:  # PostgreSQL text cannot carry NUL, and no email holds one
            return None
        rows = self._query(f"SELECT {_USER}, password_hash FROM users WHERE email = ?", (email,))
        return (_user(rows[0]), str(rows[0][-1])) if rows else None

    def users(self) -> list[User]:
        """Every account, disabled ones too, oldest first."""
        return [_user(row) for row in self._query(f"SELECT {_USER} FROM users ORDER BY id")]

    def rehash_password(self, user_id: int, password_hash: str) -> None:
        """Store a new hash of the same password (stronger parameters): sessions go on."""
        with self._transaction() as cur:
            cur.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))

    def set_password(self, user_id: int, password_hash: str, now: str, actor: str | None = None) -> int:
        """A new password, and every session of the account ended; returns the sessions ended."""
        with self._transaction() as cur:
            return self._set_password(cur, user_id, password_hash, now, actor)

    def _set_password(self, cur: Cursor, user_id: int, password_hash: str, now: str, actor: str | None) -> int:
        cur.execute(
            "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?",
            (password_hash, now, user_id),
        )
        record_event(cur, user_id, "password_set", None, now, actor)
        end_links(cur, user_id, now)
        return self._end_sessions(cur, user_id, now)

    def reset_with_link(self, user_id: int, link: NewLink, locked_hash: str, now: str, actor: str | None) -> int:
        """A set-password link for an account whose password stops working now (`locked_hash`
        matches no password): every session ended, earlier links too; returns the sessions ended."""
        with self._transaction() as cur:
            cur.execute("UPDATE users SET password_hash = ? WHERE id = ?", (locked_hash, user_id))
            add_link(cur, user_id, link, now, actor)
            return self._end_sessions(cur, user_id, now)

    def use_password_link(self, link_id: str, password_hash: str, now: str) -> User | None:
        """Set the password of a link's account and use the link up, if the link still works (unused,
        not ended, not expired, the account not disabled); the account, else None."""
        with self._transaction() as cur:
            cur.execute(
                "SELECT u.id, u.name FROM password_links l JOIN users u ON u.id = l.user_id WHERE l.id = ? "
                "AND l.used_at IS NULL AND l.ended_at IS NULL AND l.expires_at > ? AND u.disabled_at IS NULL",
                (link_id, now),
            )
            rows = cur.fetchall()
            if not rows:
                return None
            user_id, name = int(rows[0][0]), str(rows[0][1])
            cur.execute("UPDATE password_links SET used_at = ? WHERE id = ? AND used_at IS NULL", (now, link_id))
            self._set_password(cur, user_id, password_hash, now, name)
            cur.execute(f"SELECT {_USER} FROM users WHERE id = ?", (user_id,))
            return _user(cur.fetchall()[0])

    def set_role(self, user_id: int, role: str, now: str, actor: str | None = None) -> bool:
        """Give an account another role; False if it had that role already. Raises LastAdmin
        rather than demote the last active admin."""
        with self._transaction() as cur:
            cur.execute("SELECT role, disabled_at FROM users WHERE id = ?", (user_id,))
            rows = cur.fetchall()
            if not rows:
                raise LookupError(f"no account {user_id}")
            old, disabled_at = rows[0]
            if old == role:
                return False
            if old == "admin" and disabled_at is None:
                check_admins_remain(cur, user_id)
            cur.execute("UPDATE users SET role = ? WHERE id = ?", (role, user_id))
            record_event(cur, user_id, "role_changed", f"{old} {role}", now, actor)
            return True

    def disable_user(self, user_id: int, now: str, actor: str | None = None) -> int:
        """Disable an account (a second time keeps the first time) and end its sessions and links.
        Raises LastAdmin rather than disable the last active admin."""
        with self._transaction() as cur:
            cur.execute("SELECT role FROM users WHERE id = ? AND disabled_at IS NULL", (user_id,))
            active = cur.fetchall()
            if active and active[0][0] == "admin":
                check_admins_remain(cur, user_id)
            cur.execute("UPDATE users SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL", (now, user_id))
            if active:
                record_event(cur, user_id, "disabled", None, now, actor)
            end_links(cur, user_id, now)
            return self._end_sessions(cur, user_id, now)

    def _end_sessions(self, cur: Any, user_id: int, now: str) -> int:
        cur.execute("UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL", (now, user_id))
        return int(cur.rowcount)

    # -- sessions --------------------------------------------------------------

    def add_session(self, session_id: str, user_id: int, csrf_token: str, now: str, expires_at: str) -> None:
        with self._transaction() as cur:
            cur.execute(
                "INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, last_seen_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (session_id, user_id, csrf_token, now, expires_at, now),
            )

    def find_session(self, session_id: str) -> Session | None:
        """A session and its account (one primary-key lookup and a join), ended or not."""
        rows = self._query(
            f"SELECT {_SESSION}, u.id, u.email, u.name, u.role, u.created_at, u.disabled_at, "
            "u.password_changed_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?",
            (session_id,),
        )
        if not rows:
            return None
        row = rows[0]
        return Session(row[0], row[1], row[2], row[3], row[4], row[5], _user(row[6:]))

    def touch_session(self, session_id: str, now: str) -> None:
        with self._transaction() as cur:
            cur.execute("UPDATE sessions SET last_seen_at = ? WHERE id = ? AND ended_at IS NULL", (now, session_id))

    def end_session(self, session_id: str, now: str) -> None:
        with self._transaction() as cur:
            cur.execute("UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL", (now, session_id))


def _user(row: tuple[Any, ...]) -> User:
    return User(int(row[0]), *row[1:7])
