"""Turn an untrusted document (parsed JSON) into a FactCheck, or name every problem.

The rules here are about the data itself. Whether its ClaimReview meets the
publishing rules of search engines is `schemas.rules`.

Law and advice: a draft is held to what makes it a readable document (its shape, lengths,
safe addresses, dates); what only publication needs (every `[n]` citing a source, each claim's
verdict) is refused when the fact-check is published, not while it is written. Ask for it on a
draft by parsing the draft as published (`schemas.rules.publication_problems`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from schemas.document import (
    AUTHOR,
    CLAIM,
    CLAIMANT,
    CORRECTION,
    FACTCHECK,
    IMAGE,
    LANGUAGE_TAG,
    RETRACTION,
    SECTION,
    SLUG_PATTERN,
    SOURCE,
)
from schemas.errors import ValidationError
from schemas.fieldreader import Reader
from schemas.markdown import citation_numbers, mark_count
from schemas.model import (
    CLAIMANT_TYPES,
    STATUSES,
    Author,
    Claim,
    Claimant,
    Correction,
    FactCheck,
    Image,
    Retraction,
    Section,
    Source,
)
from schemas.publisher import Publisher

# Runs of Markdown markup characters (`*`, `[`, `]`, backticks) in a whole document. A long
# fact-check holds a few hundred; each costs some work on every rendering.
MAX_DOCUMENT_MARKS = 5_000


def parse_factcheck(document: Any, publishers: Mapping[str, Publisher], *, incoming: bool = False) -> FactCheck:
    """Validate `document` against the model and the publishers' rating scales.

    `incoming` marks a document arriving from outside (the API, an import): it is also held to
    the rules that only new text must meet (`schemas.text`). A stored document is read as it was
    accepted, so a rule added later never makes it unreadable.

    Raises ValidationError naming every problem found; returns the FactCheck otherwise.
    """
    r = Reader(incoming)
    data = r.obj(document, "", FACTCHECK)
    if data is None:
        raise ValidationError(r.errors)

    slug = r.text(data, FACTCHECK["slug"], "")
    if slug is not None and not SLUG_PATTERN.match(slug):
        r.fail("slug", "must be lowercase letters, digits and single hyphens, like 'vaccine-claim'")
    status = data.get("status", "draft")
    if status not in STATUSES:
        r.fail("status", f"must be one of {', '.join(STATUSES)}")
    r.final = status != "draft"
    headline = r.text(data, FACTCHECK["headline"], "")
    language = r.text(data, FACTCHECK["language"], "")
    if language is not None and not LANGUAGE_TAG.match(language):
        r.fail("language", "must be a BCP 47 language tag such as 'en' or 'pt-BR'")

    publisher_id = data.get("publisher") or next(iter(publishers), None)
    publisher = publishers.get(str(publisher_id)) if publisher_id is not None else None
    if publisher is None:
        r.fail("publisher", f"must name a configured publisher ({', '.join(publishers)})")

    authors = []
    for index, raw in enumerate(r.items(data, FACTCHECK["authors"], "")):
        path = f"authors[{index}]"
        item = r.obj(raw, path, AUTHOR)
        if item is not None:
            name = r.text(item, AUTHOR["name"], path)
            url = r.url(item, AUTHOR["url"], path)
            same_as = r.urls(item, AUTHOR["sameAs"], path)
            photo = r.url(item, AUTHOR["image"], path)
            job_title = r.text(item, AUTHOR["jobTitle"], path)
            if name:
                authors.append(Author(name, url, same_as, photo, job_title))

    date_published = r.moment(data, FACTCHECK["datePublished"], "")
    date_modified = r.moment(data, FACTCHECK["dateModified"], "")
    summary = r.text(data, FACTCHECK["summary"], "")
    bottom_line = r.text(data, FACTCHECK["bottomLine"], "")

    sources = []
    for index, raw in enumerate(r.items(data, FACTCHECK["sources"], "")):
        path = f"sources[{index}]"
        item = r.obj(raw, path, SOURCE)
        if item is not None:
            title = r.text(item, SOURCE["title"], path)
            url = r.url(item, SOURCE["url"], path)
            source_publisher = r.text(item, SOURCE["publisher"], path)
            when = r.moment(item, SOURCE["date"], path, partial=True)
            sources.append(Source(title or "", url or "", source_publisher, when))

    sections = []
    for index, raw in enumerate(r.items(data, FACTCHECK["sections"], "")):
        path = f"sections[{index}]"
        item = r.obj(raw, path, SECTION)
        if item is None:
            continue
        heading = r.text(item, SECTION["heading"], path)
        if SECTION["paragraphs"].required and not item.get("paragraphs"):
            r.fail(f"{path}.paragraphs", "must hold at least one paragraph")
        paragraphs = r.strings(item, SECTION["paragraphs"], path)
        sections.append(Section(heading or "", paragraphs))

    cited_texts: list[tuple[str, str]] = [("summary", summary or ""), ("bottomLine", bottom_line or "")]
    for s_index, section in enumerate(sections):
        for p_index, paragraph in enumerate(section.paragraphs):
            cited_texts.append((f"sections[{s_index}].paragraphs[{p_index}]", paragraph))
    if r.incoming and not _within_mark_budget(r, data, cited_texts):
        cited_texts = []  # reading that much markup is the very cost the budget spares
    # Every [n] marker must point at a numbered source, once the fact-check is published.
    for where, text in cited_texts if r.final else ():
        for number in citation_numbers(text):
            if not 1 <= number <= len(sources):
                r.fail(where, f"cites [{number}] but there are {len(sources)} sources")

    claims = []
    raw_claims = r.items(data, FACTCHECK["claims"], "")
    if FACTCHECK["claims"].required and not raw_claims and "claims" not in {e.field for e in r.errors}:
        r.fail("claims", "must hold at least one claim")
    for index, raw in enumerate(raw_claims):
        claim = _parse_claim(r, raw, f"claims[{index}]", publisher)
        if claim is not None:
            claims.append(claim)

    corrections = []
    for index, raw in enumerate(r.items(data, FACTCHECK["corrections"], "")):
        path = f"corrections[{index}]"
        item = r.obj(raw, path, CORRECTION)
        if item is not None:
            when = r.moment(item, CORRECTION["date"], path)
            note = r.text(item, CORRECTION["note"], path)
            corrections.append(Correction(when or "", note or ""))

    image = None
    if data.get("image") is not None:
        item = r.obj(data["image"], "image", IMAGE)
        if item is not None:
            url = r.url(item, IMAGE["url"], "image")
            alt = r.text(item, IMAGE["alt"], "image") or ""
            image = Image(url, alt) if url else None

    retraction = None
    if data.get("retraction") is not None:
        item = r.obj(data["retraction"], "retraction", RETRACTION)
        if item is not None:
            reason = r.text(item, RETRACTION["reason"], "retraction")
            when = r.moment(item, RETRACTION["date"], "retraction")
            retraction = Retraction(reason or "", when)
    if status == "retracted" and retraction is None and not any(e.field.startswith("retraction") for e in r.errors):
        r.fail("retraction", "a retracted fact-check needs a retraction with a reason")
    if status != "retracted" and data.get("retraction") is not None:
        r.fail("retraction", "only a retracted fact-check has a retraction")

    related_questions = r.strings(data, FACTCHECK["relatedQuestions"], "")
    tags = r.strings(data, FACTCHECK["tags"], "")
    translations = _translations(r, data, slug)
    description = r.text(data, FACTCHECK["description"], "")
    original_url = r.url(data, FACTCHECK["originalUrl"], "")
    original_is_canonical = r.boolean(data, FACTCHECK["originalIsCanonical"], "")
    if original_is_canonical and data.get("originalUrl") is None:
        r.fail("originalIsCanonical", "needs originalUrl: the address of the original article that stays canonical")
    if r.errors:
        raise ValidationError(r.errors)
    assert publisher is not None and slug and headline and language and summary
    return FactCheck(
        slug=slug,
        headline=headline,
        language=language,
        publisher=publisher.id,
        summary=summary,
        claims=tuple(claims),
        authors=tuple(authors),
        date_published=date_published,
        date_modified=date_modified,
        sections=tuple(sections),
        bottom_line=bottom_line,
        sources=tuple(sources),
        related_questions=related_questions,
        tags=tags,
        image=image,
        corrections=tuple(corrections),
        status=str(status),
        retraction=retraction,
        translations=translations,
        description=description,
        original_url=original_url,
        original_is_canonical=original_is_canonical,
    )


def _translations(r: Reader, data: Mapping[str, Any], slug: str | None) -> tuple[str, ...]:
    """The slugs of the fact-check's translations: each a slug, named once, not its own."""
    out: list[str] = []
    for index, item in enumerate(r.items(data, FACTCHECK["translations"], "")):
        where = f"translations[{index}]"
        if not isinstance(item, str) or not SLUG_PATTERN.match(item) or len(item) > 120:
            r.fail(where, "must be the slug of a fact-check, like 'vaccine-claim-es'")
        elif item == slug:
            r.fail(where, "names this fact-check itself; list the slugs of its translations")
        elif item in out:
            r.fail(where, f"names {item!r} twice")
        else:
            out.append(item)
    return tuple(out)


def _within_mark_budget(r: Reader, data: Mapping[str, Any], texts: list[tuple[str, str]]) -> bool:
    """False, naming the field that goes over, when the Markdown holds more than MAX_DOCUMENT_MARKS runs."""
    texts = list(texts)
    claims = data.get("claims")
    for index, claim in enumerate(claims if isinstance(claims, list) else []):
        if isinstance(claim, Mapping) and isinstance(claim.get("explanation"), str):
            texts.append((f"claims[{index}].explanation", claim["explanation"]))
    total = 0
    for where, text in texts:
        total += mark_count(text)
        if total > MAX_DOCUMENT_MARKS:
            r.fail(where, f"takes the document past {MAX_DOCUMENT_MARKS} runs of Markdown markup (*, [, ], `)")
            return False
    return True


_DRAFT_VERDICT = replace(CLAIM["verdict"], required=False)  # chosen before publication


def _parse_claim(r: Reader, raw: Any, path: str, publisher: Publisher | None) -> Claim | None:
    item = r.obj(raw, path, CLAIM)
    if item is None:
        return None
    text = r.text(item, CLAIM["text"], path)
    verdict = r.text(item, CLAIM["verdict"] if r.final else _DRAFT_VERDICT, path)
    verdict_label = r.text(item, CLAIM["verdictLabel"], path)
    if verdict_label is not None:
        verdict_label = verdict_label.strip()
    if verdict and verdict_label and verdict.strip() == verdict_label:
        found = publisher.scale.find(verdict) if publisher is not None else None
        verdict = found.label if found else verdict_label  # off the scale: its category is "other"
    elif verdict and publisher is not None and publisher.scale.find(verdict) is None:
        labels = ", ".join(publisher.scale.label_names())
        r.fail(f"{path}.verdict", f"{verdict!r} is not on the {publisher.scale.name!r} scale ({labels})")
    elif verdict and publisher is not None:
        found = publisher.scale.find(verdict)
        verdict = found.label if found else verdict
    claimant = None
    if item.get("claimant") is not None:
        c_path = f"{path}.claimant"
        c_item = r.obj(item["claimant"], c_path, CLAIMANT)
        if c_item is not None:
            name = r.text(c_item, CLAIMANT["name"], c_path)
            kind = c_item.get("type", "Person")
            if kind not in CLAIMANT_TYPES:
                r.fail(f"{c_path}.type", "must be Person or Organization")
            job_title = r.text(c_item, CLAIMANT["jobTitle"], c_path)
            if job_title and kind == "Organization":
                r.fail(f"{c_path}.jobTitle", "applies to a Person, not an Organization")
            same_as = r.urls(c_item, CLAIMANT["sameAs"], c_path)
            url = r.url(c_item, CLAIMANT["url"], c_path)
            image = r.url(c_item, CLAIMANT["image"], c_path)
            if name:
                claimant = Claimant(name, str(kind), job_title, same_as, url, image)
    return Claim(
        text=text or "",
        verdict=verdict or "",
        claimant=claimant,
        date=r.moment(item, CLAIM["date"], path),
        appearances=r.urls(item, CLAIM["appearances"], path),
        first_appearance=r.url(item, CLAIM["firstAppearance"], path),
        explanation=r.text(item, CLAIM["explanation"], path),
        verdict_label=verdict_label,
    )
