"""Aggregators' files as pages: a schema.org DataFeed (the Data Commons shape) and Google Fact
Check Tools `claims:search` answers, each turned into the Page its ClaimReviews would be on, so
one mapping (`feed.importer.mapping`) reads every source alike.

A DataFeed element with `dateDeleted` is a Tombstone: the fact-check at its url was withdrawn.
A Fact Check Tools answer names each review by its publisher's url; every review is one page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from feed.importer import clean
from feed.importer.markup import Page, jsonld_nodes
from feed.importer.records import Tombstone


def is_datafeed(data: Any) -> bool:
    return isinstance(data, dict) and clean.is_type(data, "DataFeed") and isinstance(data.get("dataFeedElement"), list)


def is_factchecktools(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("claims"), list)


def datafeed_pages(data: dict[str, Any], base: str) -> Iterator[Page | Tombstone]:
    """One Page per DataFeedItem (its ClaimReviews are the claims of one fact-check), or a Tombstone."""
    for element in data.get("dataFeedElement", []):
        if not isinstance(element, dict):
            continue
        items = [item for item in clean.listed(element.get("item")) if isinstance(item, dict)]
        url = clean.url(element.get("url"), base) or next(
            (found for found in (clean.url(item.get("url"), base) for item in items) if found), None
        )
        if url is None:
            continue
        deleted = clean.day(element.get("dateDeleted"))
        if deleted:
            yield Tombstone(source_url=url, date_deleted=deleted)
            continue
        yield Page(url=url, canonical=url, html_lang=None, title=None, nodes=jsonld_nodes(items))


def factchecktools_pages(data: dict[str, Any], base: str) -> Iterator[Page]:
    """One Page per review url of a Fact Check Tools answer, its ClaimReviews made from the
    answer's fields: claims reviewed on one page (one url) are the claims of one fact-check."""
    pages: dict[str, Page] = {}
    for claim in data.get("claims", []):
        if not isinstance(claim, dict):
            continue
        for review in clean.listed(claim.get("claimReview")):
            if not isinstance(review, dict):
                continue
            url = clean.url(review.get("url"), base)
            if url is None:
                continue
            named = review.get("publisher")
            publisher: dict[str, Any] = named if isinstance(named, dict) else {}
            node: dict[str, Any] = {
                "@type": "ClaimReview",
                "url": url,
                "claimReviewed": claim.get("text"),
                "headline": review.get("title"),
                "datePublished": review.get("reviewDate"),
                "inLanguage": review.get("languageCode"),
                "reviewRating": {"@type": "Rating", "alternateName": review.get("textualRating")},
                "author": {"@type": "Organization", "name": publisher.get("name"), "url": publisher.get("site")},
                "itemReviewed": {"@type": "Claim", "datePublished": claim.get("claimDate")},
            }
            if claim.get("claimant"):
                node["itemReviewed"]["author"] = {"@type": "Thing", "name": claim["claimant"]}
            if url in pages:
                pages[url].nodes.append(node)
            else:
                pages[url] = Page(url=url, canonical=url, html_lang=None, title=review.get("title"), nodes=[node])
    yield from pages.values()
