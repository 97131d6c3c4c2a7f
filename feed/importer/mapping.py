"""A page's ClaimReviews in, one factcard document out: the mapping, and the rules that fill gaps.

One page is one fact-check; each ClaimReview on it is one of its claims. What the model needs and
the markup lacks comes from the nearest thing the page has, and every such choice is a warning
in the report: which rule gave the language (the review's `inLanguage`, the page's `<html lang>`,
the publisher's default: never a silent guess), which gave the date (the review, the article, the
sitemap's `lastmod`), the headline and the summary. The verdict keeps its published words
(`verdictLabel`, what our ClaimReview publishes as `alternateName`) and is placed on the
publisher's scale by those words in any of the scale's languages, else by its rating
normalised between worst and best, else off the scale (category "other").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag, urlsplit

from feed.importer import clean
from feed.importer.markup import Page
from feed.importer.records import Reading, Skipped
from schemas.document import SLUG_PATTERN
from schemas.publisher import Publisher
from schemas.ratings import RatingLabel, RatingScale
from schemas.slugs import slug_of

ARTICLE_TYPES = ("NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle", "WebPage")
# `[n]` is a citation marker in our Markdown; an imported text has no sources to cite.
_CITATION = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class Article:
    """What the article extractor found on the page, for fields the markup lacks."""

    headline: str | None = None
    author: str | None = None
    date: str | None = None
    description: str | None = None


def read_factcheck(
    page: Page, article: Article, publisher: Publisher, *, default_language: str, lastmod: str | None = None
) -> tuple[Reading | None, list[Skipped]]:
    """The fact-check `page` holds, and every ClaimReview on it skipped with its reason."""
    reviews = page.of_type("ClaimReview")
    if not reviews:
        return None, [Skipped(page.url, "no ClaimReview on the page")]
    warnings: list[str] = list(page.problems)
    skipped: list[Skipped] = []
    claims: list[dict[str, Any]] = []
    for review in reviews:
        claim, reason = _claim(review, page, publisher.scale)
        if claim is None:
            skipped.append(Skipped(page.url, reason))
        else:
            claims.append(claim)
    if not claims:
        return None, skipped
    first = reviews[0]
    article_node = next(iter(page.of_type(kind) for kind in ARTICLE_TYPES if page.of_type(kind)), [{}])[0]
    # The article, not a claim's anchor on it (a page of several claims names each `#claim-2`).
    original = urldefrag(clean.url(first.get("url"), page.base) or page.base).url

    language, rule = _language(first, page, default_language)
    warnings.append(f"language {language} from {rule}")
    date, rule = _date(first, article_node, article, lastmod)
    if date:
        warnings.append(f"date {date} from {rule}")
    else:
        warnings.append("no date on the page or in the sitemap: dated the day it is imported")
    headline, rule = _first(
        ("the review's headline", clean.text(first.get("headline") or first.get("name"))),
        ("the article's headline", clean.text(article_node.get("headline")) or article.headline),
        ("the page title", page.title),
        ("the claim", claims[0]["text"]),
    )
    if rule != "the review's headline":
        warnings.append(f"headline from {rule}")
    description = clean.text(first.get("description"))
    summary, rule = _first(
        ("the review's description", description),
        ("the article's description", clean.text(article_node.get("description")) or article.description),
        ("the verdict", claims[0].get("verdictLabel") or claims[0]["verdict"]),
    )
    warnings.append(f"summary from {rule}")

    document: dict[str, Any] = {
        "slug": _slug(original, headline or ""),
        "status": "published",
        "headline": (headline or "")[:300],
        "language": language,
        "publisher": publisher.id,
        "summary": _CITATION.sub(r"(\1)", summary or ""),
        "claims": claims,
        "originalUrl": original,
    }
    authors = _authors(first, article_node, article, publisher)
    if authors:
        document["authors"] = authors
    if date:
        document["datePublished"] = date
    modified = clean.day(first.get("dateModified"))
    if modified and date and modified > date:
        document["dateModified"] = modified
    if description:
        document["description"] = description[:2000]
    image = clean.url(first.get("image"), page.base)
    if image:
        document["image"] = {"url": image}
    return Reading(document=document, source_url=original, warnings=warnings, lastmod=lastmod), skipped


# -- one claim -----------------------------------------------------------------------------------


def _claim(review: dict[str, Any], page: Page, scale: RatingScale) -> tuple[dict[str, Any] | None, str]:
    text = clean.text(review.get("claimReviewed"))
    if not text:
        return None, "no claim text"
    rating_node = review.get("reviewRating")
    rating_node = rating_node[0] if isinstance(rating_node, list) and rating_node else rating_node
    words = (
        clean.label(rating_node.get("alternateName") or rating_node.get("name"))
        if isinstance(rating_node, dict)
        else None
    )
    numbers = clean.rating(rating_node)
    if not words and numbers is None:
        return None, "no verdict"
    placed = _place(words, numbers, scale)
    claim: dict[str, Any] = {"text": text, "verdict": placed.label if placed else words}
    if words:
        claim["verdictLabel"] = words[:500]
    item = review.get("itemReviewed")
    item = item[0] if isinstance(item, list) and item else item
    if isinstance(item, dict):
        claimant = _claimant(item.get("author"), page.base)
        if claimant:
            claim["claimant"] = claimant
        appearances = [clean.url(a, page.base) for a in clean.listed(item.get("appearance"))]
        appearances = [found for found in appearances if found]
        if appearances:
            claim["appearances"] = list(dict.fromkeys(appearances))
        first_seen = clean.url(item.get("firstAppearance"), page.base)
        if first_seen:
            claim["firstAppearance"] = first_seen
        when = clean.day(item.get("datePublished"))
        if when:
            claim["date"] = when
    return claim, ""


def _place(words: str | None, numbers: clean.Rating | None, scale: RatingScale) -> RatingLabel | None:
    """The scale's label for a published verdict: by its words, else by its number, else none."""
    if words:
        found = scale.find(words) or scale.find(clean.label_words(words))
        if found:
            return found
    if numbers is None:
        return None
    valued = [label for label in scale.labels if label.value is not None]
    if not valued:
        return None
    target = scale.worst + numbers.fraction * (scale.best - scale.worst)
    return min(valued, key=lambda label: abs((label.value or 0) - target))


def _claimant(raw: Any, base: str) -> dict[str, Any] | None:
    node = raw[0] if isinstance(raw, list) and raw else raw
    name = clean.text(node)
    if not name:
        return None
    claimant: dict[str, Any] = {"name": name[:300]}
    if isinstance(node, dict):
        claimant["type"] = "Organization" if clean.is_type(node, "Organization") else "Person"
        job = clean.text(node.get("jobTitle"))
        if job:
            claimant["jobTitle"] = job
        for key in ("url", "image"):
            found = clean.url(node.get(key), base)
            if found:
                claimant[key] = found
        same_as = [found for found in (clean.url(u, base) for u in clean.listed(node.get("sameAs"))) if found]
        if same_as:
            claimant["sameAs"] = same_as
    return claimant


# -- the fact-check's own fields ---------------------------------------------------------------


def _language(review: dict[str, Any], page: Page, default: str) -> tuple[str, str]:
    stated = clean.text(review.get("inLanguage"))
    if stated:
        return stated, "the review's inLanguage"
    if page.html_lang:
        return page.html_lang, "the page's <html lang>"
    return default, "the publisher's default language"


def _date(
    review: dict[str, Any], node: dict[str, Any], article: Article, lastmod: str | None
) -> tuple[str | None, str]:
    found, rule = _first(
        ("the review's datePublished", clean.day(review.get("datePublished"))),
        ("the article's datePublished", clean.day(node.get("datePublished")) or clean.day(article.date)),
        ("the sitemap's lastmod", clean.day(lastmod)),
    )
    return found, rule


def _authors(
    review: dict[str, Any], node: dict[str, Any], article: Article, publisher: Publisher
) -> list[dict[str, Any]]:
    """The writers: the review's Person authors or creators, else the article's, else the byline."""
    for raw in (review.get("author"), review.get("creator"), node.get("author")):
        people = [item for item in clean.listed(raw) if clean.is_type(item, "Person") and clean.text(item)]
        if people:
            return [_person(person) for person in people]
    if article.author:
        names = [name.strip() for name in article.author.split(";") if name.strip()]
        return [{"name": name[:300]} for name in names if name.casefold() != publisher.name.casefold()]
    return []


def _person(node: dict[str, Any]) -> dict[str, Any]:
    person: dict[str, Any] = {"name": (clean.text(node) or "")[:300]}
    base = str(node.get("url") or "https://invalid.example/")
    for key in ("url", "image"):
        found = clean.url(node.get(key), base)
        if found:
            person[key] = found
    job = clean.text(node.get("jobTitle"))
    if job:
        person["jobTitle"] = job
    same_as = [found for found in (clean.url(u, base) for u in clean.listed(node.get("sameAs"))) if found]
    if same_as:
        person["sameAs"] = same_as
    return person


def _slug(original: str, headline: str) -> str:
    """The original URL's last path segment when it is a usable slug, else one from the headline."""
    segments = [part for part in urlsplit(original).path.split("/") if part]
    last = segments[-1].rsplit(".", 1)[0].lower() if segments else ""
    if last and SLUG_PATTERN.match(last) and len(last) <= 120 and not last.isdigit():
        return last
    return slug_of(headline) or "imported-fact-check"


def _first(*choices: tuple[str, str | None]) -> tuple[str | None, str]:
    for rule, value in choices:
        if value:
            return value, rule
    return None, "nothing"
