"""API bearer tokens: shown once at creation, stored only as a hash.

A token looks like `fc_<key id>_<secret>`. The key id finds the row; the
secret's SHA-256 is compared in constant time. The secret has 256 bits of
entropy, so a fast hash is enough (no password stretching needed).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from feed.clock import stamp
from feed.store import Store

PREFIX = "fc"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(store: Store, name: str, now: datetime) -> str:
    if not name.strip():
        raise ValueError("a token needs a name, such as the newsroom or tool using it")
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    store.add_token(key_id, name.strip(), _hash(secret), stamp(now))
    return f"{PREFIX}_{key_id}_{secret}"


def verify_token(store: Store, token: str) -> str | None:
    """The token's name if it is valid, else None."""
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != PREFIX or not key_id or not secret:
        return None
    found = store.token_hash(key_id)
    if found is None:
        # Spend the same work as a real comparison so timing tells nothing.
        hmac.compare_digest(_hash(secret), _hash(""))
        return None
    name, expected = found
    return name if hmac.compare_digest(_hash(secret), expected) else None
