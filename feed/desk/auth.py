"""Who is at the desk: the session cookie, CSRF tokens, the origin check, and role checks.

The session cookie is `__Host-factcard_session` (Secure, Path=/) when the site is served over
https, `factcard_session` over plain http (local use, tests); HttpOnly and SameSite=Lax
either way. Every desk form carries a CSRF token in a hidden field: the session's own token
once signed in, and for the sign-in form the value of a pre-session cookie (double submit).
Tokens are compared in constant time; a POST whose `Origin` or `Sec-Fetch-Site` says it came
from another site is refused as well.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from feed.core.clients import Network
from feed.core.problems import HTTPProblem
from feed.core.urls import desk_root
from feed.desk.accounts import SignedIn, current_session, has_role
from feed.ops.throttle import SignInThrottle
from feed.render.context import context_of
from feed.store import ROLES
from feed.store.clock import utc_now

STATE_KEY = "desk_signed_in"  # request.state attribute caching this request's session lookup


class SignInRequired(Exception):
    """The request needs a signed-in person; answered with a redirect to the sign-in form."""


class Refused(Exception):
    """A desk form POST without a valid CSRF token or from another site; answered with a 403 page."""


@dataclass
class Desk:
    """The desk's settings and state, one per app; `clock` is replaced in tests."""

    base_url: str
    trusted: tuple[Network, ...] = ()
    throttle: SignInThrottle = field(default_factory=SignInThrottle)
    clock: Callable[[], datetime] = utc_now
    on_limited: Callable[[str], None] | None = None  # told of each throttled sign-in (for metrics)

    @property
    def secure(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}".lower()

    def cookie_name(self, name: str) -> str:
        return f"__Host-{name}" if self.secure else name

    @property
    def session_cookie(self) -> str:
        return self.cookie_name("factcard_session")

    @property
    def sign_in_cookie(self) -> str:
        return self.cookie_name("factcard_signin")

    def set_cookie(self, response: Response, name: str, value: str, max_age: int | None = None) -> None:
        response.set_cookie(name, value, max_age=max_age, path="/", secure=self.secure, httponly=True, samesite="lax")

    def delete_cookie(self, response: Response, name: str) -> None:
        response.delete_cookie(name, path="/", secure=self.secure, httponly=True, samesite="lax")


def desk_of(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


def signed_in(request: Request) -> SignedIn | None:
    """This request's live session, or None; looked up in the store once per request (blocking)."""
    if hasattr(request.state, STATE_KEY):
        known: SignedIn | None = getattr(request.state, STATE_KEY)
        return known
    desk = desk_of(request)
    secret = request.cookies.get(desk.session_cookie, "")
    found = current_session(context_of(request).store, secret, desk.clock()) if secret else None
    setattr(request.state, STATE_KEY, found)
    return found


def require_signed_in(request: Request) -> SignedIn:
    found = signed_in(request)
    if found is None:
        raise SignInRequired()
    return found


def require_role(request: Request, role: str) -> SignedIn:
    """The signed-in person if their role includes `role` (writer < editor < admin).

    Raises SignInRequired when no one is signed in, and a 403 problem when their role falls short.
    Blocking: call it from a worker thread in async handlers.
    """
    if role not in ROLES:
        raise ValueError(f"no role {role!r}")
    found = require_signed_in(request)
    if not has_role(found.user, role):
        raise HTTPProblem(403, "Forbidden", f"This needs the {role} role; your account is a {found.user.role}.")
    return found


def new_token() -> str:
    return secrets.token_urlsafe(32)


def check_token(expected: str | None, given: str | None) -> None:
    """Refused unless `given` is `expected` (compared in constant time)."""
    if not expected or not given or not hmac.compare_digest(expected.encode(), given.encode()):
        raise Refused()


def check_origin(request: Request) -> None:
    """Refused when the browser says the request comes from another site."""
    origin = request.headers.get("origin")
    if origin is not None and origin.lower() != desk_of(request).origin:
        raise Refused()
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        raise Refused()


def safe_next(value: str | None) -> str:
    """`value` if it is a path on this site, else the desk's own page: no open redirects."""
    default = desk_root()
    if not value or len(value) > 2000 or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    if any(ord(c) < 0x21 or c == "\\" for c in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value
