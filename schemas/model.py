"""The fact-check model, and its plain-dict document form.

`to_document` is the exact inverse of `schemas.validation.parse_factcheck`:
what export writes, import reads back unchanged. `load_factcheck` is the inverse of
`to_document`: it reads back what the store holds without validating it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

STATUSES = ("draft", "published", "retracted")
CLAIMANT_TYPES = ("Person", "Organization")


@dataclass(frozen=True)
class Author:
    name: str
    url: str | None = None
    same_as: tuple[str, ...] = ()  # the author's profiles elsewhere (schema.org sameAs)
    image: str | None = None
    job_title: str | None = None


@dataclass(frozen=True)
class Claimant:
    name: str
    type: str = "Person"
    job_title: str | None = None
    same_as: tuple[str, ...] = ()
    url: str | None = None
    image: str | None = None


@dataclass(frozen=True)
class Claim:
    text: str
    verdict: str
    claimant: Claimant | None = None
    date: str | None = None
    appearances: tuple[str, ...] = ()
    first_appearance: str | None = None
    explanation: str | None = None
    # The verdict in its first publisher's words (an import): published as alternateName. When
    # no label of the scale matches, `verdict` is this label too, and its category is "other".
    verdict_label: str | None = None


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    publisher: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Correction:
    date: str
    note: str


@dataclass(frozen=True)
class Retraction:
    reason: str
    date: str | None = None


@dataclass(frozen=True)
class Image:
    url: str
    alt: str = ""


@dataclass(frozen=True)
class FactCheck:
    slug: str
    headline: str
    language: str
    publisher: str
    summary: str
    claims: tuple[Claim, ...]
    authors: tuple[Author, ...] = ()
    date_published: str | None = None
    date_modified: str | None = None
    sections: tuple[Section, ...] = ()
    bottom_line: str | None = None
    sources: tuple[Source, ...] = ()
    related_questions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    image: Image | None = None
    corrections: tuple[Correction, ...] = ()
    status: str = "draft"
    retraction: Retraction | None = None
    translations: tuple[str, ...] = ()  # slugs of the fact-checks that translate this one
    description: str | None = None  # the ClaimReview's description, as an imported review gave it
    original_url: str | None = None  # where an imported fact-check was first published
    # The original article stays the canonical page (the newsroom keeps its CMS): only with original_url.
    original_is_canonical: bool = False


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in (None, [], {})}


def to_document(fc: FactCheck) -> dict[str, Any]:
    """The JSON document form of a fact-check (camelCase keys, empty fields left out)."""
    claims = []
    for claim in fc.claims:
        claimant = None
        if claim.claimant is not None:
            claimant = _drop_empty(
                {
                    "name": claim.claimant.name,
                    "type": claim.claimant.type,
                    "jobTitle": claim.claimant.job_title,
                    "sameAs": list(claim.claimant.same_as),
                    "url": claim.claimant.url,
                    "image": claim.claimant.image,
                }
            )
        claims.append(
            _drop_empty(
                {
                    "text": claim.text,
                    "claimant": claimant,
                    "date": claim.date,
                    "appearances": list(claim.appearances),
                    "firstAppearance": claim.first_appearance,
                    "verdict": claim.verdict or None,  # a draft's claim may have none yet
                    "explanation": claim.explanation,
                    "verdictLabel": claim.verdict_label,
                }
            )
        )
    return _drop_empty(
        {
            "slug": fc.slug,
            "status": fc.status,
            "headline": fc.headline,
            "language": fc.language,
            "publisher": fc.publisher,
            "authors": [_author_document(a) for a in fc.authors],
            "datePublished": fc.date_published,
            "dateModified": fc.date_modified,
            "summary": fc.summary,
            "claims": claims,
            "sections": [{"heading": s.heading, "paragraphs": list(s.paragraphs)} for s in fc.sections],
            "bottomLine": fc.bottom_line,
            "sources": [
                _drop_empty({"title": s.title, "url": s.url, "publisher": s.publisher, "date": s.date})
                for s in fc.sources
            ],
            "relatedQuestions": list(fc.related_questions),
            "tags": list(fc.tags),
            "image": _drop_empty({"url": fc.image.url, "alt": fc.image.alt}) if fc.image else None,
            "corrections": [{"date": c.date, "note": c.note} for c in fc.corrections],
            "retraction": (
                _drop_empty({"reason": fc.retraction.reason, "date": fc.retraction.date}) if fc.retraction else None
            ),
            "translations": list(fc.translations),
            "description": fc.description,
            "originalUrl": fc.original_url,
            "originalIsCanonical": fc.original_is_canonical or None,  # false is the default: left out
        }
    )


def _author_document(author: Author) -> dict[str, Any]:
    return _drop_empty({
        "name": author.name,
        "url": author.url,
        "sameAs": list(author.same_as),
        "image": author.image,
        "jobTitle": author.job_title,
    })  # fmt: skip


def load_factcheck(document: Mapping[str, Any]) -> FactCheck:
    """The fact-check in a document that `to_document` wrote, read without validating it.

    Only for documents already accepted by `parse_factcheck` (what the store holds): it
    checks nothing, so anything from outside goes through `parse_factcheck` instead.
    """
    image = document.get("image")
    retraction = document.get("retraction")
    return FactCheck(
        slug=document["slug"],
        headline=document["headline"],
        language=document["language"],
        publisher=document["publisher"],
        summary=document["summary"],
        claims=tuple(_load_claim(claim) for claim in document["claims"]),
        authors=tuple(
            Author(a["name"], a.get("url"), tuple(a.get("sameAs", ())), a.get("image"), a.get("jobTitle"))
            for a in document.get("authors", ())
        ),
        date_published=document.get("datePublished"),
        date_modified=document.get("dateModified"),
        sections=tuple(Section(s["heading"], tuple(s["paragraphs"])) for s in document.get("sections", ())),
        bottom_line=document.get("bottomLine"),
        sources=tuple(
            Source(s["title"], s["url"], s.get("publisher"), s.get("date")) for s in document.get("sources", ())
        ),
        related_questions=tuple(document.get("relatedQuestions", ())),
        tags=tuple(document.get("tags", ())),
        image=Image(image["url"], image.get("alt", "")) if image else None,
        corrections=tuple(Correction(c["date"], c["note"]) for c in document.get("corrections", ())),
        status=document.get("status", "draft"),
        retraction=Retraction(retraction["reason"], retraction.get("date")) if retraction else None,
        translations=tuple(document.get("translations", ())),
        description=document.get("description"),
        original_url=document.get("originalUrl"),
        original_is_canonical=document.get("originalIsCanonical", False),
    )


def _load_claim(claim: Mapping[str, Any]) -> Claim:
    claimant = claim.get("claimant")
    return Claim(
        text=claim["text"],
        verdict=claim.get("verdict", ""),
        claimant=(
            Claimant(
                claimant["name"],
                claimant.get("type", "Person"),
                claimant.get("jobTitle"),
                tuple(claimant.get("sameAs", ())),
                claimant.get("url"),
                claimant.get("image"),
            )
            if claimant
            else None
        ),
        date=claim.get("date"),
        appearances=tuple(claim.get("appearances", ())),
        first_appearance=claim.get("firstAppearance"),
        explanation=claim.get("explanation"),
        verdict_label=claim.get("verdictLabel"),
    )
