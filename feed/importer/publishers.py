"""Which configured publisher a page's fact-check belongs to.

The operator may name it (`--publisher`); else the ClaimReview's `author` or `publisher`
organisation is matched to a configured publisher by site (its url, or a URL in its sameAs, is a
prefix of the organisation's url or of the page's own URL) or by name (case and spacing aside).
An organisation that matches none is reported with what the markup says of it, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from feed.importer import clean
from feed.importer.markup import Page
from schemas.publisher import Publisher


@dataclass(frozen=True)
class Unmatched:
    """The newsroom a page names, when no configured publisher is it (said in the report)."""

    name: str | None
    url: str | None

    @property
    def reason(self) -> str:
        said = [repr(self.name)] if self.name else []
        said += [f"({self.url})"] if self.url else []
        who = f"the publisher {' '.join(said)}" if said else "a page that names no publisher"
        return f"{who} is not configured: add it to the settings' [publishers], or pass --publisher ID"


def match_publisher(
    page: Page, publishers: Mapping[str, Publisher], chosen: str | None = None
) -> Publisher | Unmatched:
    if chosen is not None:
        return publishers[chosen]
    organisations = _organisations(page)
    for name, url in organisations:
        for candidate in (url, page.base):
            found = _by_site(candidate, publishers)
            if found is not None:
                return found
        found = _by_name(name, publishers)
        if found is not None:
            return found
    found = _by_site(page.base, publishers)
    if found is not None:
        return found
    name, url = organisations[0] if organisations else (None, None)
    return Unmatched(name, url)


def _organisations(page: Page) -> list[tuple[str | None, str | None]]:
    """The (name, url) of every organisation a ClaimReview names as its author or publisher."""
    found: list[tuple[str | None, str | None]] = []
    for review in page.of_type("ClaimReview"):
        for key in ("publisher", "author"):
            for node in clean.listed(review.get(key)):
                if isinstance(node, dict) and not clean.is_type(node, "Person"):
                    pair = (clean.text(node.get("name")), clean.url(node.get("url"), page.base))
                    if any(pair) and pair not in found:
                        found.append(pair)
    return found


def _by_site(url: str | None, publishers: Mapping[str, Publisher]) -> Publisher | None:
    """The publisher whose site is the longest prefix of `url` (scheme and `www.` aside)."""
    if not url:
        return None
    where = _site(url)
    best: tuple[int, Publisher] | None = None
    for publisher in publishers.values():
        for site in (publisher.url, *publisher.same_as):
            prefix = _site(site)
            if where.startswith(prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), publisher)
    return best[1] if best else None


def _site(url: str) -> str:
    """`url` as host and path, for a prefix match: `https://www.x.org/a` -> `x.org/a/`."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = f":{parts.port}" if parts.port else ""
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{host}{port}{path}"


def _by_name(name: str | None, publishers: Mapping[str, Publisher]) -> Publisher | None:
    if not name:
        return None
    wanted = " ".join(name.split()).casefold()
    return next((p for p in publishers.values() if " ".join(p.name.split()).casefold() == wanted), None)
