"""One sitemap document read: the pages it lists (with `lastmod`) and the sitemaps it nests.

The XML is parsed by ultimate-sitemap-parser (WordPress, Yoast and Rank Math shapes, an
`xml-stylesheet` line, image entries); fetching, and so following the nested sitemaps, stays
with the importer's polite fetcher, one document at a time. A `.xml.gz` body is unzipped here,
with its size capped, whatever the server said its encoding was.
"""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass, field
from datetime import datetime

from usp.objects.sitemap import AbstractIndexSitemap, AbstractPagesSitemap, InvalidSitemap
from usp.tree import sitemap_from_str

# An unzipped sitemap is at most 50 MiB (the sitemap protocol's limit); more is refused.
MAX_UNZIPPED = 50 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


class NotASitemap(ValueError):
    """A body that is no sitemap (or no sitemap index); the message says why."""


@dataclass
class SitemapDocument:
    pages: list[tuple[str, str | None]] = field(default_factory=list)  # (url, lastmod as RFC 3339)
    sitemaps: list[str] = field(default_factory=list)  # nested sitemaps, to fetch and read in turn


def read_sitemap(body: bytes) -> SitemapDocument:
    """The pages and nested sitemaps of one sitemap document (plain or gzipped XML)."""
    text = _unzipped(body).decode("utf-8", "replace")
    if "<urlset" not in text and "<sitemapindex" not in text:
        raise NotASitemap("no <urlset> or <sitemapindex> in it")
    parsed = sitemap_from_str(text)
    found = SitemapDocument()
    if isinstance(parsed, AbstractIndexSitemap):
        for child in parsed.sub_sitemaps:
            found.sitemaps.append(child.url)
    elif isinstance(parsed, AbstractPagesSitemap):
        for page in parsed.pages:
            found.pages.append((page.url, _rfc3339(page.last_modified)))
    elif isinstance(parsed, InvalidSitemap):
        raise NotASitemap(parsed.reason)
    return found


def _rfc3339(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.isoformat() if moment.tzinfo is not None else moment.date().isoformat()


def _unzipped(body: bytes) -> bytes:
    if not body.startswith(_GZIP_MAGIC):
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as unzipping:
            data = unzipping.read(MAX_UNZIPPED + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise NotASitemap(f"a broken gzip file: {error}") from error
    if len(data) > MAX_UNZIPPED:
        raise NotASitemap("larger than 50 MiB unzipped")
    return data
