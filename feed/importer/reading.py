"""One page's bytes (or one aggregator item) read into the fact-check it holds: the markup, the
publisher it belongs to, the article around it, the mapping. Pure and picklable, so a run over
saved files can read pages in several processes while one writes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from feed.importer.article import read_article
from feed.importer.mapping import Article, read_factcheck
from feed.importer.markup import Page, read_page
from feed.importer.publishers import Unmatched, match_publisher
from feed.importer.records import Reading, Skipped
from schemas.publisher import Publisher

NO_ADDRESS = (
    "the saved page does not say where it was published: it needs a canonical link, or a "
    "ClaimReview url, that is an http or https URL"
)


@dataclass(frozen=True)
class ReadOptions:
    publishers: Mapping[str, Publisher]
    chosen: str | None = None  # --publisher: every page is this publisher's
    site_language: str = "en"  # the language when neither the page nor its publisher says


@dataclass
class PageRead:
    reading: Reading | None
    skipped: list[Skipped] = field(default_factory=list)  # ClaimReviews (or the page) left out, with why
    unmatched: Unmatched | None = None  # the newsroom the page names, when no publisher is it


def read_html(html: bytes, url: str, lastmod: str | None, options: ReadOptions) -> PageRead:
    """The fact-check on a fetched or saved page (`url`: where it was fetched, or the file's URI)."""
    page = read_page(html, url)
    return read_item(page, options, lastmod, html.decode("utf-8", "replace"))


def read_item(page: Page, options: ReadOptions, lastmod: str | None = None, html: str | None = None) -> PageRead:
    """The fact-check of a page read from markup (`html` given) or made from an aggregator's file."""
    if not page.of_type("ClaimReview"):
        return PageRead(None, [Skipped(page.url, "no ClaimReview on the page")])
    publisher = match_publisher(page, options.publishers, options.chosen)
    if isinstance(publisher, Unmatched):
        return PageRead(None, [Skipped(page.url, publisher.reason)], publisher)
    article = read_article(html, page.url) if html is not None else Article()
    language = publisher.language or options.site_language
    reading, skipped = read_factcheck(page, article, publisher, default_language=language, lastmod=lastmod)
    if reading is not None and not reading.source_url.startswith(("http://", "https://")):
        return PageRead(None, [Skipped(page.url, NO_ADDRESS)])
    return PageRead(reading, skipped)
