"""A fixed-bytes ASGI app: the ceiling of any Python app under the same server.

bench.static runs it under granian with factcard's worker count, answering every request with
the card's bytes and headers, so the table shows how close factcard's cache hits come to what
the server itself allows. Configured by FACTCARD_BENCH_BODY (a file holding the body).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

BODY = Path(os.environ.get("FACTCARD_BENCH_BODY", os.devnull)).read_bytes()
HEADERS = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(BODY)).encode())]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
