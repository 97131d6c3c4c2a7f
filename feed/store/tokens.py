"""API tokens as stored: a key id, a name, the secret's hash, a scope and a lifecycle.

The secret itself is never stored. Validity (expiry, revocation) is read on every
request by key id, the primary key, so a revocation holds at once on every server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from feed.store.sql import SQLBase

_COLUMNS = "key_id, name, publisher, created_at, expires_at, revoked_at, last_used_at, user_id"


@dataclass(frozen=True)
class TokenInfo:
    """Everything about a token except its secret and hash."""

    key_id: str
    name: str
    publisher: str | None  # None: may write for every configured publisher
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    last_used_at: str | None
    user_id: int | None = None  # the desk account that made it; None: made by `factcard token`


class TokenTable(SQLBase):
    def add_token(
        self,
        key_id: str,
        name: str,
        secret_hash: str,
        now: str,
        publisher: str | None = None,
        expires_at: str | None = None,
        user_id: int | None = None,
    ) -> None:
        with self._transaction() as cur:
            cur.execute(
                "INSERT INTO tokens (key_id, name, secret_hash, created_at, publisher, expires_at, user_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key_id, name, secret_hash, now, publisher, expires_at, user_id),
            )

    def token_hash(self, key_id: str) -> tuple[str, str] | None:
        """(name, secret_hash) for a token's key id."""
        rows = self._query("SELECT name, secret_hash FROM tokens WHERE key_id = ?", (key_id,))
        return (rows[0][0], rows[0][1]) if rows else None

    def find_token(self, key_id: str) -> tuple[TokenInfo, str] | None:
        """A token and its secret's hash, by key id (one primary-key lookup)."""
        if "\x00" in key_id:  # PostgreSQL text cannot carry NUL, and no key id holds one
            return None
        rows = self._query(f"SELECT {_COLUMNS}, secret_hash FROM tokens WHERE key_id = ?", (key_id,))
        return (_info(rows[0]), str(rows[0][-1])) if rows else None

    def tokens(self) -> list[TokenInfo]:
        """Every token, revoked and expired ones too, oldest first."""
        return [_info(row) for row in self._query(f"SELECT {_COLUMNS} FROM tokens ORDER BY created_at, key_id")]

    def tokens_of(self, user_id: int) -> list[TokenInfo]:
        """The tokens a desk account made, oldest first."""
        rows = self._query(f"SELECT {_COLUMNS} FROM tokens WHERE user_id = ? ORDER BY created_at, key_id", (user_id,))
        return [_info(row) for row in rows]

    def revoke_token(self, key_id: str, now: str) -> TokenInfo | None:
        """Revoke a token (a second revocation keeps the first time); None if there is no such key id."""
        with self._transaction() as cur:
            cur.execute("UPDATE tokens SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL", (now, key_id))
            cur.execute(f"SELECT {_COLUMNS} FROM tokens WHERE key_id = ?", (key_id,))
            rows = cur.fetchall()
        return _info(rows[0]) if rows else None

    def touch_token(self, key_id: str, now: str) -> None:
        with self._transaction() as cur:
            cur.execute("UPDATE tokens SET last_used_at = ? WHERE key_id = ?", (now, key_id))


def _info(row: tuple[Any, ...]) -> TokenInfo:
    key_id, name, publisher, created_at, expires_at, revoked_at, last_used_at, user_id = row[:8]
    return TokenInfo(key_id, name, publisher, created_at, expires_at, revoked_at, last_used_at,
                     int(user_id) if user_id is not None else None)  # fmt: skip
