"""The validator's problems in the editor's words: each names its field as the form labels it
("Section 1, paragraph 2", "Source 3, Web address"), in the desk's language, and says which
form field it belongs beside.

The validator (schemas/) speaks of document paths (`sections[0].paragraphs[1]`) in English,
for the API; here each message it can give is matched to a catalogue message, and its path to
a form field and a label. A message not matched here is still shown, after its field's label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from feed.desk.editorform import LABELS, ROW_LABELS
from schemas.document import FACTCHECK, LIST, LONG_TEXT, OBJECT, Field, Shape
from schemas.errors import FieldError
from schemas.formfields import CHECKED, row_numbers
from widget.i18n import N_, Messages

# The validator's English messages (schemas/validation.py, rules.py, urls.py, text.py) and what
# the editor says instead; %(field)s is the field's label, the others come from the match.
MESSAGES = (
    (r"is required", N_("%(field)s is required.")),
    (r"must be a year \(2022\)", N_("%(field)s must be a year, a month or a day: 2022, 2022-10 or 2022-10-30.")),
    (r"must be a date \(", N_("%(field)s must be a date, such as 2025-10-30.")),
    (r"must be at most (?P<limit>\d+) characters", N_("%(field)s is too long: at most %(limit)s characters.")),
    (r"should be short: at most (?P<limit>\d+) characters",
     N_("%(field)s is too long for search results: at most %(limit)s characters.")),
    (r"must hold at least one paragraph", N_("%(field)s needs at least one paragraph.")),
    (r"must hold at least one claim", N_("%(field)s needs at least one claim.")),
    (r"must have at most (?P<limit>\d+) items", N_("%(field)s may hold at most %(limit)s items.")),
    (r"(must be an http|is not a valid URL|must name a host|must not contain spaces)",
     N_("%(field)s must be a whole web address, such as https://example.org/page.")),
    (r"must be lowercase letters", N_("%(field)s may hold only lowercase letters, digits and single hyphens.")),
    (r"cannot change", N_("%(field)s cannot change once the fact-check is saved.")),
    (r"must be a BCP 47", N_("%(field)s must be a language, such as en or pt-BR.")),
    (r"'(?P<verdict>.+)' is not on the",
     N_("%(field)s: %(verdict)s is not on this publisher's scale; choose a verdict from the list.")),
    (r"should state the claim, not the verdict '(?P<verdict>.+)'",
     N_("%(field)s gives the verdict away (%(verdict)s): state the claim as it was made.")),
    (r"applies to a Person", N_("%(field)s applies to a person, not to an organization.")),
    (r"contains (?P<what>.+)", N_("%(field)s contains a character that cannot be published: %(what)s.")),
    (r"must be the slug of a fact-check", N_("%(field)s must be the address (slug) of a fact-check.")),
    (r"needs originalUrl", N_("%(field)s: give the original article's address too.")),
)  # fmt: skip
MATCHERS = tuple((re.compile(pattern), message) for pattern, message in MESSAGES)
CITES = re.compile(r"cites \[(?P<number>\d+)\] but there are (?P<count>\d+) sources")
OTHERWISE = N_("%(field)s: %(problem)s")
JOINED = N_("%(outer)s, %(inner)s")  # a field inside another: "Section 1, Heading"
PARAGRAPH = N_("paragraph %(number)s")
LINE = N_("line %(number)s")  # an item of a list typed one per line
# What a ClaimReview rule's path (`claimReview[0].reviewRating`) is about, in claim `[0]`'s form.
REVIEW_FIELDS = {"claimReviewed": "text", "itemReviewed": "text", "reviewRating": "verdict"}
CORRECTION_NOTE = N_("Correction note, shown to readers (leave empty for an edit that corrects nothing)")
RETRACTION_REASON = N_("Why it is retracted (shown to readers)")  # the retract form's own label
PATH_PART = re.compile(r"([A-Za-z_]+)((?:\[\d+\])*)")


@dataclass(frozen=True)
class Notice:
    """One problem as the editor shows it."""

    field: str  # the form field it belongs beside (`sections.0.paragraphs`); "" for none
    label: str  # the field as the form labels it: "Section 1, paragraph 2"
    message: str  # the whole sentence, label included, in the desk's language


def notices(errors: Iterable[FieldError], fields: Mapping[str, str], t: Messages) -> list[Notice]:
    """`errors` in the editor's words, each once, for the form holding `fields`."""
    found: dict[tuple[str, str], Notice] = {}
    errors = list(errors)
    cited: dict[str, tuple[set[int], int]] = {}  # a field's numbers cited with no source: one sentence
    for error in errors:
        citation = CITES.fullmatch(error.message)
        if citation:
            numbers, _ = cited.setdefault(error.field, (set(), int(citation["count"])))
            numbers.add(int(citation["number"]))
    for error in errors:
        path = _review_path(error.field, fields)
        if path is None:
            continue
        name, label = _locate(path, fields, t)
        if error.field in cited:
            numbers, count = cited[error.field]
            message = t.ngettext(
                "%(field)s cites %(numbers)s, but there is %(num)s source.",
                "%(field)s cites %(numbers)s, but there are %(num)s sources.",
                count, field=label, numbers=t.join([f"[{number}]" for number in sorted(numbers)]),
            )  # fmt: skip
        else:
            message = _sentence(error.message, label, t)
        found.setdefault((name, message), Notice(name, label, message))
    return list(found.values())


def by_field(found: Iterable[Notice]) -> dict[str, str]:
    """The notices' messages by form field, several joined."""
    joined: dict[str, str] = {}
    for notice in found:
        joined[notice.field] = f"{joined[notice.field]} {notice.message}" if notice.field in joined else notice.message
    return joined


def _sentence(message: str, label: str, t: Messages) -> str:
    for pattern, text in MATCHERS:
        found = pattern.match(message)
        if found:
            return t.gettext(text, field=label, **found.groupdict())
    return t.gettext(OTHERWISE, field=label, problem=message)


def _review_path(path: str, fields: Mapping[str, str]) -> str | None:
    """A ClaimReview rule's path as the document path it is about (`claimReview[0].reviewRating`
    -> `claims[0].verdict`); None for what the form cannot change (the date publishing sets). The
    review's url is the page's (its slug), or the original article when that stays canonical."""
    found = re.match(r"^claimReview\[(\d+)\]\.?([A-Za-z]*)", path)
    if not found:
        return path
    claim, key = found[1], found[2]
    if key == "datePublished":
        return None
    if key == "url":
        return "originalUrl" if fields.get("originalIsCanonical") == CHECKED else "slug"
    if key in ("author", "publisher"):
        return "publisher"
    return f"claims[{claim}].{REVIEW_FIELDS.get(key, 'text')}"


def _locate(path: str, fields: Mapping[str, str], t: Messages) -> tuple[str, str]:
    """(form field, label) of a document path such as `sources[2].url` or `tags[3]`."""
    if path.startswith("corrections"):  # the log is not in the form; the new note is
        return "correction", _short(t.gettext(CORRECTION_NOTE))
    if path == "reason" or path.startswith("retraction"):  # typed in the retract form, not in the editor's fields
        return "reason", _short(t.gettext(RETRACTION_REASON))
    shape: Shape | None = FACTCHECK
    names: list[str] = []
    label = ""
    for key, indexes in PATH_PART.findall(path):
        each = _field(shape, key)
        if each is None:
            return ".".join([*names, key]), _join(label, key, t)
        names.append(key)
        numbers = [int(number) for number in re.findall(r"\d+", indexes)]
        shown = _short(t.gettext(LABELS.get(key, key)))
        if each.kind == LIST and each.shape is not None and numbers and len(names) == 1:
            # The document's row i is the form's i-th row that is not blank.
            rows = row_numbers(fields, key)
            kept = [number for number in rows if not _blank(fields, f"{key}.{number}.")]
            row = kept[numbers[0]] if numbers[0] < len(kept) else numbers[0]
            position = rows.index(row) + 1 if row in rows else numbers[0] + 1
            names.append(str(row))
            label = _join(label, t.gettext(ROW_LABELS.get(key, key + " %(number)s"), number=str(position)), t)
        elif each.kind == LIST and each.shape is None and numbers:
            item = PARAGRAPH if each.item == LONG_TEXT else LINE
            outer = label if each.item == LONG_TEXT else _join(label, shown, t)  # "Section 1, paragraph 2"
            label = _join(outer, t.gettext(item, number=str(numbers[0] + 1)), t)
        else:
            label = _join(label, shown, t)
        shape = each.shape if each.kind in (LIST, OBJECT) else None
    return ".".join(names), label


def _blank(fields: Mapping[str, str], prefix: str) -> bool:
    return not any(value.strip() for key, value in fields.items() if key.startswith(prefix))


def _field(shape: Shape | None, key: str) -> Field | None:
    try:
        return shape[key] if shape is not None else None
    except KeyError:
        return None


def _join(outer: str, inner: str, t: Messages) -> str:
    return t.gettext(JOINED, outer=outer, inner=inner) if outer else inner


def _short(label: str) -> str:
    """A form label without its instructions: "Paragraphs (a blank line between paragraphs)" -> "Paragraphs"."""
    return re.sub(r"\s*\([^()]*\)\s*$", "", label) or label
