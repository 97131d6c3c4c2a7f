"""/mcp: the MCP server over Streamable HTTP, on the running site.

Stateless, with JSON answers: each POST carries one JSON-RPC message and gets one JSON answer,
so any worker process can answer any request (no session lives in one worker's memory) and
nothing streams through the access log, the metrics or a proxy. There is nothing to push, so
GET (a stream of server messages) and DELETE (the end of a session) are 405s, as the transport
allows, and say so with `Cache-Control: no-store` like every answer here.

Every request spends one of its address's MCP budget (feed.ops.ratelimit), since each is a
search or look-up that no cache answers, and is never kept by a cache on the way. The SDK's
own Host and Origin check (its DNS rebinding protection) is given the site's origin and the
loopback names; the app's Host rule (feed.core.security) runs first, as for every request.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from mcp.server.mcpserver import MCPServer
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from feed.core.problems import HTTPProblem
from feed.core.query import check_parameters
from feed.ops.ratelimit import RateLimits

MAX_BODY = 64 * 1024  # bytes of one request: a tool call is a few hundred
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def transport_security(base_url: str) -> TransportSecuritySettings:
    """The Host and Origin values /mcp answers: the base URL's, and the loopback names (a
    client on the server's own machine, a test), each on any port."""
    origin = urlsplit(base_url)
    hosts = [origin.netloc.lower(), *LOOPBACK]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[spelling for host in hosts for spelling in (host, f"{host}:*")],
        allowed_origins=[
            f"{origin.scheme}://{origin.netloc.lower()}",
            *(f"{scheme}://{host}{port}" for scheme in ("http", "https") for host in LOOPBACK for port in ("", ":*")),
        ],
    )


class McpEndpoint:
    """The ASGI app of the /mcp route; `running()` belongs in the app's lifespan."""

    def __init__(self, server: MCPServer, base_url: str, limits: RateLimits):
        self.server, self.base_url, self.limits = server, base_url, limits
        self.manager: StreamableHTTPSessionManager | None = None

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The SDK's session manager, running while the app does. A manager runs once only, so
        each start of the app (a test client opened twice) makes a new one."""
        self.server.streamable_http_app(
            stateless_http=True, json_response=True, max_request_body_size=MAX_BODY,
            transport_security=transport_security(self.base_url),
        )  # fmt: skip
        manager = self.server.session_manager
        async with manager.run():
            self.manager = manager
            try:
                yield
            finally:
                self.manager = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            manager = self._admit(scope)
        except HTTPProblem as problem:
            problem.headers["Cache-Control"] = "no-store"  # a 405 is cacheable by default (RFC 9110)
            raise

        async def never_kept(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                message["headers"] = [*headers, (b"cache-control", b"no-store")]
            await send(message)

        await manager.handle_request(scope, receive, never_kept)

    def _admit(self, scope: Scope) -> StreamableHTTPSessionManager:
        """The running manager, for a request it should see; else the problem with the request."""
        if scope["method"] != "POST":
            detail = "MCP messages are POSTed here (Streamable HTTP, stateless): there is no stream to GET."
            raise HTTPProblem(405, "Method not allowed", detail, headers={"Allow": "POST"})
        check_parameters(Request(scope), ())  # MCP reads the body alone; a query string is a mistake
        self.limits.before_mcp_request(scope)
        if self.manager is None:
            raise HTTPProblem(503, "Service unavailable", "The MCP server is starting or stopping; try again.")
        return self.manager
