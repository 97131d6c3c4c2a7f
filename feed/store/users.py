"""Desk accounts and their sign-in sessions, as stored.

A session row is found by the SHA-256 of the cookie's secret (its primary key), read on every
desk request together with its account, so ending a session or disabling an account holds at
once on every server. Sessions are never deleted, only ended (`ended_at`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from feed.store.sql import SQLBase

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
    def add_user(self, email: str, name: str, role: str, password_hash: str, now: str) -> User:
        """Insert an account; raises DuplicateEmail if `email` (lower case) is taken."""
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
            return _user(cur.fetchall()[0])

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

    def set_password(self, user_id: int, password_hash: str, now: str) -> int:
        """A new password, and every session of the account ended; returns the sessions ended."""
        with self._transaction() as cur:
            cur.execute(
                "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?",
                (password_hash, now, user_id),
            )
            return self._end_sessions(cur, user_id, now)

    def disable_user(self, user_id: int, now: str) -> int:
        """Disable an account (a second time keeps the first time) and end its sessions."""
        with self._transaction() as cur:
            cur.execute("UPDATE users SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL", (now, user_id))
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
