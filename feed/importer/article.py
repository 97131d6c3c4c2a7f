"""The article around the markup, read by trafilatura: the headline, byline, date and lead that
a page's ClaimReview may lack (no hand-written scraping of a CMS's HTML)."""

from __future__ import annotations

import trafilatura

from feed.importer.mapping import Article


def read_article(html: str, url: str) -> Article:
    """What the article extractor finds on a page; empty fields when it finds nothing."""
    try:
        found = trafilatura.extract_metadata(html, default_url=url)
    except Exception:
        return Article()
    if found is None:
        return Article()
    return Article(headline=found.title or None, author=found.author or None, date=found.date or None,
                   description=found.description or None)  # fmt: skip
