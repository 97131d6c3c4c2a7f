"""Rating scales: the ordered verdict labels a publisher uses.

A scale is configured per publisher in the settings file. Each label has a
numeric value (or none, for verdicts such as "Unproven" that sit outside the
true/false axis), a badge colour and a normalised category, so that feeds and
aggregators can compare verdicts across publishers with different wording.

A label may carry its words in other languages (`translations`, keyed by BCP 47
language tag). A verdict is written in any of them and stored as the label itself;
what a reader sees is the label in the fact-check's (or the card's) language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from schemas.document import LANGUAGE_TAG
from schemas.errors import FieldError, ValidationError

CATEGORIES = (
    "true",
    "mostly-true",
    "mixed",
    "misleading",
    "mostly-false",
    "false",
    "unproven",
    "other",
)

_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class RatingLabel:
    label: str
    value: int | None
    colour: str
    category: str
    # (language tag, words) pairs, tags lowercased, in the order the settings give them.
    translations: tuple[tuple[str, str], ...] = ()

    def translation_tag(self, tag: str) -> str | None:
        """The tag of the label's translation for BCP 47 language `tag`: its exact tag, else its
        main subtag; None when the label has no words in that language."""
        wanted = tag.strip().lower()
        given = {key for key, _ in self.translations}
        return next((key for key in (wanted, wanted.split("-")[0]) if key in given), None)

    def translation(self, tag: str) -> str | None:
        """The label's words in BCP 47 language `tag` (its exact tag, else its main subtag), if given."""
        key = self.translation_tag(tag)
        return dict(self.translations)[key] if key is not None else None

    def in_language(self, tag: str) -> str:
        """The label's words in BCP 47 language `tag`, falling back to the label itself."""
        return self.translation(tag) or self.label

    def names(self) -> tuple[str, ...]:
        """Every way the verdict may be written: the label, then its translations."""
        return (self.label, *(text for _, text in self.translations))


@dataclass(frozen=True)
class RatingScale:
    name: str
    best: int
    worst: int
    labels: tuple[RatingLabel, ...]
    language: str = "en"  # BCP 47: what the labels themselves are written in

    def language_of(self, label: RatingLabel, tag: str) -> str:
        """The language of `label.in_language(tag)`: the translation's tag, or the scale's."""
        return label.translation_tag(tag) or self.language

    def find(self, label: str) -> RatingLabel | None:
        """The label matching `label` in any of its languages, ignoring case and surrounding space."""
        wanted = label.strip().casefold()
        for candidate in self.labels:
            if any(name.casefold() == wanted for name in candidate.names()):
                return candidate
        return None

    def label_names(self) -> list[str]:
        return [label.label for label in self.labels]


def parse_scale(data: dict[str, Any], where: str = "scale") -> RatingScale:
    """Build a scale from settings data, naming every problem at once."""
    errors: list[FieldError] = []
    name = data.get("name")
    best, worst = data.get("best"), data.get("worst")
    if not isinstance(name, str) or not name:
        errors.append(FieldError(f"{where}.name", "is required"))
    for key, value in (("best", best), ("worst", worst)):
        if not isinstance(value, int) or isinstance(value, bool):
            errors.append(FieldError(f"{where}.{key}", "must be a whole number"))
    language = data.get("language", "en")
    if not isinstance(language, str) or not LANGUAGE_TAG.match(language):
        errors.append(FieldError(f"{where}.language", "must be a BCP 47 language tag such as 'en' or 'pt-BR'"))
    raw_labels = data.get("labels")
    if not isinstance(raw_labels, list) or not raw_labels:
        errors.append(FieldError(f"{where}.labels", "must list at least one label"))
        raw_labels = []
    labels: list[RatingLabel] = []
    seen: set[str] = set()
    words_of: dict[str, str] = {}  # each label's words in every language (casefolded) -> its label
    for index, raw in enumerate(raw_labels):
        path = f"{where}.labels[{index}]"
        if not isinstance(raw, dict):
            errors.append(FieldError(path, "must be a table"))
            continue
        label, value = raw.get("label"), raw.get("value")
        colour, category = raw.get("colour"), raw.get("category")
        if not isinstance(label, str) or not label.strip():
            errors.append(FieldError(f"{path}.label", "is required"))
            continue
        if label.casefold() in seen:
            errors.append(FieldError(f"{path}.label", f"{label!r} appears twice"))
        seen.add(label.casefold())
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            errors.append(FieldError(f"{path}.value", "must be a whole number or absent"))
            value = None
        if (
            value is not None
            and isinstance(best, int)
            and isinstance(worst, int)
            and not min(best, worst) <= value <= max(best, worst)
        ):
            errors.append(FieldError(f"{path}.value", f"{value} lies outside {worst}..{best}"))
        if not isinstance(colour, str) or not _HEX_COLOUR.match(colour):
            errors.append(FieldError(f"{path}.colour", "must be a colour such as #1a7f37"))
        if category not in CATEGORIES:
            errors.append(FieldError(f"{path}.category", f"must be one of {', '.join(CATEGORIES)}"))
        translations = _translations(raw.get("translations", {}), f"{path}.translations", errors)
        # A verdict is read back in any language, so no words may name two labels.
        named = [(f"{path}.label", label.strip())] + [(f"{path}.translations.{t}", w) for t, w in translations]
        for field, words in named:
            owner = words_of.setdefault(words.casefold(), label.strip())
            if owner.casefold() != label.strip().casefold():
                errors.append(FieldError(field, f"{words!r} already names the label {owner!r}"))
        labels.append(RatingLabel(label.strip(), value, str(colour), str(category), translations))
    if errors:
        raise ValidationError(errors)
    return RatingScale(str(name), int(best), int(worst), tuple(labels), str(language))  # type: ignore[arg-type]


def _translations(data: Any, where: str, errors: list[FieldError]) -> tuple[tuple[str, str], ...]:
    """A label's translations: language tags as keys, non-empty text as values."""
    if not isinstance(data, dict):
        errors.append(FieldError(where, 'must be a table of language tags and words, e.g. { es = "Falso" }'))
        return ()
    found: dict[str, str] = {}
    for tag, text in data.items():
        path = f"{where}.{tag}"
        if not isinstance(tag, str) or not LANGUAGE_TAG.match(tag):
            errors.append(FieldError(path, "must be keyed by a BCP 47 language tag such as 'es' or 'pt-BR'"))
            continue
        if not isinstance(text, str) or not text.strip():
            errors.append(FieldError(path, "must be the label's words in that language"))
            continue
        if tag.lower() in found:
            errors.append(FieldError(path, f"{tag!r} appears twice"))
            continue
        found[tag.lower()] = text.strip()
    return tuple(found.items())
