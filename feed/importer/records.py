"""What reading a source gives: the shapes the importer's parts pass to one another."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Reading:
    """One fact-check read from a page or a feed file, ready for the publishing workflow."""

    document: dict[str, Any]  # a factcard document: status "published", its original dates
    source_url: str  # the original article's URL (canonical link, else the URL fetched)
    warnings: list[str] = field(default_factory=list)  # advice: which rule gave the language, what filled a field
    lastmod: str | None = None  # the sitemap's lastmod for the page, when it had one


@dataclass
class Skipped:
    """A ClaimReview, page or file that gives no fact-check, and why (said in the report)."""

    source_url: str
    reason: str  # e.g. "no ClaimReview on the page", "no claim text", "disallowed by robots.txt"


@dataclass
class Tombstone:
    """A DataFeed item with `dateDeleted`: the fact-check at `source_url` was withdrawn."""

    source_url: str
    date_deleted: str
