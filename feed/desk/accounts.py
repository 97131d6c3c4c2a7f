"""Desk accounts: passwords (argon2id), account changes, and sign-in sessions.

Passwords are hashed with argon2-cffi's PasswordHasher at its defaults; a hash made with
older parameters is replaced at the next sign-in. A password longer than MAX_PASSWORD is
refused before any hashing, so a huge input cannot make the server work hard.

A session is a random secret in a cookie; the store keeps only its SHA-256 (the secret has
256 bits of entropy, so a fast hash is enough). It ends when its owner signs out, when the
account's password is reset or the account disabled, IDLE after its last use, and ABSOLUTE
after it began, whichever comes first; every desk request checks all of these in the store.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from feed.store import ROLES, LastAdmin, Session, Store, User
from feed.store.clock import stamp, store_time

MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # characters; refused before hashing
IDLE = timedelta(hours=12)
ABSOLUTE = timedelta(days=7)
SEEN_GRAIN = timedelta(minutes=1)  # last use is written at most this often per session
_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # never in a name; PostgreSQL text cannot even hold NUL
CLI_ACTOR = "command line"  # who the audit trail says made a change with `factcard user`

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so an unknown account costs what a known one does."""
    return _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """An account change that cannot be made; the message says why, for the operator."""


def normal_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str) -> str:
    """`email` trimmed and in lower case; AccountError if it does not look like an address."""
    normal = normal_email(email)
    if len(normal) > 254 or not _EMAIL.match(normal):
        raise AccountError(f"{email!r} is not an email address")
    return normal


def check_password(password: str) -> None:
    """AccountError naming what is wrong with a new password."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password is too short: it needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"the password is too long: at most {MAX_PASSWORD} characters")
    if not password.strip():
        raise AccountError("the password is only spaces")


def hash_password(password: str) -> str:
    check_password(password)
    return _hasher.hash(password)


def check_account(email: str, name: str, role: str) -> tuple[str, str]:
    """The email (lower case) and name (trimmed) of a new account; AccountError naming what is wrong."""
    if role not in ROLES:
        raise AccountError(f"role {role!r} is not one of {', '.join(ROLES)}")
    return check_email(email), check_name(name)


def check_name(name: str) -> str:
    """`name` trimmed; AccountError if it is empty or holds control characters."""
    if not name.strip():
        raise AccountError("an account needs a name, as colleagues know the person")
    if _CONTROL.search(name):
        raise AccountError("a name cannot hold control characters")
    return name.strip()


def create_user(
    store: Store, email: str, name: str, role: str, password: str, now: datetime, actor: str | None = None
) -> User:
    address, trimmed = check_account(email, name, role)
    return store.add_user(address, trimmed, role, hash_password(password), stamp(now), actor)


def existing_user(store: Store, email: str) -> User:
    found = store.find_user(normal_email(email))
    if found is None:
        raise AccountError(f"no account has the email {normal_email(email)!r}; `factcard user list` shows them")
    return found[0]


def reset_password(store: Store, email: str, password: str, now: datetime, actor: str | None = None) -> int:
    """Set a new password and end every session of the account; returns the sessions ended."""
    user = existing_user(store, email)
    return store.set_password(user.id, hash_password(password), stamp(now), actor)


def disable_user(store: Store, email: str, now: datetime, actor: str | None = None) -> int:
    """Disable an account and end every session of it; returns the sessions ended. The last
    active admin is not disabled (AccountError), so someone can always manage people."""
    user = existing_user(store, email)
    try:
        return store.disable_user(user.id, stamp(now), actor)
    except LastAdmin:
        raise AccountError(f"{user.email} is the last active admin: make another account an admin first") from None


def locked_hash() -> str:
    """A password hash that no one's password matches (a random secret, forgotten at once)."""
    return _hasher.hash(secrets.token_urlsafe(32))


def authenticate(store: Store, email: str, password: str) -> User | None:
    """The account if `password` is its password and it is not disabled; else None.

    Unknown emails, disabled accounts and wrong passwords all cost one argon2 verification,
    so the time taken does not tell them apart. A password over MAX_PASSWORD never reaches
    the hasher (a fixed short string is verified in its place).
    """
    found = store.find_user(normal_email(email)) if len(email) <= 320 else None
    too_long = len(password) > MAX_PASSWORD
    attempt = "x" if too_long else password
    if found is None:
        _verify(_dummy_hash(), attempt)
        return None
    user, hashed = found
    if not _verify(hashed, attempt) or too_long or user.disabled_at is not None:
        return None
    if _hasher.check_needs_rehash(hashed):
        store.rehash_password(user.id, _hasher.hash(password))
    return user


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# -- sessions ------------------------------------------------------------------


def session_id(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(store: Store, user: User, now: datetime) -> str:
    """A new session for `user`; returns the cookie's secret (shown only now)."""
    secret = secrets.token_urlsafe(32)
    store.add_session(session_id(secret), user.id, secrets.token_urlsafe(32), stamp(now), stamp(now + ABSOLUTE))
    return secret


@dataclass(frozen=True)
class SignedIn:
    """Who a live session belongs to, and the token its forms carry."""

    session_id: str
    user: User
    csrf_token: str


def current_session(store: Store, secret: str, now: datetime) -> SignedIn | None:
    """The live session of a cookie's secret, or None (unknown, ended, expired, account disabled)."""
    if not secret or len(secret) > 100:
        return None
    session = store.find_session(session_id(secret))
    if session is None or not is_live(session, now):
        return None
    if store_time(session.last_seen_at) + SEEN_GRAIN <= now:
        store.touch_session(session.id, stamp(now))
    return SignedIn(session.id, session.user, session.csrf_token)


def is_live(session: Session, now: datetime) -> bool:
    return (
        session.ended_at is None
        and session.user.disabled_at is None
        and now < store_time(session.expires_at)
        and now < store_time(session.last_seen_at) + IDLE
    )


def end_session(store: Store, signed_in: SignedIn, now: datetime) -> None:
    store.end_session(signed_in.session_id, stamp(now))


def has_role(user: User, role: str) -> bool:
    """Whether `user` may do what `role` may (writer < editor < admin)."""
    return ROLES.index(user.role) >= ROLES.index(role)
