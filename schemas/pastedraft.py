"""Turn what `schemas.paste` found in a pasted article into a document draft and notes.

The draft holds only keys `schemas.document` describes; a required value that was not found is
left out (never "") and named in a note, so validation names it too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from schemas import pastewords as words
from schemas.document import FACTCHECK, LANGUAGE_TAG, MAX_ITEMS, MAX_LONG_TEXT, MAX_SHORT_TEXT
from schemas.markdown import citation_numbers
from schemas.slugs import dated_slug, slug_of

QUOTED = 5  # lines quoted in a note
QUOTE_LENGTH = 60


class Found:
    """What was read from an article, part by part."""

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.dropped: list[str] = []
        self.left_out: list[str] = []
        self.headline: str | None = None
        self.prefixed = False
        self.guessed_language: str | None = None
        self.published: str | None = None
        self.modified: str | None = None
        self.authors: list[str] = []
        self.claim: str | None = None
        self.verdict: str | None = None
        self.lead: list[str] = []
        self.summary: list[str] = []
        self.sections: list[dict[str, Any]] = []
        self.bottom: list[str] = []
        self.bottom_candidate: int | None = None  # a section whose heading starts "Bottom line ..."
        self.sources: list[tuple[int | None, dict[str, str]]] = []
        self.questions: list[str] = []
        self.mode = "lead"  # lead, summary, section, bottom, sources, questions, after
        self.target: list[str] | None = None  # the paragraph list a hard-wrapped line may continue
        self.lines: list[str] = []  # the lines of its last paragraph so far

    def draft(self, language: str | None, today: date | None = None) -> dict[str, Any]:
        """The document draft; what is missing or guessed is added to `self.notes`. `today`, when
        given, dates the slug of a headline with nothing to transliterate."""
        notes: list[str] = []
        doc: dict[str, Any] = {}
        if self.headline:
            doc["slug"] = slug_of(self.headline)
            if not doc["slug"] and today is not None:
                doc["slug"] = dated_slug(today)
                notes.append(f"The headline has no letters for an address (slug): {doc['slug']!r} was proposed")
            elif not doc["slug"]:
                del doc["slug"]
                notes.append("No address (slug) could be made from the headline: write one")
            doc["headline"] = self.headline
        else:
            notes.append("No headline found: write one")
        doc["language"] = self.language(language, notes)
        if self.authors:
            doc["authors"] = [{"name": name} for name in self.authors]
            notes.append(f"Authors read from the byline: {', '.join(self.authors)}; check them")
        if self.published:
            doc["datePublished"] = self.published
        else:
            notes.append("No publication date found: add it")
        if self.modified:
            doc["dateModified"] = self.modified
        lead = list(self.lead)
        if self.summary:
            doc["summary"] = "\n\n".join(self.summary)
            if len(self.summary) > 1:
                notes.append(f"The summary has {len(self.summary)} paragraphs, shown as one: check it")
        elif lead:
            doc["summary"] = lead.pop(0)
            notes.append("No summary heading: the first paragraph was taken as the summary; check it")
        elif self.sections and self.sections[0]["paragraphs"]:
            first = self.sections[0]
            doc["summary"] = first["paragraphs"][0]
            notes.append(
                f"No summary: the first paragraph under {_quote(first['heading'])} was copied as the summary; "
                "write a summary"
            )
        else:
            notes.append("No summary found: write one")
        doc["claims"] = self.claims(doc.get("summary", ""), notes)
        if not doc["claims"]:
            del doc["claims"]
        sections = self.sections
        if not self.bottom and self.bottom_candidate == len(sections) - 1 and sections[-1]["paragraphs"]:
            sections, last = sections[:-1], sections[-1]  # "for policy" after "Bottom line" is not kept
            self.bottom = last["paragraphs"]
            notes.append(f"The bottom line was read under the heading {_quote(last['heading'])}: check it")
        if lead:
            sections = [{"paragraphs": lead}, *sections]
            notes.append(
                f"{len(lead)} paragraph{plural(len(lead))} before the first heading went into a first section "
                "without a heading: give it one, or move the text"
            )
        if sections:
            doc["sections"] = self.capped(sections, "sections", notes)
            for section in doc["sections"]:
                section["paragraphs"] = self.capped(section["paragraphs"], "paragraphs of a section", notes)
                if not section["paragraphs"]:
                    notes.append(
                        f"Section {_quote(section.get('heading', ''))} has no paragraphs: add them or remove it"
                    )
        if self.bottom:
            doc["bottomLine"] = "\n\n".join(self.bottom)
            if len(self.bottom) > 1:
                notes.append(f"The bottom line has {len(self.bottom)} paragraphs, shown as one: check it")
        sources = self.ordered_sources(notes)
        if sources:
            doc["sources"] = self.capped(sources, "sources", notes)
        if self.questions:
            doc["relatedQuestions"] = self.capped(self.questions, "related questions", notes)
        self.check_citations(doc, notes)
        self.check_lengths(doc, notes)
        if self.dropped:
            notes.append(
                self.quoted(
                    f"Dropped {len(self.dropped)} line{plural(len(self.dropped))} that looked like site furniture",
                    self.dropped,
                )
            )
        if self.left_out:
            notes.append(
                self.quoted(
                    f"Left out {len(self.left_out)} line{plural(len(self.left_out))} after the closing lists",
                    self.left_out,
                )
            )
        self.notes.extend(notes)
        assert set(doc) <= FACTCHECK.keys
        return doc

    def language(self, given: str | None, notes: list[str]) -> str:
        if given and LANGUAGE_TAG.match(given.strip()):
            return given.strip()
        guess = self.guessed_language or "en"
        if given:
            notes.append(f"{given[:40]!r} is not a language tag: set to '{guess}'; check it")
        else:
            notes.append(f"Language not given: set to '{guess}'; check it")
        return guess

    def claims(self, summary: str, notes: list[str]) -> list[dict[str, str]]:
        text = self.claim
        if text is None and self.prefixed and self.headline:
            text = self.headline
        if text is None:
            text = _quoted_claim(summary)
            if text:
                notes.append("Claim taken from the quotation in the summary: check its wording")
        if text is None and self.headline:
            text = self.headline
            notes.append("Claim taken from the headline: write the claim as it was made")
        claim: dict[str, str] = {}
        if text:
            claim["text"] = text
        else:
            notes.append("No claim found: write the claim being checked")
        if self.verdict:
            claim["verdict"] = self.verdict
            notes.append(f"Verdict read as {self.verdict!r}: check it is a label of the scale")
        else:
            notes.append("No verdict: choose one from the scale")
        return [claim] if claim else []

    def ordered_sources(self, notes: list[str]) -> list[dict[str, str]]:
        numbers = [number for number, _ in self.sources]
        items = [item for _, item in self.sources]
        if numbers and None not in numbers and len(set(numbers)) == len(numbers):
            items = [item for _, item in sorted(self.sources, key=lambda pair: pair[0] or 0)]
            if sorted(n or 0 for n in numbers) != list(range(1, len(numbers) + 1)):
                notes.append("The source list skips numbers: sources count from 1 in order, so check the [n] markers")
        for index, item in enumerate(items, start=1):
            if "url" not in item:
                notes.append(f"Source [{index}] has no URL: add one")
            if "title" not in item:
                notes.append(f"Source [{index}] has no title: add one")
        return items

    def check_citations(self, doc: dict[str, Any], notes: list[str]) -> None:
        texts = [doc.get("summary", ""), doc.get("bottomLine", "")]
        texts += [p for section in doc.get("sections", ()) for p in section["paragraphs"]]
        cited = {number for text in texts for number in citation_numbers(text)}
        count = len(doc.get("sources", ()))
        missing = sorted(number for number in cited if not 1 <= number <= count)
        if not missing:
            return
        span = f"[{missing[0]}]" if len(missing) == 1 else f"[{missing[0]}]\u2013[{missing[-1]}]"
        if count == 0:
            notes.append(f"Cited {span} but no source list was found: add the sources")
        else:
            notes.append(f"Cited {span} but the source list has {count}: add the missing sources")

    def check_lengths(self, doc: dict[str, Any], notes: list[str]) -> None:
        too_long = [
            name
            for name, value, limit in (
                ("headline", doc.get("headline", ""), 300),
                ("summary", doc.get("summary", ""), MAX_LONG_TEXT),
                ("bottom line", doc.get("bottomLine", ""), MAX_LONG_TEXT),
            )
            if len(value) > limit
        ]
        if any(len(p) > MAX_LONG_TEXT for section in doc.get("sections", ()) for p in section["paragraphs"]):
            too_long.append("a paragraph")
        if any(len(question) > MAX_SHORT_TEXT for question in doc.get("relatedQuestions", ())):
            too_long.append("a related question")
        if too_long:
            notes.append(f"Too long to publish: {', '.join(too_long)}; shorten or split it")

    def capped(self, items: list[Any], what: str, notes: list[str]) -> list[Any]:
        if len(items) > MAX_ITEMS:
            notes.append(f"Kept the first {MAX_ITEMS} {what} of {len(items)}: a fact-check holds at most {MAX_ITEMS}")
        return items[:MAX_ITEMS]

    def quoted(self, lead: str, lines: list[str]) -> str:
        shown = ", ".join(_quote(line) for line in lines[:QUOTED])
        more = f" and {len(lines) - QUOTED} more" if len(lines) > QUOTED else ""
        return f"{lead}: {shown}{more}"


def _quote(line: str) -> str:
    line = line.strip()
    return f"'{line[:QUOTE_LENGTH]}…'" if len(line) > QUOTE_LENGTH else f"'{line}'"


def plural(count: int) -> str:
    return "" if count == 1 else "s"


def _quoted_claim(text: str) -> str | None:
    """The claim quoted after 'the claim' in `text`, with a capital first letter."""
    match = words.CLAIM_LEAD.search(text)
    if match is None:
        return None
    start = match.end()
    closing = words.QUOTES.get(text[start])
    stop = text.find(closing, start + 1, start + 302) if closing else -1
    claim = text[start + 1 : stop].strip() if stop > start else ""
    return claim[0].upper() + claim[1:] if len(claim) >= 3 else None
