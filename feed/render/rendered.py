"""What rendering one URL gives: a response's bytes and headers, and how long to keep them.

The renderer (feed.site.renderer) returns a Rendered for every public URL; the HTTP handlers
answer from it, the render cache keeps it, and the static build writes its bytes to a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from feed.render.caching import Entry, representation

# Cache scopes: when a kept response is dropped (see feed.render.cache).
Scope = tuple[str, str]
LISTING: Scope = ("listing", "")  # on any change (home pages, feeds' first pages, sitemaps)
FIXED: Scope = ("fixed", "")  # never (the widget script, a feed page pinned by its cursor)


def of_check(slug: str) -> Scope:
    """Dropped when fact-check `slug` changes."""
    return ("check", slug)


@dataclass(frozen=True)
class Rendered:
    entry: Entry  # the bytes, media type, validators and headers, computed once
    scope: Scope | None = None  # None: never kept (a made-up spelling, a since= page)
    key: str | None = None  # the canonical URL it is kept under; None: the request's own
    # Other spellings to keep it under too: the query form of a card that older embeds ask
    # for, so that their readers are answered from the cache as well.
    also: tuple[str, ...] = ()

    @property
    def body(self) -> bytes:
        return self.entry.rep.body

    @property
    def media_type(self) -> str:
        return self.entry.rep.media_type


def rendered(
    body: bytes,
    media_type: str,
    last_modified: datetime | None,
    control: str,
    headers: dict[str, str] | None = None,
    scope: Scope | None = None,
    key: str | None = None,
    also: tuple[str, ...] = (),
) -> Rendered:
    return Rendered(Entry(representation(body, media_type, last_modified), control, headers), scope, key, also)
