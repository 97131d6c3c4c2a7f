"""GET /v1alpha1/claims:search: Google Fact Check Tools' claims.search, answered for this archive.

A tool written for Google's API (its parameters, its response, its page tokens, its errors)
works against a newsroom's factcard by changing its base URL. Each result is one claim of a
published fact-check, with the one review we publish of it: its ClaimReview url, headline,
date and the verdict in the words our ClaimReview JSON-LD gives (reviewRating.alternateName).
Retracted fact-checks are never given: their old verdicts are not current. Absent fields are
left out, as Google leaves them out (no nulls); no results is `{}`, as Google answers.

Google's meanings, kept here: `query` is required unless reviewPublisherSiteFilter is given;
languageCode matches by language, not region (es-MX finds es and es-419 too); maxAgeDays counts
back from now, by the review date; pageSize defaults to 10 (at most MAX_PAGE_SIZE are given);
`offset` counts claims and is read only without a pageToken; 0 in any number means unset, as
in Google's protocol. The `key`, `quotaUser` and `prettyPrint` that Google's clients send are
taken and ignored; `alt` may only be json.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from feed.api import pagetokens
from feed.api.pagetokens import BadToken, Position
from feed.core.findings import query_text
from feed.core.problems import HTTPProblem
from feed.core.query import language_tag, whole_number
from feed.core.responses import JSONResponse
from feed.render.context import Context, context_of
from feed.store import SearchHit, SearchQuery, SearchResults
from feed.store.clock import rfc3339, sort_key, stamp, store_time, utc_now
from schemas.claimreview import rating, review_url
from schemas.errors import FieldError
from schemas.model import FactCheck
from schemas.publisher import Publisher

# What Google documents for claims.search, and the system parameters its clients add.
SEARCH_PARAMETERS = (
    "query", "languageCode", "reviewPublisherSiteFilter", "maxAgeDays", "pageSize", "pageToken", "offset",
)  # fmt: skip
IGNORED_PARAMETERS = ("key", "quotaUser", "prettyPrint")
PARAMETERS = (*SEARCH_PARAMETERS, *IGNORED_PARAMETERS, "alt")

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100  # a larger pageSize gives this many: Google returns "up to" pageSize
MAX_OFFSET = 10_000  # claims `offset` may skip: each is read to be skipped; tokens go further
MAX_AGE_DAYS = 36_500
INT32 = 2**31 - 1  # Google's numbers are int32: larger ones are refused as malformed
SCAN = 200  # fact-checks read at a time while skipping to an offset
MAX_SITE = 253
_SITE = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")
CACHE_CONTROL = "public, max-age=60"  # never kept by the render cache: a search is asked once


@dataclass(frozen=True)
class ClaimSearch:
    """One claims:search request, its parameters read and checked."""

    text: str = ""
    language: str | None = None  # a primary language subtag: es
    site: str | None = None
    max_age_days: int | None = None
    page_size: int = DEFAULT_PAGE_SIZE
    offset: int = 0
    page_token: str | None = None

    def digest(self) -> bytes:
        """What a page token is tied to: every filter, not the page size or the place."""
        return pagetokens.query_digest(self.text, self.language, self.site, self.max_age_days)


def read_search(params: QueryParams | Mapping[str, str]) -> ClaimSearch:
    """The request's parameters, or a 400 naming the first that is wrong."""
    alt = params.get("alt")
    if alt is not None and alt != "json":
        raise _bad("alt", f"alt={alt[:40]!r} is not served: only alt=json (the default).")
    site = site_filter(params.get("reviewPublisherSiteFilter"))
    raw_query = params.get("query")
    text = _query(raw_query) if raw_query is not None else ""
    if not text and site is None:
        raise _bad("query", "query is required unless reviewPublisherSiteFilter is given.")
    language = language_tag(params.get("languageCode"), "languageCode")
    return ClaimSearch(
        text=text,
        language=language.split("-")[0] if language else None,  # Google does not consider the region
        site=site,
        max_age_days=_number(params, "maxAgeDays", MAX_AGE_DAYS) or None,
        page_size=min(_number(params, "pageSize", INT32) or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
        offset=_number(params, "offset", MAX_OFFSET),
        page_token=params.get("pageToken") or None,
    )


def site_filter(raw: str | None) -> str | None:
    """reviewPublisherSiteFilter as a site name (news.example): lower case, without www., and
    without the scheme and path if a URL was given; None when absent."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip().lower()
    if "://" in text:
        text = urlsplit(text).hostname or ""
    text = text.rstrip("/").removeprefix("www.")
    if len(text) > MAX_SITE or not _SITE.fullmatch(text):
        raise _bad(
            "reviewPublisherSiteFilter",
            "reviewPublisherSiteFilter must be a site name such as news.example (no path).",
        )
    return text


def site_of(url: str) -> str:
    """A publisher's site as Google names it: its URL's host, without www."""
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def publishers_of_site(publishers: Mapping[str, Publisher], site: str) -> tuple[str, ...]:
    """The ids of the publishers at `site` or a subdomain of it (news.example: fact.news.example)."""
    return tuple(pid for pid, p in publishers.items() if (own := site_of(p.url)) == site or own.endswith("." + site))


# -- the search --------------------------------------------------------------


def search_claims(ctx: Context, search: ClaimSearch, now: datetime) -> dict[str, Any]:
    """The claims.search response body for `search`; BadToken for a token not issued for it."""
    digest = search.digest()
    if search.page_token is not None:
        start, skip = pagetokens.redeem(search.page_token, digest), 0
    else:
        since = stamp(now - timedelta(days=search.max_age_days)) if search.max_age_days else None
        start, skip = Position(0, 0, "", since), search.offset
    publishers: tuple[str, ...] = ()
    if search.site is not None:
        publishers = publishers_of_site(ctx.publishers, search.site)
        if not publishers:
            return {}
    query = SearchQuery(
        text=search.text, language=search.language, publishers=publishers, since=start.since,
        statuses=("published",),  # a retracted verdict is not current; drafts are never indexed
    )  # fmt: skip
    taken, following = page_of_claims(ctx, query, start, skip, search.page_size)
    body: dict[str, Any] = {}
    if taken:
        body["claims"] = [claim_entry(ctx, fc, index) for fc, index in taken]
    if following is not None:
        body["nextPageToken"] = pagetokens.issue(following, digest)
    return body


def matching_of(results: SearchResults) -> str:
    """How the store matched the words: every word, every word after corrections, or any word.

    The store picks the strictest way that finds something at the offset asked for; a page that
    continues a search matched one way must not go on with results matched another way (when
    the fact-checks with every word run out, those with any word would follow)."""
    return "any" if results.relaxed else "corrected" if results.corrected else "all"


def page_of_claims(
    ctx: Context, query: SearchQuery, start: Position, skip: int, size: int
) -> tuple[list[tuple[FactCheck, int]], Position | None]:
    """Up to `size` (fact-check, claim index) pairs from `start`, after skipping `skip` claims,
    and where the next page starts (None: no claim follows)."""
    taken: list[tuple[FactCheck, int]] = []
    checks, given, matching = start.checks, start.claims, start.matching
    while True:
        # One fact-check more than claims wanted: every fact-check reviews at least one claim,
        # so the batch tells whether another claim follows the page.
        results = ctx.store.search(replace(query, offset=checks, limit=min(skip, SCAN) + size + 1))
        if results.hits and matching and matching_of(results) != matching:
            return taken, None
        matching = matching or matching_of(results)
        for place, hit in enumerate(results.hits):
            count = len(hit.document.get("claims") or ())
            for index in range(given if place == 0 else 0, count):
                if skip:
                    skip -= 1
                elif len(taken) == size:
                    return taken, Position(checks + place, index, matching, query.since)
                else:
                    taken.append((_loaded(ctx, hit), index))
        if not results.more:
            return taken, None
        checks, given = checks + len(results.hits), 0


def _loaded(ctx: Context, hit: SearchHit) -> FactCheck:
    return ctx.publishing.load(hit.document)


def claim_entry(ctx: Context, fc: FactCheck, index: int) -> dict[str, Any]:
    """Claim `index` of `fc` as a Fact Check Tools Claim, with our review of it."""
    claim = fc.claims[index]
    publisher = ctx.publishers.get(fc.publisher)
    url = review_url(ctx.publishing.page_url(fc.slug), fc, index)
    review: dict[str, Any] = {
        "publisher": {
            "name": publisher.name if publisher else fc.publisher,
            "site": site_of(publisher.url if publisher else url),
        },
        "url": url,
        "title": fc.headline,
    }
    if fc.date_published:
        review["reviewDate"] = _timestamp(fc.date_published)
    # The verdict in the words our ClaimReview publishes (imported ones keep their first words).
    words = rating(publisher, claim, fc.language)["alternateName"] if publisher else claim.verdict
    review["textualRating"] = words
    review["languageCode"] = fc.language
    entry: dict[str, Any] = {"text": claim.text}
    if claim.claimant is not None:
        entry["claimant"] = claim.claimant.name
    if claim.date:
        entry["claimDate"] = _timestamp(claim.date)
    entry["claimReview"] = [review]
    return entry


def _timestamp(value: str) -> str:
    """A document's date or date-time as Google's Timestamp: RFC 3339 in UTC (a day at midnight)."""
    key = sort_key(value)
    assert key is not None
    return rfc3339(store_time(key))


# -- reading parameters ------------------------------------------------------


def _bad(name: str, detail: str) -> HTTPProblem:
    return HTTPProblem(400, f"Bad {name}", detail, [FieldError(name, detail)])


def _number(params: QueryParams | Mapping[str, str], name: str, high: int) -> int:
    try:
        return whole_number(params.get(name), name, 0, high) or 0
    except HTTPProblem as problem:
        raise _bad(name, problem.detail or problem.title) from None


def _query(raw: str) -> str:
    try:
        return query_text(raw)
    except HTTPProblem as problem:
        raise _bad("query", problem.detail or problem.title) from None


# -- the handler -------------------------------------------------------------


async def claims_search(request: Request) -> Response:
    ctx = context_of(request)
    search = read_search(request.query_params)
    try:
        body = await run_in_threadpool(search_claims, ctx, search, utc_now())
    except BadToken:
        raise _bad(
            "pageToken",
            "pageToken is not one this server issued for this query: send the nextPageToken of the "
            "previous page unchanged, with the same query, languageCode, maxAgeDays and "
            "reviewPublisherSiteFilter.",
        ) from None
    return JSONResponse(body, headers={"Cache-Control": CACHE_CONTROL})
