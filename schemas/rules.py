"""The ClaimReview publishing rules that search engines and fact-check tools apply.

Two kinds. The law (`check_rules`) goes beyond the vocabulary: required fields, a review url on
the publisher's own host, and a rating inside its scale; breaking it refuses publication.
The advice (`check_advice`): a short claim that does not give the verdict away. Live archives
break it often (in a sample of 65 real ClaimReviews from 23 fact-checkers, 14 have a
claimReviewed over 140 characters, up to 365), and a reader is not misled by it, so it is a
warning wherever it shows (the desk, the API's answer, `factcard validate`, the import report)
and never a refusal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from schemas.errors import FieldError, ValidationError
from schemas.publisher import Publisher
from schemas.ratings import RatingScale
from schemas.urls import host_of, url_problem
from schemas.validation import parse_factcheck

REQUIRED = ("url", "claimReviewed", "reviewRating", "author", "datePublished", "itemReviewed")
# Longer claim summaries are cut off in search results.
CLAIM_REVIEWED_MAX = 140


def check_rules(review: dict[str, Any], publisher_url: str, path: str = "$") -> list[FieldError]:
    """Every publishing-rule problem with one ClaimReview dict: what refuses publication."""
    errors: list[FieldError] = []

    def fail(field: str, message: str) -> None:
        errors.append(FieldError(f"{path}.{field}", message))

    for field in REQUIRED:
        if not review.get(field):
            fail(field, "is required")
    url = review.get("url")
    if url:
        problem = url_problem(url)
        if problem:
            fail("url", problem)
        elif host_of(url) != host_of(publisher_url):
            fail("url", f"must be on the publisher's own host {host_of(publisher_url)!r}")
    rating = review.get("reviewRating") or {}
    verdict = rating.get("alternateName")
    if not verdict:
        fail("reviewRating.alternateName", "is required: the verdict in words")
    value = rating.get("ratingValue")
    if value is not None:
        best, worst = rating.get("bestRating"), rating.get("worstRating")
        if best is None or worst is None:
            fail("reviewRating", "a ratingValue needs bestRating and worstRating")
        elif not min(best, worst) <= value <= max(best, worst):
            fail("reviewRating.ratingValue", f"{value} lies outside {worst}..{best}")
    author = review.get("author") or {}
    if isinstance(author, dict) and not author.get("name"):
        fail("author.name", "is required")
    return errors


def check_advice(review: dict[str, Any], path: str = "$", scale: RatingScale | None = None) -> list[FieldError]:
    """The advice for one ClaimReview dict, as warnings: a claim short enough for a search
    result, and one that states the claim rather than its verdict. With the publisher's
    `scale`, the verdict's words in every language the scale has are looked for, not only
    those of `alternateName`."""
    warnings: list[FieldError] = []
    claim = review.get("claimReviewed") or ""
    if len(claim) > CLAIM_REVIEWED_MAX:
        message = f"should be short: at most {CLAIM_REVIEWED_MAX} characters (has {len(claim)})"
        warnings.append(FieldError(f"{path}.claimReviewed", message))
    verdict = (review.get("reviewRating") or {}).get("alternateName")
    if verdict:
        label = scale.find(verdict) if scale is not None else None
        for words in dict.fromkeys((verdict, *(label.names() if label is not None else ()))):
            if _states_verdict(claim, words):
                message = f"should state the claim, not the verdict {words!r}"
                warnings.append(FieldError(f"{path}.claimReviewed", message))
                break
    return warnings


def _states_verdict(claim: str, verdict: str) -> bool:
    """True when the claim text carries the verdict as a label, e.g. 'False: ...' or '... (False)'."""
    label = re.escape(verdict.strip())
    patterns = (
        rf"^\s*{label}\s*[:\-\u2013\u2014!]",
        rf"[\(\[]\s*{label}\s*[\)\]]",
        rf"[:\-\u2013\u2014]\s*{label}[.!]?\s*$",
    )
    return any(re.search(p, claim, re.IGNORECASE) for p in patterns)


def check_publishable(reviews: list[dict[str, Any]], publisher_url: str) -> list[FieldError]:
    """Vocabulary and publishing-rule problems across all of a fact-check's ClaimReviews."""
    from schemas.vocabulary import check_vocabulary

    errors: list[FieldError] = []
    for index, review in enumerate(reviews):
        path = f"claimReview[{index}]"
        errors.extend(check_vocabulary(review, path))
        errors.extend(check_rules(review, publisher_url, path))
    return errors


def advise_publishable(reviews: list[dict[str, Any]], scale: RatingScale | None = None) -> list[FieldError]:
    """The advice (warnings) across all of a fact-check's ClaimReviews."""
    return [w for index, review in enumerate(reviews) for w in check_advice(review, f"claimReview[{index}]", scale)]


def publication_problems(document: Any, publishers: Mapping[str, Publisher]) -> list[FieldError]:
    """What the document lacks to be published (empty when nothing): it parsed as published.
    The ClaimReview rules (`schemas.rules`) come on top."""
    if not isinstance(document, Mapping) or document.get("status", "draft") != "draft":
        return []
    try:
        parse_factcheck({**document, "status": "published"}, publishers)
    except ValidationError as invalid:
        return invalid.errors
    return []
