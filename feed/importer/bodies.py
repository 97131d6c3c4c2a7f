"""Reading a response body within a size limit and a deadline, decompressing as it arrives.

The limit applies to the decoded bytes, the ones held in memory: a 100 KiB gzip body can decode to
100 MiB, so decompression goes through zlib with `max_length` rather than httpx's decoders, which
expand each chunk whole. Only gzip and deflate are asked for (see ACCEPT_ENCODING).

The deadline holds for the whole body, however it trickles in: httpcore fixes one read timeout when
the body starts, so a server sending a byte just before each read would timeout keeps a page open
forever. A `Watchdog` shuts the connection's socket down at the deadline, which ends the blocked read.
"""

from __future__ import annotations

import socket
import threading
import time
import zlib
from collections.abc import Iterator
from types import TracebackType

import httpx

ACCEPT_ENCODING = "gzip, deflate"


class BodyRefused(Exception):
    """A body that is not read to its end; `reason` is said in the import report."""

    def __init__(self, reason: str, *, too_large: bool = False, timed_out: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.too_large = too_large
        self.timed_out = timed_out


def declared_length(response: httpx.Response) -> int | None:
    """The Content-Length the server announced, when it is a plain number."""
    value = response.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


def _decoded(raw: Iterator[bytes], encoding: str, limit: int) -> Iterator[bytes]:
    """The decoded chunks of `raw`, never more than `limit` + 1 bytes in total."""
    if encoding in ("", "identity"):
        yield from raw
        return
    if encoding in ("gzip", "x-gzip"):
        wbits = 16 + zlib.MAX_WBITS
    elif encoding == "deflate":
        wbits = zlib.MAX_WBITS  # zlib-wrapped, as RFC 9110 means; a raw deflate stream fails below
    else:
        raise BodyRefused(f"a body in an encoding not asked for ({encoding})")
    decoder = zlib.decompressobj(wbits)
    produced = 0
    try:
        for chunk in raw:
            data = chunk
            while data and produced <= limit:
                # One byte over the limit is enough to know the body is too large.
                out = decoder.decompress(data, limit + 1 - produced)
                produced += len(out)
                yield out
                data = decoder.unconsumed_tail
            if produced > limit:
                return
        yield decoder.flush()
    except zlib.error as error:
        raise BodyRefused(f"a body that does not decode as {encoding}: {error}") from error


class Watchdog:
    """Shuts down the socket under a streamed `response` when `deadline` (time.monotonic()) passes.

    The socket comes from httpcore's `network_stream` response extension; a transport without one
    (a test's MockTransport) gets no watchdog, and the deadline is then checked between chunks only.
    """

    def __init__(self, response: httpx.Response, deadline: float):
        self.fired = False
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        self._timer: threading.Timer | None = None
        if isinstance(sock, socket.socket):
            self._timer = threading.Timer(max(deadline - time.monotonic(), 0.0), self._cut, (sock,))
            self._timer.daemon = True

    def _cut(self, sock: socket.socket) -> None:
        self.fired = True
        try:
            # socket.socket's own shutdown, also for a TLS socket: SSLSocket.shutdown would drop its
            # TLS state under the reading thread's feet; this only makes the blocked read return.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass  # already closed: nothing left to cut

    def __enter__(self) -> Watchdog:
        if self._timer is not None:
            self._timer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._timer is not None:
            self._timer.cancel()


def read_body(
    response: httpx.Response, *, limit: int, limit_text: str, deadline: float, timeout_text: str, truncate: bool = False
) -> bytes:
    """The whole decoded body of a streamed `response`, or BodyRefused as soon as it passes `limit`
    bytes or the `deadline` (a time.monotonic() value) passes. With `truncate`, a longer body gives
    its first `limit` bytes instead (robots.txt: RFC 9309 asks parsers to read the first 500 KiB)."""
    length = declared_length(response)
    # Refused on the encoded length too: encoded bytes rarely outnumber the decoded ones.
    if length is not None and length > limit and not truncate:
        raise BodyRefused(f"larger than {limit_text} (Content-Length {length})", too_large=True)
    encoding = response.headers.get("content-encoding", "").strip().lower()
    parts: list[bytes] = []
    size = 0
    with Watchdog(response, deadline) as watchdog:
        try:
            for chunk in _decoded(response.iter_raw(), encoding, limit):
                if time.monotonic() > deadline:
                    raise BodyRefused(timeout_text, timed_out=True)
                size += len(chunk)
                if size > limit:
                    if truncate:
                        parts.append(chunk[: len(chunk) - (size - limit)])
                        break
                    raise BodyRefused(f"larger than {limit_text}", too_large=True)
                parts.append(chunk)
        except (httpx.TransportError, BodyRefused):
            if watchdog.fired:  # the cut socket shows as a read error or a broken stream
                raise BodyRefused(timeout_text, timed_out=True) from None
            raise
    if watchdog.fired:  # a body delimited by the connection's end looks complete when cut
        raise BodyRefused(timeout_text, timed_out=True)
    return b"".join(parts)
