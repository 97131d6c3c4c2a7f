"""HTTP caching for pages and feeds: strong ETags, Last-Modified, 304s, compression.

A representation is hashed once into a strong ETag. Each content-coding gets its own
strong ETag (`"<hash>"`, `"<hash>-gzip"`, `"<hash>-br"`), as RFC 9110 requires of
byte-different bodies; If-None-Match matches any coding of the same content, and the
304 carries the same ETag, Cache-Control and Vary as the 200 would.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from feed.core.security import with_security_headers

MIN_COMPRESS_BYTES = 512  # smaller bodies gain too little to pay for compressing

try:  # optional: brotli where installed, gzip everywhere
    import brotli as _brotli
except ImportError:  # pragma: no cover - exercised where brotli is absent
    _brotli = None


@dataclass(frozen=True)
class Representation:
    body: bytes
    media_type: str
    tag: str  # content hash; the ETag of the identity coding is `"<tag>"`
    last_modified: datetime | None


def representation(body: bytes, media_type: str, last_modified: datetime | None) -> Representation:
    return Representation(body, media_type, hashlib.sha256(body).hexdigest()[:32], last_modified)


def cache_control(max_age: int, stale_while_revalidate: int) -> str:
    return f"public, max-age={max_age}, stale-while-revalidate={stale_while_revalidate}"


def negotiate_encoding(accept_encoding: str) -> str:
    """'br', 'gzip' or 'identity', honouring q-values (q=0 refuses a coding)."""
    offered: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if name:
            offered[name] = quality
    star = offered.get("*", 0.0)
    for coding in ("br", "gzip"):
        if coding == "br" and _brotli is None:
            continue
        if offered.get(coding, star) > 0:
            return coding
    return "identity"


# negotiate_encoding's answer per Accept-Encoding value: clients send a handful of distinct
# values, and parsing one costs more than the rest of a cached answer. Bounded, as the value
# is the client's to choose.
_negotiated: dict[str, str] = {}
MAX_NEGOTIATED = 256


def coding_for(accept_encoding: str) -> str:
    """negotiate_encoding(accept_encoding), remembered for the most recent distinct values."""
    coding = _negotiated.get(accept_encoding)
    if coding is None:
        coding = negotiate_encoding(accept_encoding)
        if len(_negotiated) >= MAX_NEGOTIATED:
            _negotiated.clear()
        _negotiated[accept_encoding] = coding
    return coding


def etag_for(tag: str, coding: str) -> str:
    return f'"{tag}"' if coding == "identity" else f'"{tag}-{coding}"'


def is_not_modified(
    if_none_match: str | None, if_modified_since: str | None, tag: str, last_modified: datetime | None
) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if if_none_match is not None:
        for candidate in if_none_match.split(","):
            value = candidate.strip().removeprefix("W/").strip('"')
            if value == "*" or value.split("-")[0] == tag:
                return True
        return False
    if if_modified_since and last_modified is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return last_modified.replace(microsecond=0) <= since
    return False


def _headers(tag: str, coding: str, last_modified: datetime | None, control: str) -> dict[str, str]:
    headers = {"ETag": etag_for(tag, coding), "Cache-Control": control, "Vary": "Accept-Encoding"}
    if last_modified is not None:
        headers["Last-Modified"] = format_datetime(last_modified.astimezone(UTC), usegmt=True)
    return headers


def compress(body: bytes, coding: str) -> bytes:
    if coding == "gzip":
        compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
        return compressor.compress(body) + compressor.flush()
    if coding == "br" and _brotli is not None:
        result: bytes = _brotli.compress(body, quality=5)
        return result
    return body


class Entry:
    """One rendered response: its bytes in each coding (compressed on first demand) and its
    headers, computed once. Both the app's handlers and the fast path answer from it."""

    def __init__(self, rep: Representation, control: str, headers: dict[str, str] | None = None):
        self.rep = rep
        self.size = len(rep.body)
        self.compressible = self.size >= MIN_COMPRESS_BYTES  # smaller bodies are sent as they are
        self._bodies: dict[str, bytes] = {"identity": rep.body}
        self._lock = threading.Lock()
        common = {**(headers or {}), "Cache-Control": control, "Vary": "Accept-Encoding"}
        if rep.last_modified is not None:
            common["Last-Modified"] = format_datetime(rep.last_modified.astimezone(UTC), usegmt=True)
        self._common = [(k.lower().encode(), v.encode("latin-1")) for k, v in common.items()]
        self._by_coding: dict[tuple[str, bool], tuple[list[tuple[bytes, bytes]], list[tuple[bytes, bytes]]]] = {}
        self.on_grow: Callable[[int], None] | None = None  # told when a compressed copy is added

    def body(self, coding: str) -> bytes:
        found = self._bodies.get(coding)
        if found is None:
            found = compress(self.rep.body, coding)
            with self._lock:
                if coding in self._bodies:  # another thread got there first
                    return self._bodies[coding]
                self._bodies[coding] = found
                self.size += len(found)
            if self.on_grow is not None:
                self.on_grow(len(found))
        return found

    def _headers(self, coding: str, secured: bool) -> tuple[list[tuple[bytes, bytes]], list[tuple[bytes, bytes]]]:
        """(headers of a 304, headers of a 200) for one coding, built once."""
        cached = self._by_coding.get((coding, secured))
        if cached is None:
            not_modified = [*self._common, (b"etag", etag_for(self.rep.tag, coding).encode())]
            full = [*not_modified, (b"content-type", self.rep.media_type.encode())]
            if coding != "identity":
                full.append((b"content-encoding", coding.encode()))
            full.append((b"content-length", str(len(self.body(coding))).encode()))
            if secured:
                not_modified = with_security_headers(not_modified, is_read=True)
                full = with_security_headers(full, is_read=True)
            cached = self._by_coding[(coding, secured)] = (not_modified, full)
        return cached

    def respond(
        self, accept_encoding: str, if_none_match: str | None, if_modified_since: str | None, secured: bool = False
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """(status, headers, body) for a GET with these request headers.

        `secured` adds the security headers that the app's middleware adds to other responses,
        for the fast path, which answers before that middleware.
        """
        coding = coding_for(accept_encoding) if self.compressible else "identity"
        cached = self._by_coding.get((coding, secured))
        not_modified, full = cached if cached is not None else self._headers(coding, secured)
        if (if_none_match is not None or if_modified_since) and is_not_modified(
            if_none_match, if_modified_since, self.rep.tag, self.rep.last_modified
        ):
            return 304, not_modified, b""
        found = self._bodies.get(coding)
        return 200, full, found if found is not None else self.body(coding)


def entry_response(request: Request, entry: Entry) -> Response:
    """The response to `request` from a rendered entry: 200 or 304, in the coding it accepts."""
    status, raw_headers, body = entry.respond(
        request.headers.get("accept-encoding", ""),
        request.headers.get("if-none-match"),
        request.headers.get("if-modified-since"),
    )
    response = Response(body, status_code=status)
    response.raw_headers = list(raw_headers)
    return response


def streamed_response(
    request: Request,
    chunks: Iterator[bytes],
    media_type: str,
    tag: str,
    last_modified: datetime | None,
    control: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """A cacheable streamed body: `tag` must identify the content before it is produced.

    The body is produced only as fast as the client reads it (see `_paced`): a slow reader
    holds a piece or two of it and the state of `chunks`, never the rest.
    """
    coding = negotiate_encoding(request.headers.get("accept-encoding", ""))
    all_headers = {**(headers or {}), **_headers(tag, coding, last_modified, control)}
    if is_not_modified(request.headers.get("if-none-match"), request.headers.get("if-modified-since"), tag,
                       last_modified):  # fmt: skip
        return Response(status_code=304, headers=all_headers)
    if coding != "identity":
        all_headers["Content-Encoding"] = coding
    return StreamingResponse(_paced(_encode_stream(chunks, coding)), media_type=media_type, headers=all_headers)


# A streamed body is sent in pieces of about this size: big enough that producing one is
# worth a trip to a thread, small enough that the few the server queues per connection
# (granian makes `send` wait once it holds a handful) stay small.
STREAM_PIECE_BYTES = 16 * 1024
# Threads that produce streamed bodies, shared by every stream of a worker process. The
# work is CPU-bound under the GIL, so more would not be faster; fewer threads also mean
# fewer per-thread database connections (the store keeps one per thread).
STREAM_THREADS = 4
_producers: ThreadPoolExecutor | None = None


def _producer_pool() -> ThreadPoolExecutor:
    global _producers
    if _producers is None:  # made in the worker process that streams, never before a fork
        _producers = ThreadPoolExecutor(STREAM_THREADS, thread_name_prefix="stream")
    return _producers


def _next_piece(encoded: Iterator[bytes]) -> bytes | None:
    """At least STREAM_PIECE_BYTES of the body (less at its end); None once it is over."""
    parts: list[bytes] = []
    size = 0
    for part in encoded:
        parts.append(part)
        size += len(part)
        if size >= STREAM_PIECE_BYTES:
            break
    return b"".join(parts) if parts else None


async def _paced(encoded: Iterator[bytes]) -> AsyncIterator[bytes]:
    """The body in pieces, each produced only after the previous one was sent.

    Starlette awaits `send` before asking for the next piece, and granian's `send` waits
    while the connection's buffer is full, so production stops when the client stops
    reading. Pieces are produced on the shared stream threads, never on the event loop.
    """
    loop = asyncio.get_running_loop()
    while (piece := await loop.run_in_executor(_producer_pool(), _next_piece, encoded)) is not None:
        yield piece


def _encode_stream(chunks: Iterator[bytes], coding: str) -> Iterator[bytes]:
    compressor: Any
    if coding == "identity":
        yield from chunks
        return
    if coding == "gzip":
        compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
        finish = compressor.flush
        step = compressor.compress
    else:
        # Quality 4 holds about half the memory of 5 (0.9 against 1.7 MiB) for a body about
        # 15% larger: a stream keeps its compressor for as long as its reader takes.
        compressor = _brotli.Compressor(quality=4)
        finish = compressor.finish
        step = compressor.process
    for chunk in chunks:
        out = step(chunk)
        if out:
            yield out
    yield finish()
