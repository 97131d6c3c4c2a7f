"""claims:search page tokens: where the next page starts, opaque to clients, tied to one query.

A token is base64url (no padding) of a small JSON array, the place in the results and what the
first page pinned (how the words matched, the maxAgeDays cutoff), followed by a check: the first
bytes of SHA-256 over the array and the digest of the query's filters. A token cut short,
altered, or sent with another query fails its check and is refused with a 400, as Google refuses
a token it did not issue for the request.

The check is not a secret: someone who reads this file can make a token, and it will reach only
what the `offset` parameter reaches anyway. It guards against mistakes (a token pasted into
another query, a tool that mangles it), not against forgery, and needs no key shared between
servers, so any server of a newsroom answers any other's tokens.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any

import orjson

VERSION = 1  # the token's format; a later format is told apart by it
CHECK_BYTES = 12
MAX_TOKEN_CHARACTERS = 400  # far more than any token we issue; longer ones are not decoded


@dataclass(frozen=True)
class Position:
    """Where a page of claims starts, and what every page of one search keeps the same."""

    checks: int  # fact-checks already passed over: the store's offset
    claims: int  # claims of the next fact-check already given (it reviews several)
    matching: str  # how the first page's words matched (feed.api.claimsearch.matching_of)
    since: str | None  # the first page's maxAgeDays cutoff (a store timestamp): pages agree


class BadToken(ValueError):
    """A page token we did not issue for this query."""


def query_digest(*filters: object) -> bytes:
    """What a token is tied to: the search's filters, each as given after normalising."""
    return hashlib.sha256(orjson.dumps(list(filters))).digest()


def _check(payload: bytes, digest: bytes) -> bytes:
    return hashlib.sha256(payload + b"\n" + digest).digest()[:CHECK_BYTES]


def issue(position: Position, digest: bytes) -> str:
    payload = orjson.dumps([VERSION, position.checks, position.claims, position.matching, position.since])
    return base64.urlsafe_b64encode(payload + _check(payload, digest)).rstrip(b"=").decode("ascii")


def redeem(token: str, digest: bytes) -> Position:
    """The position `token` names, if it was issued for a query with this `digest`; else BadToken."""
    if not token or len(token) > MAX_TOKEN_CHARACTERS or not token.isascii():
        raise BadToken(token)
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError) as exc:
        raise BadToken(token) from exc
    payload, check = raw[:-CHECK_BYTES], raw[-CHECK_BYTES:]
    if len(raw) <= CHECK_BYTES or _check(payload, digest) != check:
        raise BadToken(token)
    try:
        value: Any = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise BadToken(token) from exc
    if not (isinstance(value, list) and len(value) == 5 and value[0] == VERSION):
        raise BadToken(token)
    _, checks, claims, matching, since = value
    whole = all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in (checks, claims))
    if not (whole and isinstance(matching, str) and (since is None or isinstance(since, str))):
        raise BadToken(token)
    return Position(checks, claims, matching, since)
