"""API bearer tokens: shown once at creation, stored only as a hash.

A token looks like `fc_<key id>_<secret>`. The key id finds the row; the
secret's SHA-256 is compared in constant time. The secret has 256 bits of
entropy, so a fast hash is enough (no password stretching needed).

A token may be limited to one publisher and may expire. Its validity is read from
the store on every request (one primary-key lookup, never cached), so a revoked
token stops working at once on every server.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from feed.store import Actor, Store
from feed.store.clock import stamp, store_time, utc_now

PREFIX = "fc"
LAST_USED_GRAIN = timedelta(hours=1)  # last use is kept to the hour, so most requests write nothing
_DURATION = re.compile(r"^\s*(?P<count>\d{1,5})\s*(?P<unit>[hdw])\s*$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


@dataclass(frozen=True)
class TokenHolder:
    """Who presented a valid token, and for which publisher they may write (None: any)."""

    key_id: str
    name: str
    publisher: str | None

    @property
    def actor(self) -> Actor:
        return Actor(self.key_id, self.name)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_expiry(text: str, now: datetime) -> datetime:
    """When a token made `now` expires: `90d`, `12h`, `4w`, an ISO date (its start, UTC) or date-time.

    Raises ValueError for anything else, or for a moment not in the future.
    """
    match = _DURATION.match(text)
    if match:
        moment = now + int(match["count"]) * _UNITS[match["unit"]]
    else:
        try:
            if len(text.strip()) == 10:
                day = date.fromisoformat(text.strip())
                moment = datetime.combine(day, datetime.min.time(), UTC)
            else:
                moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"expiry {text!r} is neither a duration (90d, 12h, 4w) nor an ISO date (2026-12-31)"
            ) from None
        if moment.tzinfo is None:
            raise ValueError(f"expiry {text!r} needs a time zone offset, such as Z or +02:00")
    if moment <= now:
        raise ValueError(f"expiry {text!r} is not in the future")
    return moment


def create_token(
    store: Store,
    name: str,
    now: datetime,
    *,
    publisher: str | None = None,
    expires_at: datetime | None = None,
    user_id: int | None = None,
) -> str:
    if not name.strip():
        raise ValueError("a token needs a name, such as the newsroom or tool using it")
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    expiry = stamp(expires_at) if expires_at is not None else None
    store.add_token(key_id, name.strip(), _hash(secret), stamp(now), publisher, expiry, user_id)
    return f"{PREFIX}_{key_id}_{secret}"


def verify_token(store: Store, token: str, now: datetime | None = None) -> TokenHolder | None:
    """The holder of `token` if it is known, unexpired and unrevoked; else None."""
    now = now or utc_now()
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != PREFIX or not key_id or not secret:
        return None
    found = store.find_token(key_id)
    if found is None:
        # Spend the same work as a real comparison so timing tells nothing.
        hmac.compare_digest(_hash(secret), _hash(""))
        return None
    info, expected = found
    if not hmac.compare_digest(_hash(secret), expected):
        return None
    if info.revoked_at is not None or (info.expires_at is not None and info.expires_at <= stamp(now)):
        return None
    if info.last_used_at is None or store_time(info.last_used_at) + LAST_USED_GRAIN <= now:
        store.touch_token(key_id, stamp(now))
    return TokenHolder(info.key_id, info.name, info.publisher)
