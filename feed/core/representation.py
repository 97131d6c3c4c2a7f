"""Builders for what the service shows: the JSON form of a record and the page view.

Pure functions from data to dicts; handlers serialise or render them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from feed.store import Record
from schemas.claimreview import LanguageVersions, build_claimreviews, canonical_url, claim_url
from schemas.languages import text_direction
from schemas.markdown import parse_inline, plain_text
from schemas.model import FactCheck
from schemas.publisher import Publisher
from widget.i18n import Messages, choose_language


def claimreviews_for(
    fc: FactCheck, publisher: Publisher, page_url: str, versions: LanguageVersions | None = None
) -> list[dict[str, Any]]:
    """The ClaimReview markup to publish: none for drafts and retracted fact-checks."""
    if fc.status != "published":
        return []
    return build_claimreviews(fc, publisher, page_url, versions)


def record_json(
    record: Record, fc: FactCheck, publisher: Publisher, page_url: str, versions: LanguageVersions | None = None
) -> dict[str, Any]:
    """The public JSON twin of a fact-check (also the API's representation).

    A retracted fact-check has no current verdict (its page withdraws it; `document` still
    holds what it was) and carries `retraction`: the notice, in the fact-check's language as
    the page says it, with the reason and date.
    """
    retracted = fc.status == "retracted"
    body = {
        "slug": record.slug,
        "version": record.version,
        "status": record.status,
        "url": page_url,
        "createdAt": record.created_at,
        "updatedAt": record.updated_at,
        "document": record.document,
        "verdicts": [] if retracted else [verdict_view(publisher, claim.verdict, fc.language) for claim in fc.claims],
        "claimReview": claimreviews_for(fc, publisher, page_url, versions),
        # Also in `document` when present; here always, so readers need not dig for it.
        "corrections": [{"date": c.date, "note": c.note} for c in fc.corrections],
    }
    if retracted:
        notice = Messages(choose_language(None, fc.language)).gettext("This fact-check has been retracted.")
        reason, date = (fc.retraction.reason, fc.retraction.date) if fc.retraction else ("", None)
        body["retraction"] = {"notice": notice, "reason": reason, "date": date}
    return body


def verdict_view(publisher: Publisher, verdict: str, language: str) -> dict[str, Any]:
    """A verdict as pages and the JSON twin show it: `label` is its words in `language` (or, when
    the scale has none in it, in the scale's own language, which `language` then names)."""
    label = publisher.scale.find(verdict)
    index = publisher.scale.labels.index(label) if label else 0
    return {
        "label": label.in_language(language) if label else verdict,
        "language": publisher.scale.language_of(label, language) if label else language,  # of `label`
        "category": label.category if label else "other",
        "value": label.value if label else None,
        "cssClass": verdict_class(publisher, index),
    }


def verdict_categories(publishers: Mapping[str, Publisher], document: dict[str, Any]) -> tuple[str, ...]:
    """The verdict category of each claim of a stored document (true, false, misleading, ...,
    "other" when off its publisher's scale): what the search index files it under."""
    publisher = publishers.get(document.get("publisher", ""))
    found = [publisher.scale.find(c.get("verdict") or "") if publisher else None for c in document.get("claims", [])]
    return tuple(label.category if label else "other" for label in found)


def verdict_class(publisher: Publisher, index: int) -> str:
    """The CSS class that colours a verdict badge (see feed.site.pages.scale_css)."""
    return f"fc-verdict--{publisher.id}-{index}"


def page_view(
    fc: FactCheck, publisher: Publisher, page_url: str, versions: LanguageVersions | None = None
) -> dict[str, Any]:
    """Everything the canonical page template needs, with Markdown parsed to nodes."""
    return {
        "fc": fc,
        "publisher": publisher,
        "page_url": page_url,
        "canonical_url": canonical_url(fc, page_url),  # the original article, when it stays canonical
        "direction": text_direction(fc.language),
        "description": plain_text(fc.summary)[:300],
        "summary": parse_inline(fc.summary),
        "bottom_line": parse_inline(fc.bottom_line) if fc.bottom_line else None,
        "claims": [
            {
                "anchor": claim_url(page_url, fc, index).partition("#")[2] or f"claim-{index + 1}",
                "claim": claim,
                "verdict": verdict_view(publisher, claim.verdict, fc.language),
                "explanation": parse_inline(claim.explanation) if claim.explanation else None,
            }
            for index, claim in enumerate(fc.claims)
        ],
        "sections": [
            {"heading": s.heading, "paragraphs": [parse_inline(p) for p in s.paragraphs]} for s in fc.sections
        ],
        "claimreviews": claimreviews_for(fc, publisher, page_url, versions),
    }
