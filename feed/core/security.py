"""Security headers on every response, CORS for public reads, and the Host rule.

The CSP allows no script at all on our pages (JSON-LD is data, not script)
and forbids framing; the embeddable card sets its own policy, with
`frame-ancestors *`, on its route alone. The desk (signed-in pages and their
forms) gets its own strict policy, never CORS, and `Cache-Control: no-store` on
every answer, its errors included.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from feed.core.problems import HTTPProblem
from feed.core.urls import desk_root

# form-action 'self': the one form of a public page is the search box, a GET to /search here.
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' https: http:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

DESK_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# A preview of a page, framed by the desk's editor (a card's preview keeps the card's own
# policy, with frame-ancestors 'self').
PREVIEW_CSP = PAGE_CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
_DESK_HEADERS = [
    (b"content-security-policy", DESK_CSP.encode()),
    (b"cache-control", b"no-store"),
]
_HEADERS = [
    (b"content-security-policy", PAGE_CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
]


def with_security_headers(headers: list[tuple[bytes, bytes]], is_read: bool) -> list[tuple[bytes, bytes]]:
    """`headers` plus the defaults it does not set itself (and CORS for reads)."""
    result = list(headers)
    present = {name.lower() for name, _ in result}
    if b"content-security-policy" in present:
        # The route set its own policy (the card allows framing); it owns framing.
        present.add(b"x-frame-options")
    result.extend(h for h in _HEADERS if h[0] not in present)
    if is_read:
        # Reads are public: any origin may fetch them, never with credentials.
        result.append((b"access-control-allow-origin", b"*"))
    return result


def desk_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """`headers` with no-store, and the desk's policy unless the route set its own (the editor's
    preview, which shows a page or a card framed by the desk: PREVIEW_CSP)."""
    own_policy = any(name.lower() == b"content-security-policy" for name, _ in headers)
    replaced = {name for name, _ in _DESK_HEADERS if not (own_policy and name == b"content-security-policy")}
    kept = [h for h in headers if h[0].lower() not in replaced]
    return kept + [h for h in _DESK_HEADERS if h[0] in replaced]


class SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_read = scope["method"] in ("GET", "HEAD")
        path: str = scope["path"]
        is_desk = path == desk_root() or path.startswith(desk_root() + "/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if is_desk:
                    headers = desk_headers(headers)
                message["headers"] = with_security_headers(headers, is_read and not is_desk)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def host_problem(scope: Scope) -> HTTPProblem | None:
    """A 400 for an HTTP/1.1 request without exactly one non-empty Host header (RFC 9112 3.2).

    HTTP/1.0 may leave Host out; no version may send two. Servers pass both cases on (granian
    even fills in an empty Host when there is none), and a request whose host is missing or
    ambiguous must not reach code, or caches, that build on it.
    """
    version = str(scope.get("http_version", ""))
    if version not in ("1", "1.0", "1.1"):
        return None  # HTTP/2 and 3 carry the authority in a pseudo-header instead
    # Once per request, the cached answers' included: one pass over the headers, no list.
    host, count = b"", 0
    for name, value in scope.get("headers", ()):
        if name == b"host" or (len(name) == 4 and name.lower() == b"host"):
            host, count = value, count + 1
    if count > 1:
        found = f"has {count}"
    elif version == "1.1" and not host.strip():
        found = "names no host"
    else:
        return None
    return HTTPProblem(400, "Bad Host", f"An HTTP/1.1 request needs exactly one Host header; this one {found}.")
