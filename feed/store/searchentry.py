"""What the search index keeps of a fact-check: its text by field, and the facets readers filter
and browse by (tags, claimants, authors, verdict categories).

Fields are ranked apart: the claims first, then the headline, then the short labels (tags,
claimants, authors, verdict labels), then the body. Facets are keyed by the slug of their name, so
`/claimants/{key}` reads the same in every log; a name with nothing to transliterate gets a
key from its digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from feed.words.analysis import text_terms
from schemas.markdown import plain_text
from schemas.slugs import slug_of

FIELDS = ("claim", "headline", "labels", "body")  # in rank order: the index's columns
FACET_KINDS = ("tag", "claimant", "author", "category")


@dataclass(frozen=True)
class Facet:
    kind: str  # tag | claimant | author | category
    key: str  # what the browse page's address holds
    label: str  # the name as written
    category: str | None = None  # a claimant's: the verdict category of that claim
    position: int = 0  # which claim, for claimants and categories


def facet_key(name: str) -> str:
    """The address key of a tag, claimant or author name: its slug, or a digest of it."""
    key = slug_of(name.strip())
    return key or "n-" + hashlib.sha256(name.strip().casefold().encode()).hexdigest()[:12]


def field_texts(document: dict[str, Any]) -> dict[str, list[str]]:
    """Each field's texts, as plain text (Markdown and citation markers taken out)."""
    claims = [c for c in document.get("claims") or () if isinstance(c, dict)]
    labels = [*(document.get("tags") or ())]
    labels += [
        c["claimant"]["name"] for c in claims if isinstance(c.get("claimant"), dict) and c["claimant"].get("name")
    ]
    labels += [a["name"] for a in document.get("authors") or () if isinstance(a, dict) and a.get("name")]
    if document.get("status") == "published":  # a retraction's old verdicts are found by no one
        labels += [c.get("verdictLabel") or c.get("verdict") or "" for c in claims]
    body = [document.get("summary") or ""]
    body += [c.get("explanation") or "" for c in claims]
    for section in document.get("sections") or ():
        body += [section.get("heading") or "", *(section.get("paragraphs") or ())]
    body += [document.get("bottomLine") or "", *(document.get("relatedQuestions") or ())]
    return {
        "claim": [c.get("text") or "" for c in claims],
        "headline": [document.get("headline") or ""],
        "labels": [str(label) for label in labels],
        "body": [plain_text(str(text)) for text in body if text],
    }


def field_terms(document: dict[str, Any]) -> dict[str, list[frozenset[str]]]:
    """Each field's words as terms (feed.words.analysis), a position per word."""
    language = document.get("language")
    return {
        name: [terms for text in texts for terms in text_terms(text, language)]
        for name, texts in field_texts(document).items()
    }


def facets_of(document: dict[str, Any], categories: Sequence[str]) -> Iterator[Facet]:
    """The facets of `document`, whose claims' verdicts fall in `categories` (claim order).

    A retracted fact-check keeps its tags, claimants and authors (its notice is found by them) but
    no verdict category: its old verdicts are no longer anyone's record.
    """
    public_verdicts = document.get("status") == "published"
    seen: set[tuple[str, str, int]] = set()

    def once(facet: Facet) -> Iterator[Facet]:
        if (facet.kind, facet.key, facet.position) not in seen:
            seen.add((facet.kind, facet.key, facet.position))
            yield facet

    for tag in document.get("tags") or ():
        if isinstance(tag, str) and tag.strip():
            yield from once(Facet("tag", facet_key(tag), tag.strip()))
    for author in document.get("authors") or ():
        if isinstance(author, dict) and isinstance(author.get("name"), str) and author["name"].strip():
            yield from once(Facet("author", facet_key(author["name"]), author["name"].strip()))
    for position, claim in enumerate(c for c in document.get("claims") or () if isinstance(c, dict)):
        category = categories[position] if position < len(categories) and public_verdicts else None
        claimant = claim.get("claimant")
        if isinstance(claimant, dict) and isinstance(claimant.get("name"), str) and claimant["name"].strip():
            name = claimant["name"].strip()
            yield from once(Facet("claimant", facet_key(name), name, category, position))
        if category is not None:
            yield from once(Facet("category", category, category, None, position))
