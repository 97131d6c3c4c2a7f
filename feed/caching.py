"""HTTP caching for pages and feeds: strong ETags, Last-Modified, 304s, compression.

A representation is hashed once into a strong ETag. Each content-coding gets its own
strong ETag (`"<hash>"`, `"<hash>-gzip"`, `"<hash>-br"`), as RFC 9110 requires of
byte-different bodies; If-None-Match matches any coding of the same content, and the
304 carries the same ETag, Cache-Control and Vary as the 200 would.
"""

from __future__ import annotations

import hashlib
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

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


def etag_for(tag: str, coding: str) -> str:
    return f'"{tag}"' if coding == "identity" else f'"{tag}-{coding}"'


def is_not_modified(request: Request, tag: str, last_modified: datetime | None) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        for candidate in if_none_match.split(","):
            value = candidate.strip().removeprefix("W/").strip('"')
            if value == "*" or value.split("-")[0] == tag:
                return True
        return False
    if_modified_since = request.headers.get("if-modified-since")
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


class _CompressedCache:
    """Recently compressed bodies, so a hot page is compressed once, not per request."""

    def __init__(self, size: int = 256):
        self.size = size
        self.items: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, rep: Representation, coding: str) -> bytes:
        key = (rep.tag, coding)
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        body = compress(rep.body, coding)
        with self.lock:
            self.items[key] = body
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return body


def compress(body: bytes, coding: str) -> bytes:
    if coding == "gzip":
        compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
        return compressor.compress(body) + compressor.flush()
    if coding == "br" and _brotli is not None:
        result: bytes = _brotli.compress(body, quality=5)
        return result
    return body


_compressed = _CompressedCache()


def cached_response(
    request: Request, rep: Representation, control: str, headers: dict[str, str] | None = None
) -> Response:
    coding = negotiate_encoding(request.headers.get("accept-encoding", ""))
    if len(rep.body) < MIN_COMPRESS_BYTES:
        coding = "identity"
    all_headers = {**(headers or {}), **_headers(rep.tag, coding, rep.last_modified, control)}
    if is_not_modified(request, rep.tag, rep.last_modified):
        return Response(status_code=304, headers=all_headers)
    body = rep.body if coding == "identity" else _compressed.get(rep, coding)
    if coding != "identity":
        all_headers["Content-Encoding"] = coding
    return Response(body, media_type=rep.media_type, headers=all_headers)


def streamed_response(
    request: Request,
    chunks: Iterator[bytes],
    media_type: str,
    tag: str,
    last_modified: datetime | None,
    control: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """A cacheable streamed body: `tag` must identify the content before it is produced."""
    coding = negotiate_encoding(request.headers.get("accept-encoding", ""))
    all_headers = {**(headers or {}), **_headers(tag, coding, last_modified, control)}
    if is_not_modified(request, tag, last_modified):
        return Response(status_code=304, headers=all_headers)
    if coding != "identity":
        all_headers["Content-Encoding"] = coding
    return StreamingResponse(_encode_stream(chunks, coding), media_type=media_type, headers=all_headers)


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
        compressor = _brotli.Compressor(quality=5)
        finish = compressor.finish
        step = compressor.process
    for chunk in chunks:
        out = step(chunk)
        if out:
            yield out
    yield finish()
