"""ClaimReview JSON-LD for a fact-check: one ClaimReview per claim."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from schemas.markdown import plain_text
from schemas.model import Author, Claim, FactCheck
from schemas.publisher import Publisher

CONTEXT = "https://schema.org"


def claim_url(page_url: str, fc: FactCheck, index: int) -> str:
    """Claim `index` on our page: the page itself, or a `#claim-N` anchor when it reviews several claims."""
    return page_url if len(fc.claims) == 1 else f"{page_url}#claim-{index + 1}"


def canonical_url(fc: FactCheck, page_url: str) -> str:
    """The fact-check's canonical page: its original article when that stays canonical (the
    newsroom keeps its CMS), else its page here, `page_url`."""
    if fc.original_is_canonical and fc.original_url:
        return fc.original_url
    return page_url


def review_url(page_url: str, fc: FactCheck, index: int) -> str:
    """The ClaimReview url of claim `index`, which feeds, the DataFeed and the card link to: the
    claim on our page (`claim_url`), or the original article when that stays canonical, for
    every claim (its anchors are not ours to name)."""
    canonical = canonical_url(fc, page_url)
    return claim_url(page_url, fc, index) if canonical == page_url else canonical


@dataclass(frozen=True)
class Work:
    """Another language version of a fact-check: its page and its language."""

    url: str
    language: str


@dataclass(frozen=True)
class LanguageVersions:
    """The fact-check this one translates (if any) and the fact-checks that translate it."""

    original: Work | None = None
    translations: tuple[Work, ...] = ()


def build_claimreviews(
    fc: FactCheck, publisher: Publisher, page_url: str, versions: LanguageVersions | None = None
) -> list[dict[str, Any]]:
    """One ClaimReview dict per claim, ready to serialise."""
    return [build_claimreview(fc, publisher, page_url, index, versions) for index in range(len(fc.claims))]


def build_claimreview(
    fc: FactCheck, publisher: Publisher, page_url: str, index: int, versions: LanguageVersions | None = None
) -> dict[str, Any]:
    """The ClaimReview of claim `index`: the one builder behind pages, feeds, the DataFeed and push.

    `versions` links the fact-check's translations (schema.org's translationOfWork and
    workTranslation name the works: the pages of the other language versions)."""
    claim = fc.claims[index]
    url = review_url(page_url, fc, index)
    review: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim.text,
        "headline": fc.headline,
        "inLanguage": fc.language,
        "author": organization(publisher),
        # The same node (by @id) as author: fact-check tools read either, and JSON-LD merges them.
        "publisher": organization(publisher),
        "reviewRating": rating(publisher, claim, fc.language),
        "itemReviewed": item_reviewed(claim),
    }
    if len(fc.claims) == 1:
        # A page reviewing several claims is about all of them, so none is its main entity.
        review["mainEntityOfPage"] = {"@type": "WebPage", "@id": canonical_url(fc, page_url)}
    if fc.authors:
        # `author` stays the newsroom (the ClaimReview guidelines ask for the publisher of the
        # fact-check); the people who wrote it are its creators.
        review["creator"] = [person(author) for author in fc.authors]
    if fc.date_published:
        review["datePublished"] = fc.date_published
    if fc.date_modified or fc.date_published:
        review["dateModified"] = fc.date_modified or fc.date_published
    if fc.image:
        review["image"] = fc.image.url
    if fc.description:
        review["description"] = fc.description
    if fc.original_url and fc.original_url != url:
        # Where an imported fact-check was first published; when that stays canonical, `url`
        # names it already, and a node the same as itself says nothing.
        review["sameAs"] = fc.original_url
    if versions and versions.original:
        review["translationOfWork"] = _work(versions.original)
    if versions and versions.translations:
        review["workTranslation"] = [_work(work) for work in versions.translations]
    return review


def _work(work: Work) -> dict[str, Any]:
    return {"@type": "CreativeWork", "url": work.url, "inLanguage": work.language}


def organization(publisher: Publisher) -> dict[str, Any]:
    org: dict[str, Any] = {
        "@type": "Organization",
        "@id": publisher.node_id,
        "name": publisher.name,
        "url": publisher.url,
    }
    if publisher.logo:
        org["logo"] = {"@type": "ImageObject", "url": publisher.logo}
    if publisher.same_as:
        org["sameAs"] = list(publisher.same_as)
    return org


def person(author: Author) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "Person", "name": author.name}
    if author.url:
        node["url"] = author.url
    if author.same_as:
        node["sameAs"] = list(author.same_as)
    if author.image:
        node["image"] = author.image
    if author.job_title:
        node["jobTitle"] = author.job_title
    return node


def rating(publisher: Publisher, claim: Claim, language: str) -> dict[str, Any]:
    """The verdict as a schema.org Rating, in words of the fact-check's `language`."""
    label = publisher.scale.find(claim.verdict)
    # An imported verdict keeps the words its first publisher gave it.
    words = claim.verdict_label or (label.in_language(language) if label is not None else claim.verdict)
    result: dict[str, Any] = {"@type": "Rating", "alternateName": words}
    if label is not None and label.value is not None:
        result["ratingValue"] = label.value
        result["bestRating"] = publisher.scale.best
        result["worstRating"] = publisher.scale.worst
    image = publisher.verdict_image(label, language) if label is not None else None
    if image:
        result["image"] = image  # the verdict as the publisher's pages show it, in the same words
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
        if claim.claimant.url:
            author["url"] = claim.claimant.url
        if claim.claimant.image:
            author["image"] = claim.claimant.image
        item["author"] = author
    if claim.date:
        item["datePublished"] = claim.date
    if claim.appearances:
        item["appearance"] = [{"@type": "CreativeWork", "url": u} for u in claim.appearances]
    first = claim.first_appearance or (claim.appearances[0] if claim.appearances else None)
    if first:
        item["firstAppearance"] = {"@type": "CreativeWork", "url": first}
    return item
