"""The ClaimReview DataFeed (/claimreview.json), in the shape Data Commons publishes.

  {"@context": "https://schema.org", "@type": "DataFeed", ...,
   "dataFeedElement": [{"@type": "DataFeedItem", "url", "dateCreated", "dateModified",
                        "item": [ClaimReview, ...]}, ...]}

A retracted fact-check stays as a DataFeedItem with `dateDeleted` and no items. The body
is produced element by element from store batches, so memory stays flat at any size.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from feed.syndication import EntryView


def datafeed_element(view: EntryView) -> dict[str, Any]:
    element: dict[str, Any] = {
        "@type": "DataFeedItem",
        "url": view.page_url,
        "dateCreated": view.created,
        "dateModified": view.changed,
    }
    if view.retracted:
        element["dateDeleted"] = view.modified
        element["item"] = []
    else:
        element["item"] = view.claimreviews()
    return element


def datafeed_chunks(header: dict[str, Any], views: Iterable[EntryView]) -> Iterator[bytes]:
    """The DataFeed JSON, one element per chunk."""
    opening = orjson.dumps({**header, "dataFeedElement": []})
    yield opening[: -len(b"[]}")] + b"["
    for index, view in enumerate(views):
        yield (b"," if index else b"") + orjson.dumps(datafeed_element(view))
    yield b"]}"
