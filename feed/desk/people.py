"""People, managed by an admin on the desk: accounts invited with a one-time set-password link,
roles changed, passwords reset by a new link, accounts disabled.

No password is ever chosen, shown or sent by anyone but its owner: an account is made with a
password no one knows (accounts.locked_hash) and a link to set one; a reset stops the old
password and every session at once, and gives a new link. A link's secret is shown once; the
store keeps its SHA-256. The link works once, for INVITE_DAYS (a new account) or RESET_HOURS
(a reset), and only while it is the account's newest and the account is not disabled.

Each change goes into the accounts' audit trail, named after the admin who made it, in the
change's own transaction (feed.store.accountlog). The last active admin cannot be disabled or
demoted: LastAdmin, from the same transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from feed.desk.accounts import check_account, hash_password, locked_hash
from feed.store import NewLink, Store, User
from feed.store.clock import stamp

INVITE_DAYS = 7
RESET_HOURS = 24
SECRET_LENGTHS = range(20, 101)  # a link's secret as found in a URL; anything else finds nothing


def link_id(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_link(purpose: str, lifetime: timedelta, now: datetime) -> tuple[str, NewLink]:
    secret = secrets.token_urlsafe(32)
    return secret, NewLink(link_id(secret), purpose, stamp(now + lifetime))


def invite(store: Store, email: str, name: str, role: str, now: datetime, actor: str) -> tuple[User, str]:
    """A new account and the secret of its set-password link (shown once).

    Raises AccountError for a bad email, name or role, DuplicateEmail for an email taken.
    """
    address, trimmed = check_account(email, name, role)
    secret, link = _new_link("invite", timedelta(days=INVITE_DAYS), now)
    return store.add_user(address, trimmed, role, locked_hash(), stamp(now), actor, link), secret


def reset(store: Store, user: User, now: datetime, actor: str) -> tuple[str, int]:
    """Stop `user`'s password and sessions now; the secret of a link to set a new password, and
    the sessions ended."""
    secret, link = _new_link("reset", timedelta(hours=RESET_HOURS), now)
    return secret, store.reset_with_link(user.id, link, locked_hash(), stamp(now), actor)


def link_account(store: Store, secret: str, now: datetime) -> User | None:
    """The account a link sets the password of, if the link still works; else None."""
    if len(secret) not in SECRET_LENGTHS:
        return None
    link = store.find_password_link(link_id(secret))
    if link is None or link.used_at is not None or link.ended_at is not None or link.expires_at <= stamp(now):
        return None
    user = store.user(link.user_id)
    return user if user is not None and user.disabled_at is None else None


def set_password(store: Store, secret: str, password: str, now: datetime) -> User | None:
    """Set the password a link is for and use the link up; the account, or None if the link no
    longer works. Raises AccountError for a password too short or too long."""
    if len(secret) not in SECRET_LENGTHS:
        return None
    return store.use_password_link(link_id(secret), hash_password(password), stamp(now))
