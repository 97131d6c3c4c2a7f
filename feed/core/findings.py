"""A fact-check as a search finds it: what /search.json, the MCP tools and claims:search give a
reader, a tool or an assistant, so that each can cite the page rather than paraphrase it.

Every finding carries its canonical URL (the original article when the newsroom keeps its CMS
canonical), each claim with its claimant, verdict label and category, the dates and the
publisher. A retracted fact-check is a finding with `status: retracted` and its notice, and no
verdicts: its old verdict is never given as current.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from feed.core.problems import HTTPProblem
from feed.core.representation import verdict_view
from feed.core.urls import Urls
from feed.store import SearchHit
from feed.words.analysis import pieces
from feed.words.query import MAX_QUERY_CHARACTERS
from schemas.claimreview import canonical_url, review_url
from schemas.model import FactCheck, load_factcheck
from schemas.publisher import Publisher
from widget.i18n import Messages, choose_language


def finding(hit: SearchHit, fc: FactCheck, publishers: Mapping[str, Publisher], urls: Urls) -> dict[str, Any]:
    """The finding of one hit (`fc`: its document, loaded)."""
    publisher = publishers.get(fc.publisher)
    page = urls.check(fc.slug)
    retracted = fc.status == "retracted"
    claims = []
    for index, claim in enumerate(fc.claims):
        item: dict[str, Any] = {
            "text": claim.text,
            "claimant": claim.claimant.name if claim.claimant else None,
            "claimDate": claim.date,
            "url": review_url(page, fc, index),
        }
        if not retracted and publisher is not None:
            view = verdict_view(publisher, claim.verdict, fc.language)
            item["verdict"] = {"label": view["label"], "category": view["category"], "language": view["language"]}
        claims.append(item)
    body: dict[str, Any] = {
        "slug": fc.slug,
        "url": canonical_url(fc, page),
        "pageUrl": page,
        "status": fc.status,
        "headline": fc.headline,
        "language": fc.language,
        "datePublished": fc.date_published,
        "dateModified": fc.date_modified,
        "publisher": {
            "id": fc.publisher,
            "name": publisher.name if publisher else fc.publisher,
            "url": publisher.url if publisher else None,
        },
        "claims": claims,
        "tags": list(fc.tags),
        "embed": urls.card(fc.slug),
    }
    if retracted:
        notice = Messages(choose_language(None, fc.language)).gettext("This fact-check has been retracted.")
        reason, date = (fc.retraction.reason, fc.retraction.date) if fc.retraction else ("", None)
        body["retraction"] = {"notice": notice, "reason": reason, "date": date}
    return body


def findings(hits: list[SearchHit], publishers: Mapping[str, Publisher], urls: Urls) -> list[dict[str, Any]]:
    return [finding(hit, load_factcheck(hit.document), publishers, urls) for hit in hits]


def query_text(raw: str) -> str:
    """What a reader, tool or assistant asked for, or a 400 that says what is wrong with it: a
    query longer than MAX_QUERY_CHARACTERS (a pasted article), or one with no letter or digit
    (markup alone: `<>`, `***`), which no fact-check could match."""
    text = raw.strip()
    if len(text) > MAX_QUERY_CHARACTERS:
        raise HTTPProblem(
            400, "Query too long",
            f"A search is at most {MAX_QUERY_CHARACTERS} characters; this one has {len(text)}. "
            "Search for the claim's key words.",
        )  # fmt: skip
    if text and not any(True for _ in pieces(text)):
        raise HTTPProblem(
            400, "Nothing to search for", "The query has no letters or digits: search for a word of the claim."
        )
    return text
