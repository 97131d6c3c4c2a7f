"""The fixture site (tests/fixtures/claimreview-site) served on a loopback port, for the import
tests: pages by their folder URLs, `.xml.gz` sitemaps gzipped, robots.txt, ETag and
Last-Modified with conditional GET, and hostile answers mounted where a test wants them."""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.importer.test_markup import EXPECTED, SITE

LAST_MODIFIED = "Tue, 05 Mar 2024 10:00:00 GMT"
Route = Callable[[BaseHTTPRequestHandler], None]


class FixtureSite:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}  # path -> a handler of its own (hostile answers)
        self.robots: str | None = None  # replaces the fixture's robots.txt
        self.changed: dict[str, str] = {}  # path -> the page's text as it is now (an edit at the source)
        self.gone: dict[str, int] = {}  # path -> 404 or 410
        self.hits: list[tuple[str, str]] = []  # (method path, If-None-Match)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"

    def text(self, name: str) -> str:
        host = self.origin.removeprefix("http:")
        return (SITE / name).read_text(encoding="utf-8").replace("http://SITE", self.origin).replace("//SITE", host)

    def body(self, path: str) -> tuple[bytes, str] | None:
        """The bytes and type the site answers `path` with, or None (404)."""
        name = path.lstrip("/")
        if path in self.changed:
            return self.changed[path].encode(), "text/html; charset=utf-8"
        if name == "robots.txt" and self.robots is not None:
            return self.robots.encode(), "text/plain"
        if name.endswith(".xml.gz") and (SITE / name.removesuffix(".gz")).is_file():
            return gzip.compress(self.text(name.removesuffix(".gz")).encode(), mtime=0), "application/gzip"
        if name == "" or name.endswith("/"):
            name += "index.html"
        file = SITE / name
        if not file.is_file() or ".." in name:
            return None
        kind = {".xml": "application/xml", ".json": "application/json", ".txt": "text/plain"}.get(
            file.suffix, "text/html; charset=utf-8"
        )
        return self.text(name).encode(), kind

    def url(self, page: dict[str, Any]) -> str:
        return str(page["url"]).replace("http://SITE", self.origin)

    def start(self) -> None:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def stop_unstarted(self) -> None:
        """Free the port of a site used only for its pages (never started)."""
        self._server.server_close()


def _handler(site: FixtureSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            site.hits.append((f"GET {path}", self.headers.get("If-None-Match") or ""))
            if path in site.routes:
                site.routes[path](self)
                return
            if path in site.gone:
                self._send(site.gone[path], b"gone", "text/plain")
                return
            found = site.body(path)
            if found is None:
                self._send(404, b"not found", "text/plain")
                return
            body, kind = found
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self._send(200, body, kind, {"ETag": etag, "Last-Modified": LAST_MODIFIED})

        def _send(self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def fixture_site() -> Iterator[FixtureSite]:
    site = FixtureSite()
    site.start()
    try:
        yield site
    finally:
        site.stop()


def settings_file(path: Path, site: FixtureSite) -> Path:
    """A settings file configuring every publisher of the fixture site, by its folder's URL."""
    default = (Path(__file__).parents[2] / "feed" / "default_config.toml").read_text(encoding="utf-8")
    scales = default[default.index("[scales.default]") :]
    tables = []
    for publisher in EXPECTED["publishers"]:
        values = {"name": publisher["name"], "url": f"{site.origin}/{publisher['folder']}/", "scale": "default",
                  "language": publisher["default_language"]}  # fmt: skip
        # JSON strings are TOML basic strings.
        lines = [f"[publishers.{publisher['folder']}]", *(f"{k} = {json.dumps(v)}" for k, v in values.items())]
        tables.append("\n".join(lines))
    path.write_text("\n\n".join(tables) + "\n\n" + scales, encoding="utf-8")
    return path


# -- hostile answers -----------------------------------------------------------------------------


def redirect_to(target: str) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", target)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


def huge(size: int) -> Route:
    """A page of `size` bytes, sent in pieces (the reader may hang up early)."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(size))
        handler.end_headers()
        piece = b"<p>" + b"x" * 65_532 + b"</p>"
        try:
            for _ in range(size // len(piece)):
                handler.wfile.write(piece)
        except OSError:
            pass

    return route


def endless(seconds: float = 30.0) -> Route:
    """A page that never finishes: a byte now and then, for at most `seconds` (bounded)."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        stop = time.monotonic() + seconds
        try:
            while time.monotonic() < stop:
                handler.wfile.write(b"1\r\n \r\n")
                handler.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass
        handler.close_connection = True

    return route


def busy(retry_after: str, times: int, then: Route | None = None) -> Route:
    """503 with Retry-After `times` times, then `then` (or 503 for ever)."""
    count = [0]

    def route(handler: BaseHTTPRequestHandler) -> None:
        count[0] += 1
        if then is not None and count[0] > times:
            then(handler)
            return
        handler.send_response(503)
        handler.send_header("Retry-After", retry_after)
        handler.send_header("Content-Length", "4")
        handler.end_headers()
        handler.wfile.write(b"busy")

    return route
