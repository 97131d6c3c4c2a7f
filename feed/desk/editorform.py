"""What the desk's editor form shows: every field of a fact-check, labelled in the desk's
language, with its value, its error and, for lists of objects, its rows.

The form is built from the document description (schemas/document.py) through
schemas/formfields.py, so it covers the whole model. Status, retraction and corrections are
not typed into the form: they change through the workflow (publish, correct, retract).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from schemas.document import (
    BOOLEAN,
    DATE,
    ENUM,
    FACTCHECK,
    LANGUAGE,
    LIST,
    LONG_TEXT,
    OBJECT,
    PUBLISHER,
    TEXT,
    URL,
    VERDICT,
    Field,
    Shape,
)
from schemas.formfields import CHECKED, row_numbers
from schemas.publisher import Publisher
from widget.i18n import N_, Messages, language_name, languages

# Changed by the workflow, not by typing.
WORKFLOW_FIELDS = frozenset({"status", "retraction", "corrections"})

# Labels by the field's key; a key under another object gets that object's label (below).
LABELS = {
    "slug": N_("Address (slug)"), "headline": N_("Headline"), "language": N_("Language"),
    "publisher": N_("Publisher"), "authors": N_("Authors"), "name": N_("Name"), "url": N_("Web address"),
    "sameAs": N_("Profiles elsewhere (one address per line)"), "datePublished": N_("Published on"),
    "dateModified": N_("Modified on"), "summary": N_("Executive summary"), "claims": N_("Claims"),
    "text": N_("Claim as made"), "claimant": N_("Who made the claim"), "type": N_("Person or organization"),
    "jobTitle": N_("Job title"), "date": N_("Date"), "appearances": N_("Where it appeared (one address per line)"),
    "firstAppearance": N_("Where it first appeared"), "verdict": N_("Verdict"),
    "explanation": N_("Why this verdict"), "sections": N_("Sections"), "heading": N_("Heading"),
    "paragraphs": N_("Paragraphs (a blank line between paragraphs)"), "bottomLine": N_("Bottom line"),
    "sources": N_("Sources"), "title": N_("Title"), "relatedQuestions": N_("Related questions (one per line)"),
    "tags": N_("Tags (one per line)"), "image": N_("Image"), "alt": N_("Description of the image"),
    "translations": N_("Translations (their slugs, one per line)"),
    "description": N_("Description (as the original review gave it)"), "originalUrl": N_("Original article"),
    "verdictLabel": N_("Verdict as first published"),
    "originalIsCanonical": N_("The original article stays the canonical page"),
}  # fmt: skip
ROW_LABELS = {"authors": N_("Author %(number)s"), "claims": N_("Claim %(number)s"),
              "sections": N_("Section %(number)s"), "sources": N_("Source %(number)s")}  # fmt: skip
HINTS = {
    "summary": N_("Markdown: **bold**, *italic*, [links](https://...), and [n] to cite source n."),
    "paragraphs": N_("Markdown, with [n] to cite source n."),
    "originalIsCanonical": N_(
        "Search engines, the feeds and the card then link to the original article; this page stays, "
        "as the card's fallback, and names the original article canonical."
    ),
    "slug": N_(
        "The last part of the fact-check's web address, such as bats-are-not-blind: lowercase Latin "
        "letters, digits and hyphens, proposed from the headline in any script. It cannot change once saved."
    ),
}
SOURCE_DATE_HINT = N_("A year, a month or a day: 2022, 2022-10 or 2022-10-30.")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CLAIMANT_TYPES = (("Person", N_("Person")), ("Organization", N_("Organization")))


@dataclass
class Widget:
    """One field of the form, or a list of rows of fields."""

    name: str  # the form name (`claims.0.text`), or the list's (`claims`)
    label: str
    kind: str  # input | textarea | select | checkbox | rows | group
    value: str = ""
    error: str = ""
    hint: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, shown)
    required: bool = False
    rows: list[Widget] = field(default_factory=list)  # a group per row, or the fields of a group
    input_type: str = "text"
    multiline: int = 0  # textarea rows
    warning: str = ""  # what publication will need of this field (a draft saves without it)
    max_length: int | None = None
    counted: bool = False  # shows how many characters of `max_length` are used
    # A verdict's words in each language of the language list, by option value (desk.js shows
    # the fact-check's language's words as soon as the language is chosen).
    option_words: dict[str, dict[str, str]] = field(default_factory=dict)

    def names(self) -> set[str]:
        """The form names of this widget and every one inside it."""
        return {self.name}.union(*(row.names() for row in self.rows))


def editor_form(
    fields: Mapping[str, str],
    errors: Mapping[str, str],
    t: Messages,
    publishers: Mapping[str, Publisher],
    *,
    slug_locked: bool = False,
    extra_rows: Mapping[str, int] | None = None,
    warnings: Mapping[str, str] | None = None,
) -> list[Widget]:
    """The widgets of the form holding `fields`; `errors` by form name; `extra_rows` adds blank
    rows to lists (an "add" button's effect), and an empty list shows one blank row to fill;
    `warnings` by form name, what publication will need."""
    language = fields.get("language") or "en"
    publisher = publishers.get(fields.get("publisher", "")) or next(iter(publishers.values()))
    context = _Context(fields, errors, t, publishers, publisher, language, slug_locked, dict(extra_rows or {}),
                       warnings or {})  # fmt: skip
    return context.widgets(FACTCHECK, "")


@dataclass
class _Context:
    fields: Mapping[str, str]
    errors: Mapping[str, str]
    t: Messages
    publishers: Mapping[str, Publisher]
    publisher: Publisher
    language: str
    slug_locked: bool
    extra_rows: dict[str, int]
    warnings: Mapping[str, str]

    def widgets(self, shape: Shape, prefix: str) -> list[Widget]:
        out = []
        for each in shape.fields:
            if not prefix and each.name in WORKFLOW_FIELDS:
                continue
            if not prefix and each.name == "publisher" and len(self.publishers) < 2:
                continue
            out.append(self.widget(each, prefix + each.name))
        return out

    def widget(self, each: Field, name: str) -> Widget:
        label = self.t.gettext(LABELS.get(each.name, each.name))
        hint = self.t.gettext(HINTS[each.name]) if each.name in HINTS else ""
        error = self.errors.get(name, "")
        if each.kind == OBJECT and each.shape is not None:
            return Widget(name, label, "group", error=error, rows=self.widgets(each.shape, name + "."))
        if each.kind == LIST and each.shape is not None:
            widget = self.rows(each, name, label, error)
            widget.warning = self.warnings.get(name, "")
            return widget
        value = self.fields.get(name, "")
        base = Widget(name, label, "input", value, error, hint, required=each.required)
        base.warning = self.warnings.get(name, "")
        if each.kind == TEXT and each.max_length:
            base.max_length, base.counted = each.max_length, each.name == "headline"
        if each.kind == BOOLEAN:
            # One option, what the box sends when checked; it shows checked when that is the value.
            base.kind, base.options = "checkbox", [(CHECKED, label)]
        elif each.kind == LIST:
            base.kind, base.multiline = "textarea", 8 if each.item == LONG_TEXT else 3
        elif each.kind == LONG_TEXT or (each.kind == TEXT and (each.max_length or 0) > 500):
            base.kind, base.multiline = "textarea", 5
        elif each.kind == VERDICT:
            found = self.publisher.scale.find(value) if value else None
            base.kind, base.options = "select", self.verdicts(value)
            base.value = found.label if found else value  # "Falso" selects the label it names
            base.option_words = {
                label.label: {code: label.in_language(code) for code in languages()}
                for label in self.publisher.scale.labels
            }
        elif each.kind == PUBLISHER:
            base.kind = "select"
            base.options = [(key, publisher.name) for key, publisher in self.publishers.items()]
        elif each.kind == ENUM and each.name == "type":
            # A blank first choice: a row left empty must submit nothing, or its type alone would
            # make it a claim missing its text (the model's default type is Person).
            base.kind, base.options = (
                "select",
                [("", "")] + [(key, self.t.gettext(shown)) for key, shown in CLAIMANT_TYPES],
            )
        elif each.kind == LANGUAGE:
            # The languages the desk has words for, each named in its own script.
            base.kind = "select"
            base.options = [(code, language_name(code)) for code in languages()]
            if value and value not in languages():
                base.options.append((value, language_name(value)))  # kept as it was written
        elif each.kind == DATE:
            if name.startswith("sources."):  # schema.org lets a source be dated by its year or month
                base.hint = self.t.gettext(SOURCE_DATE_HINT)
            elif not value or DAY.match(value):
                base.input_type = "date"  # a date-time (set by publishing) stays as text, unchanged
            if value:
                shown = self.t.date(value)
                base.hint = f"{base.hint} {shown}".strip() if shown and shown != value else base.hint
        elif each.name == "slug" and self.slug_locked:
            base.input_type = "readonly"
        elif each.kind == URL:
            base.input_type = "url"
        return base

    def rows(self, each: Field, name: str, label: str, error: str) -> Widget:
        assert each.shape is not None
        numbers = row_numbers(self.fields, name)
        # The rows as the form sent them, blank ones too: only "Add another" adds a row (one, to
        # its own list), never a save or another list's button. An empty list shows one to fill.
        blank = (0 if numbers else 1) + self.extra_rows.get(name, 0)
        next_number = (numbers[-1] + 1) if numbers else 0
        numbers += list(range(next_number, next_number + blank))
        row_label = ROW_LABELS.get(each.name, LABELS.get(each.name, each.name))
        groups = [
            Widget(f"{name}.{position}", self.t.gettext(row_label, number=str(position + 1)), "group",
                   rows=self.widgets(each.shape, f"{name}.{number}."))
            for position, number in enumerate(numbers)
        ]  # fmt: skip
        return Widget(name, label, "rows", error=error, rows=groups, required=each.required)

    def verdicts(self, value: str) -> list[tuple[str, str]]:
        """The scale's labels in the fact-check's language (the stored label is the value)."""
        options = [("", self.t.gettext("Choose a verdict"))]
        options += [(label.label, label.in_language(self.language)) for label in self.publisher.scale.labels]
        if value and all(value != key for key, _ in options) and self.publisher.scale.find(value) is None:
            options.append((value, value))  # as typed elsewhere: shown, so the error next to it makes sense
        return options
