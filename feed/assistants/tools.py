"""What the assistants' tools and resources answer, as plain functions over an `Archive`.

Every answer is made of findings (feed.core.findings): each carries the canonical URL to cite,
each claim with its verdict label and category, the dates and the publisher; a retracted
fact-check comes with its notice and no verdict. Only the public reads of the store are used
(the search index, which holds no drafts, and `get` refused for anything but published and
retracted), so a draft is never found, by slug or by URL.

A request these cannot answer raises `Refused` with the sentence the assistant reads; the MCP
server turns it into a tool error, so a bad argument never ends the session.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, NotRequired, cast
from urllib.parse import unquote, urlsplit

from pydantic import Field
from starlette.routing import compile_path
from typing_extensions import TypedDict  # pydantic reads typing's TypedDict from Python 3.12 only

from feed.core.findings import finding, findings, query_text
from feed.core.problems import HTTPProblem
from feed.core.urls import PATTERNS, Urls
from feed.store import PUBLIC_STATUSES, SearchHit, SearchQuery, Store
from feed.store.clock import sort_key
from schemas.document import LANGUAGE_TAG
from schemas.model import load_factcheck
from schemas.publisher import Publisher
from schemas.ratings import CATEGORIES

DEFAULT_LIMIT, MAX_LIMIT = 5, 20
RECENT = 20  # findings in the recent resource
MAX_REFERENCE = 2048  # characters of a slug or URL looked up
MAX_LANGUAGE_TAG = 35
DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# The addresses of one fact-check that an assistant may hold: its page, its JSON twin, its share
# image, its card in each spelling, its oEmbed answer. Any of them names the fact-check.
ADDRESSES = ("check_json", "share_image", "check", "card", "card_variant", "card_in_language", "check_oembed")
_MATCHERS = [compile_path(PATTERNS[name])[0] for name in ADDRESSES]


class Refused(Exception):
    """A request the tools cannot answer; the message says why, for the assistant to read."""


class NotPublic(Refused):
    """No published or retracted fact-check goes by that slug or URL (a draft does not either)."""


# -- the shapes of the answers (the tools' output schema) ---------------------


class Verdict(TypedDict):
    label: Annotated[str, Field(description="The verdict in the publisher's words (Falso, False)")]
    category: Annotated[str, Field(description=f"One of {', '.join(CATEGORIES)}")]
    language: str


class Claim(TypedDict):
    text: str
    claimant: str | None
    claimDate: str | None
    url: Annotated[str, Field(description="This claim's review, to cite for it")]
    verdict: NotRequired[Annotated[Verdict, Field(description="Absent when the fact-check is retracted")]]


class PublisherRef(TypedDict):
    id: str
    name: str
    url: str | None


class Retraction(TypedDict):
    notice: Annotated[str, Field(description="Say this: the fact-check no longer stands")]
    reason: str
    date: str | None


class Finding(TypedDict):
    slug: str
    url: Annotated[str, Field(description="The canonical URL: cite this when quoting the fact-check")]
    pageUrl: str
    status: Annotated[str, Field(description="published, or retracted (then no verdict is given)")]
    headline: str
    language: str
    datePublished: str | None
    dateModified: str | None
    publisher: PublisherRef
    claims: list[Claim]
    tags: list[str]
    embed: str
    retraction: NotRequired[Retraction]


class Found(TypedDict):
    query: str
    results: list[Finding]
    more: Annotated[bool, Field(description="More fact-checks match than were returned")]
    corrected: Annotated[dict[str, str], Field(description="A word typed -> the word searched for instead")]
    relaxed: Annotated[bool, Field(description="No fact-check has every word; these have some")]


# -- the tools ------------------------------------------------------------------


@dataclass(frozen=True)
class Archive:
    """What the tools read: the store, the configured publishers, the site's URLs."""

    store: Store
    publishers: Mapping[str, Publisher]
    urls: Urls


def search_fact_checks(
    archive: Archive,
    query: str,
    language: str | None = None,
    category: str | None = None,
    since: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Found:
    """The best matches for `query` (newest first for an empty query), filtered."""
    try:
        text = query_text(query)
    except HTTPProblem as problem:
        raise Refused(problem.detail or problem.title) from None
    if not 1 <= limit <= MAX_LIMIT:
        raise Refused(f"limit must be from 1 to {MAX_LIMIT}; got {limit}.")
    search = SearchQuery(
        text,
        language=_language(language),
        categories=(_category(category),) if category else (),
        since=_day(since),
        limit=limit,
    )
    results = archive.store.search(search)
    return {
        "query": text,
        "results": _findings(archive, results.hits),
        "more": results.more,
        "corrected": dict(results.corrected),
        "relaxed": results.relaxed,
    }


def get_fact_check(archive: Archive, slug_or_url: str) -> Finding:
    """The fact-check a slug, one of our URLs of it, or its canonical original URL names."""
    slug = slug_of(archive, slug_or_url)
    record = archive.store.get(slug)
    if record is None or record.status not in PUBLIC_STATUSES:  # a draft is as good as absent
        raise NotPublic(f"No published fact-check is called {slug!r}.")
    hit = SearchHit(record.slug, record.status, record.document, None, record.updated_at)
    return _finding(archive, hit)


def recent_fact_checks(archive: Archive, limit: int = RECENT) -> list[Finding]:
    """The newest published and retracted fact-checks."""
    return _findings(archive, archive.store.search(SearchQuery(limit=limit)).hits)


def slug_of(archive: Archive, slug_or_url: str) -> str:
    """The slug `slug_or_url` names: itself, or read from a URL of ours or a canonical original."""
    given = slug_or_url.strip()
    if not given:
        raise Refused("Give a fact-check's slug or URL.")
    if len(given) > MAX_REFERENCE:
        raise Refused(f"A slug or URL is at most {MAX_REFERENCE} characters; this one has {len(given)}.")
    if not given.lower().startswith(("http://", "https://")):
        return given
    slug = archive.store.indexed_slug_at(given)  # an original article that stays the canonical page
    if slug is not None:
        return slug
    parts, ours = urlsplit(given), urlsplit(archive.urls.base)
    if parts.netloc.lower() == ours.netloc.lower():
        path = parts.path.removeprefix(ours.path.rstrip("/"))
        for matcher in _MATCHERS:
            match = matcher.match(path)
            if match is not None:
                return unquote(match.group("slug"))
    raise NotPublic(
        f"No published fact-check is at {given}. Give its slug, its page URL "
        f"({archive.urls.check('SLUG')}), its card URL, or the original article's URL when that is canonical."
    )


# -- arguments -------------------------------------------------------------------


def _language(language: str | None) -> str | None:
    if language is None or not language.strip():
        return None
    tag = language.strip()
    if len(tag) > MAX_LANGUAGE_TAG or not LANGUAGE_TAG.match(tag):
        raise Refused(f"language must be a language tag such as en, es or pt-BR; got {tag[:40]!r}.")
    return tag.lower()


def _category(category: str) -> str:
    name = category.strip().lower()
    if name not in CATEGORIES:
        raise Refused(f"category must be one of {', '.join(CATEGORIES)}; got {category[:40]!r}.")
    return name


def _day(since: str | None) -> str | None:
    """A YYYY-MM-DD day as the store's timestamp of its first moment (UTC)."""
    if since is None or not since.strip():
        return None
    day = since.strip()
    try:
        if not DAY.match(day):
            raise ValueError(day)
        date.fromisoformat(day)
    except ValueError:
        raise Refused(f"since must be a date written YYYY-MM-DD, such as 2025-01-31; got {since[:40]!r}.") from None
    return sort_key(day)


# A finding is built as a dict (feed.core.findings); Finding is its shape, held to it by a test.


def _finding(archive: Archive, hit: SearchHit) -> Finding:
    return cast(Finding, finding(hit, load_factcheck(hit.document), archive.publishers, archive.urls))


def _findings(archive: Archive, hits: list[SearchHit]) -> list[Finding]:
    return cast(list[Finding], findings(hits, archive.publishers, archive.urls))
