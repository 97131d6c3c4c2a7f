"""The outbound request for each push target, built at delivery time from current state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from feed.core.settings import Settings
from feed.core.urls import Urls
from schemas.claimreview import build_claimreviews, canonical_url
from schemas.model import FactCheck
from schemas.publisher import Publisher


@dataclass(frozen=True)
class Outbound:
    method: str
    url: str
    json: Any = None
    form: list[tuple[str, str]] | None = None
    headers: dict[str, str] = field(default_factory=dict)


def websub_ping(settings: Settings) -> Outbound:
    """WebSub 'publish' ping naming both feeds as the changed topics."""
    urls = Urls(settings.base_url)
    return Outbound(
        "POST",
        settings.websub_hub,
        form=[("hub.mode", "publish"), ("hub.url", urls.url("json_feed")), ("hub.url", urls.url("atom_feed"))],
    )


def indexnow_ping(settings: Settings, page_url: str) -> Outbound:
    return Outbound(
        "POST",
        settings.indexnow_endpoint,
        json={
            "host": urlsplit(settings.base_url).hostname,
            "key": settings.indexnow_key,
            "keyLocation": Urls(settings.base_url).url("indexnow_key", key=settings.indexnow_key),
            "urlList": [page_url],
        },
    )


def markup_page(fc: FactCheck, publisher: Publisher, page_url: str) -> dict[str, Any]:
    """A Fact Check Tools ClaimReviewMarkupPage built from our ClaimReview JSON-LD (`page_url` is our
    page); its pageUrl is the canonical page, the original article when that stays canonical."""
    markups = []
    for review in build_claimreviews(fc, publisher, page_url):
        rating = review["reviewRating"]
        item = review["itemReviewed"]
        markup: dict[str, Any] = {
            "claimReviewed": review["claimReviewed"],
            "url": review["url"],
            "rating": {
                key: rating[source]
                for key, source in (
                    ("textualRating", "alternateName"),
                    ("ratingValue", "ratingValue"),
                    ("bestRating", "bestRating"),
                    ("worstRating", "worstRating"),
                    ("ratingExplanation", "ratingExplanation"),
                )
                if source in rating
            },
        }
        if "author" in item:
            author = item["author"]
            markup["claimAuthor"] = {key: author[key] for key in ("name", "jobTitle", "sameAs") if key in author}
            if isinstance(markup["claimAuthor"].get("sameAs"), list):
                markup["claimAuthor"]["sameAs"] = markup["claimAuthor"]["sameAs"][0]
        if "datePublished" in item:
            markup["claimDate"] = item["datePublished"]
        if "appearance" in item:
            markup["claimAppearances"] = [a["url"] for a in item["appearance"]]
        if "firstAppearance" in item:
            markup["claimFirstAppearance"] = item["firstAppearance"]["url"]
        markups.append(markup)
    review_author: dict[str, Any] = {"name": publisher.name}
    if publisher.logo:
        review_author["imageUrl"] = publisher.logo
    page: dict[str, Any] = {
        "pageUrl": canonical_url(fc, page_url),
        "claimReviewAuthor": review_author,
        "claimReviewMarkups": markups,
    }
    if fc.date_published:
        page["publishDate"] = fc.date_published[:10]
    return page


def factcheck_tools_request(
    settings: Settings, remote_name: str | None, page: dict[str, Any] | None
) -> Outbound | None:
    """Create, update or delete the markup page; None when there is nothing to do.

    `page` is None when the fact-check is no longer public (retracted).
    """
    headers = {"Authorization": f"Bearer {settings.factcheck_tools_token}"}
    base = settings.factcheck_tools_endpoint
    if page is None:
        return Outbound("DELETE", f"{base}/{remote_name}", headers=headers) if remote_name else None
    if remote_name:
        return Outbound("PUT", f"{base}/{remote_name}", json={**page, "name": remote_name}, headers=headers)
    return Outbound("POST", f"{base}/pages", json=page, headers=headers)


def factcheck_tools_lookup(settings: Settings, page_url: str) -> Outbound:
    """List the markup page for `page_url` (the API answers at most one, for the URL's canonical form)."""
    headers = {"Authorization": f"Bearer {settings.factcheck_tools_token}"}
    query = urlencode({"url": page_url})
    return Outbound("GET", f"{settings.factcheck_tools_endpoint}/pages?{query}", headers=headers)


def found_page_name(listing: dict[str, Any]) -> str | None:
    """The page name (`pages/...`) in a pages.list answer, or None if it lists none."""
    pages = listing.get("claimReviewMarkupPages")
    for page in pages if isinstance(pages, list) else []:
        name = page.get("name") if isinstance(page, dict) else None
        if isinstance(name, str) and name.startswith("pages/"):
            return name
    return None
