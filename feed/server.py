"""How `factcard serve` runs granian: connection limits, read timeouts, the shutdown deadline.

Granian's defaults suit a benchmark, not the open internet: it accepts at most `backlog`
(1,024) connections per worker, so a thousand idle or slowloris sockets starve every new
client, and on SIGTERM it waits for every response to finish, however slowly it is read.

What granian offers and what we map onto it:
- `backpressure`: connections a worker holds at once (FACTCARD_MAX_CONNECTIONS); `backlog`:
  the kernel's accept queue (FACTCARD_BACKLOG).
- HTTP/1 `header_read_timeout`: a deadline for the request line and headers, counted from
  the connection's opening or the end of the previous response, so it also closes idle
  keep-alive connections (FACTCARD_HEADER_TIMEOUT). Granian has no separate idle timeout.
- No body read timeout: `BodyDeadline` below answers 408 when a body is still arriving
  after FACTCARD_BODY_TIMEOUT; the connection closes with the unread rest, saying so.
- A body answered before it is read (a 413, a 401) is read to its end up to a bound, or the
  answer says `Connection: close` (feed.ops.unreadbody).
- `workers_kill_timeout`: after SIGTERM, workers that have not finished within
  FACTCARD_SHUTDOWN_TIMEOUT are killed, cutting their connections.
- HTTP/1 only: the header deadline has no HTTP/2 counterpart in granian, and without TLS
  no browser speaks HTTP/2 to us anyway (TLS and HTTP/2 belong to the reverse proxy).
- The event loop is uvloop (granian[uvloop], a dependency), named rather than left to
  granian's "auto", which would take any other loop found installed. asyncio's own loop
  spends about a fifth more CPU per cached answer, in handing each request from granian's
  threads to the loop and back (docs/operators/performance.md); without uvloop, asyncio's.
"""

from __future__ import annotations

import asyncio
import importlib.util
import resource
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from feed.core.problems import HTTPProblem
from feed.core.settings import Settings
from feed.ops.unreadbody import FinishUnreadBody

# File descriptors besides client connections: the listening socket, the database, logs, pipes.
SPARE_FILES = 256
HEADER_TIMEOUT_LIMIT = 300  # seconds; a longer deadline is no defence
# A body a few times over the limit (a long paste) is read to its end so its 413 is read
# whole on an open connection; past that, closing costs less than reading.
DRAIN_BODIES = 4


def check(settings: Settings) -> None:
    """Refuse server settings that cannot work, naming the variable."""
    positive = {
        "FACTCARD_MAX_CONNECTIONS": settings.max_connections,
        "FACTCARD_BODY_TIMEOUT": settings.body_timeout,
        "FACTCARD_SHUTDOWN_TIMEOUT": settings.shutdown_timeout,
    }
    for env, value in positive.items():
        if value < 1:
            raise ValueError(f"{env} must be at least 1, got {value}")
    if settings.backlog < 128:  # granian raises anything lower to 128 silently
        raise ValueError(f"FACTCARD_BACKLOG must be at least 128, got {settings.backlog}")
    timeout = settings.header_timeout
    if not 1 <= timeout <= HEADER_TIMEOUT_LIMIT:
        raise ValueError(f"FACTCARD_HEADER_TIMEOUT must be 1-{HEADER_TIMEOUT_LIMIT} seconds, got {timeout}")


def granian_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `granian.Granian` that carry our limits and timeouts."""
    from granian.constants import HTTPModes, Loops
    from granian.http import HTTP1Settings

    check(settings)
    return {
        "loop": Loops.uvloop if importlib.util.find_spec("uvloop") else Loops.asyncio,
        "http": HTTPModes.http1,
        "backlog": settings.backlog,
        "backpressure": settings.max_connections,
        "http1_settings": HTTP1Settings(header_read_timeout=settings.header_timeout * 1000, keep_alive=True),
        "workers_kill_timeout": settings.shutdown_timeout,
    }


def raise_open_files_limit(needed: int) -> int:
    """Raise this process's soft limit on open files towards `needed` (workers inherit it).

    Many systems start services with a soft limit of 1,024, below the connections we are
    told to hold; the hard limit is the ceiling. Returns the limit now in force.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        soft = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft


def files_needed(settings: Settings, workers: int) -> int:
    return settings.max_connections * workers + settings.backlog + SPARE_FILES


class BodyDeadline:
    """ASGI wrapper: a request body must arrive in full within `seconds` of the request.

    A late body makes `receive` raise a 408 problem, which the app answers like any other.
    Once the body is complete, `receive` is passed through untouched: a streamed response
    waits on it for the disconnect, for as long as the client reads.
    """

    def __init__(self, app: ASGIApp, seconds: float):
        self.app, self.seconds = app, seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.seconds
        complete = False

        async def receive_in_time() -> Message:
            nonlocal complete
            if complete:
                return await receive()
            try:
                message = await asyncio.wait_for(_awaited(receive), max(deadline - loop.time(), 0))
            except TimeoutError:
                raise HTTPProblem(
                    408, "Request timeout", f"The request body did not arrive within {self.seconds:g} seconds."
                ) from None
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        await self.app(scope, receive_in_time, send)


async def _awaited(receive: Receive) -> Message:
    # The server's receive returns an awaitable that is not a coroutine; wait_for wants one.
    return await receive()


BODY_HEADERS = (b"content-length", b"transfer-encoding")


class BodyGuards:
    """ASGI wrapper: requests with a body go through `guarded` (the app behind the body's
    deadline and drain), the rest straight to `app`.

    Without Content-Length or Transfer-Encoding a request has no body (RFC 9112 6.3): its
    `receive` has nothing to wait for and nothing is left unread, so both guards would pass it
    through untouched. The reads that make up most of the load, cached answers above all, are
    spared their two layers per request.
    """

    def __init__(self, app: ASGIApp, guarded: ASGIApp):
        self.app, self.guarded = app, guarded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, _ in scope["headers"]:
                if name in BODY_HEADERS:
                    await self.guarded(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def serving_app() -> ASGIApp:
    """The app a `factcard serve` worker runs: the app, with the body deadline in front and
    what is left of an unread body read before the answer (feed.ops.unreadbody), for the
    requests that have a body."""
    from feed.app import create_app

    settings = Settings.load()  # from the environment, which `factcard serve` filled in
    app = create_app(settings)
    guarded = BodyDeadline(FinishUnreadBody(app, DRAIN_BODIES * settings.max_body_bytes), settings.body_timeout)
    return BodyGuards(app, guarded)
