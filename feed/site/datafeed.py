"""The ClaimReview DataFeed (/claimreview.json), in the shape Data Commons publishes.

  {"@context": "https://schema.org", "@type": "DataFeed", ...,
   "dataFeedElement": [{"@type": "DataFeedItem", "url", "dateCreated", "dateModified",
                        "item": [ClaimReview]}, ...]}

One DataFeedItem per ClaimReview: readers take `item[0]`, so a fact-check with three claims
is three elements, each `url` the ClaimReview's own (PAGE#claim-2). `dateCreated` is the
first publication, `dateModified` the last change of its content (the review's own
`dateModified`, else its `datePublished`), never the store's write time: an import or a demo
load must not make an archive look edited today, or aggregators ingest it all again. A retracted
fact-check leaves one tombstone per claim: `dateDeleted` (= its `dateModified`) and no items.
The body is produced element by element from store batches, so memory stays flat at any size.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from feed.site.syndication import EntryView

# Fact-checks read from the store per query while streaming. A stream holds one batch for as
# long as its reader takes, so this bounds the memory of each slow reader (500 decoded
# fact-checks are about 2.5 MiB; 50 about 250 KiB), at the cost of one indexed query per batch.
DATAFEED_BATCH = 50


def datafeed_elements(view: EntryView) -> list[dict[str, Any]]:
    """The DataFeedItems of one fact-check, one per claim."""
    # view.modified is the editorial date: the document's dateModified, or its retraction's date.
    dates = {"dateCreated": view.published, "dateModified": view.modified}
    if view.retracted:
        return [
            {"@type": "DataFeedItem", "url": url, **dates, "dateDeleted": view.modified, "item": []}
            for url in view.claim_urls()
        ]
    return [
        {"@type": "DataFeedItem", "url": review["url"], **dates, "item": [review]} for review in view.claimreviews()
    ]


def datafeed_chunks(header: dict[str, Any], views: Iterable[EntryView]) -> Iterator[bytes]:
    """The DataFeed JSON, one element per chunk."""
    opening = orjson.dumps({**header, "dataFeedElement": []})
    yield opening[: -len(b"[]}")] + b"["
    separator = b""
    for view in views:
        for element in datafeed_elements(view):
            yield separator + orjson.dumps(element)
            separator = b","
    yield b"]}"
