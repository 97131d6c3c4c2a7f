"""What the operator names on the command line, as the pages to import.

A SOURCE is a page URL, a file of page URLs (one a line), a saved HTML page or a folder of them,
a sitemap or sitemap index (a URL or a file, plain or `.xml.gz`; nested indexes followed), a
schema.org DataFeed file, or a Fact Check Tools answer. What a file or URL holds is told by its
content, not its name. A source that gives nothing becomes a `SourceProblem`, a line of the
report, and the rest of the import goes on.

Sitemaps and URL sources are fetched here (through the polite fetcher); pages are fetched later,
one at a time, by the run. Everything is listed before the first page is read, so the progress
bar knows how much is left: a list of URLs and paths, never the pages themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from feed.importer.feeds import datafeed_pages, factchecktools_pages, is_datafeed, is_factchecktools
from feed.importer.fetching import Fetched, Fetcher, FetchFailed
from feed.importer.markup import Page
from feed.importer.records import Tombstone
from feed.importer.sitemaps import NotASitemap, read_sitemap

PAGE_SUFFIXES = (".html", ".htm")
MAX_SITEMAPS = 10_000  # nested sitemaps followed from one source: an index that nests itself stops here
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class PageTask:
    """One page to import: fetched by `url`, or read from the saved file `path`."""

    location: str  # what the report names: the URL, or the file's path
    url: str | None = None
    path: Path | None = None
    lastmod: str | None = None  # from the sitemap that listed it
    fetched: Fetched | None = None  # a URL source already fetched to tell what it was


@dataclass(frozen=True)
class FeedTask:
    """A fact-check (or a tombstone) read from an aggregator's file."""

    location: str  # the item's url
    item: Page | Tombstone


@dataclass(frozen=True)
class SourceProblem:
    location: str
    reason: str
    status: int | None = None


Task = PageTask | FeedTask | SourceProblem


@dataclass
class Listing:
    tasks: list[Task] = field(default_factory=list)
    left_out: int = 0  # sitemap entries older than --since


def list_sources(
    sources: Iterable[str], fetcher: Fetcher | None, since: str | None = None, done: set[str] | None = None
) -> Listing:
    """Every page the sources name, in order, each once. `fetcher` None: files only. A page URL in
    `done` (a resumed run did it) is listed without being fetched to tell what it is."""
    listing = Listing()
    seen: set[str] = set()
    for source in sources:
        if done and source in done:
            listing.tasks.append(PageTask(source, url=source if "://" in source else None))
            seen.add(source)
            continue
        for task in _expand(source, fetcher, since, listing):
            key = task.location
            if isinstance(task, SourceProblem) or key not in seen:
                seen.add(key)
                listing.tasks.append(task)
    return listing


def _expand(source: str, fetcher: Fetcher | None, since: str | None, listing: Listing) -> Iterator[Task]:
    if "://" in source:
        yield from _url_source(source, fetcher, since, listing)
        return
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES)
        if not files:
            yield SourceProblem(source, "the folder holds no saved pages (.html, .htm)")
        yield from (PageTask(str(p), path=p) for p in files)
        return
    try:
        body = path.read_bytes()
    except OSError as error:
        yield SourceProblem(source, f"cannot be read: {error.strerror or error}")
        return
    kind = kind_of(body)
    if kind == "html":
        yield PageTask(source, path=path)
    elif kind == "urls":
        lines = body.decode("utf-8", "replace").splitlines()
        for line in (line.strip() for line in lines):
            if line and not line.startswith("#"):
                yield PageTask(line, url=line)
    else:
        yield from _document(source, body, kind, fetcher, since, listing)


def _url_source(url: str, fetcher: Fetcher | None, since: str | None, listing: Listing) -> Iterator[Task]:
    if fetcher is None:
        yield SourceProblem(url, "URLs are not fetched in this import")
        return
    try:
        fetched = fetcher.fetch(url)
    except FetchFailed as failed:
        if failed.status in (404, 410) or failed.reason.startswith("disallowed by robots.txt"):
            # A page gone (a kept CMS's article removed) or kept from us: the run says what that
            # means for its fact-check, as it does for a page a sitemap lists.
            yield PageTask(url, url=url)
        else:
            yield SourceProblem(url, failed.reason, failed.status)
        return
    kind = kind_of(fetched.body, fetched.content_type)
    if kind in ("html", "urls"):  # a page (a text answer is read as a page too: it says what it lacks)
        yield PageTask(url, url=url, fetched=fetched)
    else:
        yield from _document(url, fetched.body, kind, fetcher, since, listing)


def _document(
    source: str, body: bytes, kind: str, fetcher: Fetcher | None, since: str | None, listing: Listing
) -> Iterator[Task]:
    if kind == "json":
        yield from _feed_file(source, body)
    else:
        yield from _sitemaps(source, body, fetcher, since, listing)


def _feed_file(source: str, body: bytes) -> Iterator[Task]:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        yield SourceProblem(source, f"is not valid JSON: {error}")
        return
    base = source if "://" in source else "http://invalid/"
    if is_datafeed(data):
        items: Iterator[Page | Tombstone] = datafeed_pages(data, base)
    elif is_factchecktools(data):
        items = factchecktools_pages(data, base)
    else:
        said = "is JSON but neither a DataFeed (dataFeedElement) nor a Fact Check Tools answer (claims)"
        yield SourceProblem(source, said)
        return
    found = False
    for item in items:
        found = True
        yield FeedTask(item.source_url if isinstance(item, Tombstone) else item.url, item)
    if not found:
        yield SourceProblem(source, "holds no fact-check with a url")


def _sitemaps(source: str, body: bytes, fetcher: Fetcher | None, since: str | None, listing: Listing) -> Iterator[Task]:
    """The pages of a sitemap and of every sitemap it nests, breadth first, each sitemap once."""
    queue: list[tuple[str, bytes | None]] = [(source, body)]
    seen = {source}
    while queue:
        where, content = queue.pop(0)
        if content is None:
            if fetcher is None:
                yield SourceProblem(where, "URLs are not fetched in this import")
                continue
            try:
                content = fetcher.fetch(where).body
            except FetchFailed as failed:
                yield SourceProblem(where, failed.reason, failed.status)
                continue
        try:
            document = read_sitemap(content)
        except NotASitemap as error:
            yield SourceProblem(where, f"is not a sitemap: {error}")
            continue
        for url, lastmod in document.pages:
            if since is not None and lastmod is not None and lastmod[:10] < since:
                listing.left_out += 1
                continue
            yield PageTask(url, url=url, lastmod=lastmod)
        for nested in document.sitemaps:
            if nested in seen:
                continue
            if len(seen) >= MAX_SITEMAPS:
                yield SourceProblem(nested, f"not followed: more than {MAX_SITEMAPS} sitemaps from {source}")
                break
            seen.add(nested)
            queue.append((nested, None))


def kind_of(body: bytes, content_type: str | None = None) -> str:
    """What a body holds: "sitemap", "json", "html" or "urls" (a list of URLs, one a line)."""
    if body.startswith(_GZIP_MAGIC):
        return "sitemap"  # only a sitemap comes gzipped as a file (a page's gzip is undone in transit)
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return "json"
    lowered = head.lower()
    if b"<urlset" in lowered or b"<sitemapindex" in lowered:
        return "sitemap"
    if any(mark in lowered for mark in (b"<html", b"<!doctype html", b"<head", b"<body")):
        return "html"
    if content_type and "html" in content_type:
        return "html"
    lines = [line.strip() for line in body.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    if lines and all("://" in line and " " not in line for line in lines):
        return "urls"
    return "html"
