"""Static files: fingerprinted URLs cached for a year, plain names for minutes, both compressed.

Each file under feed/static is read once and answered like any rendered response (strong
ETag per coding, gzip and br, kept by the response cache). Pages link the fingerprinted
name, `factcard.<hash of the bytes>.css`, which no later release can reuse for other bytes,
so browsers and CDNs keep it without asking again; the plain name stays for links from
elsewhere and follows a new release within minutes.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from feed.core.problems import HTTPProblem
from feed.core.urls import Urls
from feed.render.context import Context
from feed.render.rendered import FIXED, Rendered, rendered

STATIC = Path(__file__).parents[1] / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
PLAIN = "public, max-age=300, stale-while-revalidate=86400"
# Our own table, not `mimetypes`, which reads the host's /etc/mime.types and so differs by machine.
MEDIA_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".png": "image/png",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass(frozen=True)
class StaticFile:
    name: str
    body: bytes
    media_type: str
    digest: str

    @property
    def fingerprinted(self) -> str:
        """`factcard.css` as `factcard.3f2a1b9c0d4e5f60.css`."""
        stem, dot, suffix = self.name.rpartition(".")
        return f"{stem}.{self.digest}.{suffix}" if dot else f"{self.name}.{self.digest}"


@dataclass(frozen=True)
class StaticIndex:
    plain: dict[str, StaticFile]
    fingerprinted: dict[str, StaticFile]

    def find(self, name: str) -> tuple[StaticFile, str] | None:
        """The file a URL name addresses, with its Cache-Control; None for no file."""
        if name in self.fingerprinted:
            return self.fingerprinted[name], IMMUTABLE
        if name in self.plain:
            return self.plain[name], PLAIN
        return None


@functools.cache
def static_files(directory: Path = STATIC) -> StaticIndex:
    """Every file in `directory`, read once per process."""
    files = []
    for path in sorted(directory.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            body = path.read_bytes()
            media_type = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
            files.append(StaticFile(path.name, body, media_type, hashlib.sha256(body).hexdigest()[:16]))
    return StaticIndex({f.name: f for f in files}, {f.fingerprinted: f for f in files})


def static_url_for(urls: Urls) -> Callable[[str], str]:
    """The `static_url('factcard.css')` of templates: the fingerprinted URL of a static file.

    An unknown name raises KeyError, so a template cannot link a file that is not shipped.
    """

    def static_url(name: str) -> str:
        return urls.static(static_files().plain[name].fingerprinted)

    return static_url


def serve(name: str) -> Rendered:
    found = static_files().find(name)
    if found is None:
        raise HTTPProblem(404, "Not found", f"No static file is called {name!r}.")
    file, control = found
    return rendered(file.body, file.media_type, None, control, scope=FIXED)


def static_view(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    return serve(params["name"])


def favicon_view(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    # Browsers ask for /favicon.ico by that name whatever the page links, so it is a plain name.
    return serve("favicon.ico")
