"""Rate limits on failed token checks, API writes and MCP requests: token buckets, kept in each process.

A bucket holds up to `per_minute` requests and refills at `per_minute` a minute, so a
client may burst to the limit and then go on at the limit's pace. Buckets live in the
worker's memory, not the store: the limits guard against floods and guessing, they are not
quotas, and counting in the database would add a write to every failed request, the very
load being limited. With N worker processes a client may thus reach up to N times a limit.

Reads are never limited here: they are answered from the render cache. Requests to /mcp are
the exception: each is a search or a look-up in the store that no cache answers.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.requests import Request
from starlette.types import Scope

from feed.core.clients import Network, client_address
from feed.core.problems import HTTPProblem

MAX_KEYS = 65_536  # buckets kept per limit; the least recently used is forgotten past this


class Limit:
    """Token buckets for one limit, one bucket per key (a client address or a token's key id)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # refill, per second
        self.clock = clock
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (level, at)
        self.lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def _level(self, key: str, now: float) -> float:
        level, at = self.buckets.get(key, (self.capacity, now))
        return min(self.capacity, level + (now - at) * self.rate)

    def wait(self, key: str) -> float:
        """Seconds until `key` may go on; 0 when it has budget left now. Takes nothing."""
        if not self.enabled:
            return 0.0
        with self.lock:
            level = self._level(key, self.clock())
        return 0.0 if level >= 1 else (1 - level) / self.rate

    def take(self, key: str) -> float:
        """Spend one request of `key`'s budget; returns wait() as it was (0: allowed and spent)."""
        if not self.enabled:
            return 0.0
        with self.lock:
            now = self.clock()
            level = self._level(key, now)
            if level < 1:
                return (1 - level) / self.rate
            self.buckets[key] = (level - 1, now)
            self.buckets.move_to_end(key)
            if len(self.buckets) > MAX_KEYS:
                self.buckets.popitem(last=False)
        return 0.0


def too_many(seconds: float, detail: str) -> HTTPProblem:
    """429 with Retry-After in whole seconds (at least 1)."""
    retry = max(1, math.ceil(seconds))
    return HTTPProblem(
        429, "Too many requests", f"{detail} Try again in {retry} s.", headers={"Retry-After": str(retry)}
    )


class RateLimits:
    """The service's limits; each check raises a 429 HTTPProblem when a limit is reached."""

    def __init__(
        self,
        auth_failures_per_minute: int,
        writes_per_minute_per_token: int,
        writes_per_minute_per_address: int,
        trusted: tuple[Network, ...] = (),
        clock: Callable[[], float] = time.monotonic,
        on_limited: Callable[[str], None] | None = None,
        mcp_requests_per_minute_per_address: int = 0,
    ):
        self.trusted = trusted
        self.auth_failures = Limit(auth_failures_per_minute, clock)
        self.token_writes = Limit(writes_per_minute_per_token, clock)
        self.address_writes = Limit(writes_per_minute_per_address, clock)
        self.address_mcp_requests = Limit(mcp_requests_per_minute_per_address, clock)
        self.on_limited = on_limited  # told the kind of each refusal (for metrics)

    def _refuse(self, kind: str, seconds: float, detail: str) -> HTTPProblem:
        if self.on_limited is not None:
            self.on_limited(kind)
        return too_many(seconds, detail)

    def before_auth(self, scope: Scope) -> None:
        """Refuse to check a token from an address that has failed too often lately."""
        wait = self.auth_failures.wait(client_address(scope, self.trusted))
        if wait:
            raise self._refuse("auth_failures", wait, "Too many failed token checks from this address.")

    def auth_failed(self, scope: Scope) -> None:
        self.auth_failures.take(client_address(scope, self.trusted))

    def before_write(self, scope: Scope, key_id: str) -> None:
        """Spend one write of the token's and of the address's budget, or refuse."""
        address = client_address(scope, self.trusted)
        wait = self.token_writes.wait(key_id)
        if wait:
            raise self._refuse("writes_per_token", wait, "This token has made too many writes lately.")
        wait = self.address_writes.take(address)
        if wait:
            raise self._refuse("writes_per_address", wait, "Too many writes from this address lately.")
        self.token_writes.take(key_id)

    def before_mcp_request(self, scope: Scope) -> None:
        """Spend one MCP request of the address's budget, or refuse."""
        wait = self.address_mcp_requests.take(client_address(scope, self.trusted))
        if wait:
            raise self._refuse("mcp_requests_per_address", wait, "Too many MCP requests from this address lately.")


UNLIMITED = RateLimits(0, 0, 0)


def limits_of(request: Request) -> RateLimits:
    """The app's limits (none for an app assembled without them)."""
    limits: RateLimits = getattr(request.app.state, "rate_limits", UNLIMITED)
    return limits
