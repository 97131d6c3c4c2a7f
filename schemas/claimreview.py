"""ClaimReview JSON-LD for a fact-check: one ClaimReview per claim."""

from __future__ import annotations

from typing import Any

from schemas.markdown import plain_text
from schemas.model import Claim, FactCheck
from schemas.publisher import Publisher

CONTEXT = "https://schema.org"


def claim_url(page_url: str, fc: FactCheck, index: int) -> str:
    """The ClaimReview url: the page itself, or a `#claim-N` anchor when it reviews several claims."""
    return page_url if len(fc.claims) == 1 else f"{page_url}#claim-{index + 1}"


def build_claimreviews(fc: FactCheck, publisher: Publisher, page_url: str) -> list[dict[str, Any]]:
    """One ClaimReview dict per claim, ready to serialise."""
    return [
        build_claimreview(fc, publisher, claim, claim_url(page_url, fc, index)) for index, claim in enumerate(fc.claims)
    ]


def build_claimreview(fc: FactCheck, publisher: Publisher, claim: Claim, url: str) -> dict[str, Any]:
    review: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim.text,
        "headline": fc.headline,
        "inLanguage": fc.language,
        "author": organization(publisher),
        "reviewRating": rating(publisher, claim),
        "itemReviewed": item_reviewed(claim),
    }
    if fc.date_published:
        review["datePublished"] = fc.date_published
    if fc.date_modified or fc.date_published:
        review["dateModified"] = fc.date_modified or fc.date_published
    if fc.image:
        review["image"] = fc.image.url
    return review


def organization(publisher: Publisher) -> dict[str, Any]:
    org: dict[str, Any] = {"@type": "Organization", "name": publisher.name, "url": publisher.url}
    if publisher.logo:
        org["logo"] = {"@type": "ImageObject", "url": publisher.logo}
    return org


def rating(publisher: Publisher, claim: Claim) -> dict[str, Any]:
    label = publisher.scale.find(claim.verdict)
    result: dict[str, Any] = {"@type": "Rating", "alternateName": claim.verdict}
    if label is not None and label.value is not None:
        result["ratingValue"] = label.value
        result["bestRating"] = publisher.scale.best
        result["worstRating"] = publisher.scale.worst
    if claim.explanation:
        result["ratingExplanation"] = plain_text(claim.explanation)
    return result


def item_reviewed(claim: Claim) -> dict[str, Any]:
    item: dict[str, Any] = {"@type": "Claim"}
    if claim.claimant is not None:
        author: dict[str, Any] = {"@type": claim.claimant.type, "name": claim.claimant.name}
        if claim.claimant.job_title:
            author["jobTitle"] = claim.claimant.job_title
        if claim.claimant.same_as:
            author["sameAs"] = list(claim.claimant.same_as)
        item["author"] = author
    if claim.date:
        item["datePublished"] = claim.date
    if claim.appearances:
        item["appearance"] = [{"@type": "CreativeWork", "url": u} for u in claim.appearances]
    first = claim.first_appearance or (claim.appearances[0] if claim.appearances else None)
    if first:
        item["firstAppearance"] = {"@type": "CreativeWork", "url": first}
    return item
