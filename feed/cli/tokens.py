"""`factcard token create|list|revoke`: API tokens, made, listed (never a secret) and revoked."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from feed.store import StoreUnavailable
from feed.store.clock import rfc3339, stamp, store_time, utc_now


def create(args: argparse.Namespace, publishing: Any) -> int:
    from feed.core.tokens import create_token, parse_expiry

    now = utc_now()
    if args.publisher is not None and args.publisher not in publishing.publishers:
        configured = ", ".join(publishing.publishers)
        print(f"error: no publisher {args.publisher!r} is configured (configured: {configured})", file=sys.stderr)
        return 2
    try:
        expires_at = parse_expiry(args.expires_in, now) if args.expires_in is not None else None
        token = create_token(publishing.store, args.name, now, publisher=args.publisher, expires_at=expires_at)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except StoreUnavailable as exc:
        print(f"error: the database cannot be reached ({exc}); nothing was written", file=sys.stderr)
        return 1
    print(token)
    scope = f"publisher {args.publisher!r}" if args.publisher else "every publisher"
    until = f"until {rfc3339(expires_at)}" if expires_at else "with no expiry"
    print(
        f"token for {args.name!r} created for {scope}, {until}; it is shown only now, so keep it safe",
        file=sys.stderr,
    )
    return 0


def listed(args: argparse.Namespace, publishing: Any) -> int:
    now = stamp(utc_now())
    rows = [("KEY ID", "NAME", "PUBLISHER", "CREATED", "EXPIRES", "LAST USED", "STATE")]
    for info in publishing.store.tokens():
        if info.revoked_at:
            state = f"revoked {_when(info.revoked_at)}"
        elif info.expires_at and info.expires_at <= now:
            state = "expired"
        else:
            state = "active"
        rows.append((
            info.key_id, info.name, info.publisher or "(all)", _when(info.created_at),
            _when(info.expires_at) if info.expires_at else "never", _when(info.last_used_at), state,
        ))  # fmt: skip
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


def revoke(args: argparse.Namespace, publishing: Any) -> int:
    key_id = args.key_id.strip()
    if key_id.startswith("fc_"):  # a whole token pasted: its key id is the middle part
        key_id = key_id.split("_")[1]
    now = stamp(utc_now())
    info = publishing.store.revoke_token(key_id, now)
    if info is None:
        print(f"error: no token has key id {key_id!r}; `factcard token list` shows them", file=sys.stderr)
        return 1
    if info.revoked_at != now:
        print(f"token {key_id} ({info.name!r}) was already revoked {_when(info.revoked_at)}")
    else:
        print(f"token {key_id} ({info.name!r}) revoked; every server refuses it from now on")
    return 0


def _when(value: str | None) -> str:
    """A store timestamp for people: RFC 3339 to the second, or '-'."""
    return rfc3339(store_time(value)) if value else "-"
