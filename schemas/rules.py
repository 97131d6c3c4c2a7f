"""The ClaimReview publishing rules that search engines and fact-check tools apply.

These go beyond the vocabulary: required fields, a short claim that does
not give the verdict away, a review url on the publisher's own host, and a
rating inside its scale.
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


def check_rules(
    review: dict[str, Any], publisher_url: str, path: str = "$", scale: RatingScale | None = None
) -> list[FieldError]:
    """Every publishing-rule problem with one ClaimReview dict.

    With the publisher's `scale`, a claim may not give the verdict away in any language the
    scale has words for, not only in the words of `alternateName`.
    """
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
    claim = review.get("claimReviewed") or ""
    if len(claim) > CLAIM_REVIEWED_MAX:
        fail("claimReviewed", f"must be short: at most {CLAIM_REVIEWED_MAX} characters (has {len(claim)})")
    if verdict:
        label = scale.find(verdict) if scale is not None else None
        for words in dict.fromkeys((verdict, *(label.names() if label is not None else ()))):
            if _states_verdict(claim, words):
                fail("claimReviewed", f"must state the claim, not the verdict {words!r}")
                break
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


def _states_verdict(claim: str, verdict: str) -> bool:
    """True when the claim text carries the verdict as a label, e.g. 'False: ...' or '... (False)'."""
    label = re.escape(verdict.strip())
    patterns = (
        rf"^\s*{label}\s*[:\-\u2013\u2014!]",
        rf"[\(\[]\s*{label}\s*[\)\]]",
        rf"[:\-\u2013\u2014]\s*{label}[.!]?\s*$",
    )
    return any(re.search(p, claim, re.IGNORECASE) for p in patterns)


def check_publishable(
    reviews: list[dict[str, Any]], publisher_url: str, scale: RatingScale | None = None
) -> list[FieldError]:
    """Vocabulary and publishing-rule problems across all of a fact-check's ClaimReviews."""
    from schemas.vocabulary import check_vocabulary

    errors: list[FieldError] = []
    for index, review in enumerate(reviews):
        path = f"claimReview[{index}]"
        errors.extend(check_vocabulary(review, path))
        errors.extend(check_rules(review, publisher_url, path, scale))
    return errors


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
