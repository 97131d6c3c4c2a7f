"""Publishers: the newsrooms whose fact-checks this service publishes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag

from schemas.document import LANGUAGE_TAG
from schemas.errors import FieldError, ValidationError
from schemas.ratings import RatingLabel, RatingScale, parse_scale
from schemas.urls import url_problem

PUBLISHER_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Publisher:
    id: str
    name: str
    url: str
    logo: str | None
    scale: RatingScale
    same_as: tuple[str, ...] = ()  # the newsroom's profiles elsewhere (schema.org sameAs)
    # The badge image of each label of `scale`, in scale order; empty when none is served.
    # The service that serves them fills this in (see feed.site.config), so schemas needs no URLs.
    verdict_images: tuple[str, ...] = ()
    # The badge of each label in each of its translations: (language tag, image) pairs per label.
    translated_verdict_images: tuple[tuple[tuple[str, str], ...], ...] = ()
    # The language its fact-checks are in when a page imported from its archive does not say
    # (no inLanguage, no <html lang>); None: the site's language.
    language: str | None = None

    @property
    def node_id(self) -> str:
        """The JSON-LD @id of the newsroom, the same in every document that names it."""
        return urldefrag(self.url).url + "#organization"

    def verdict_image(self, label: RatingLabel, language: str | None = None) -> str | None:
        """The badge of `label`, in its words for `language` when it has some."""
        index = self.scale.labels.index(label)
        tag = label.translation_tag(language) if language else None
        if tag is not None and index < len(self.translated_verdict_images):
            translated = dict(self.translated_verdict_images[index]).get(tag)
            if translated:
                return translated
        return self.verdict_images[index] if index < len(self.verdict_images) else None


def parse_publishers(data: dict[str, Any]) -> dict[str, Publisher]:
    """Publishers from settings data: `[publishers.ID]` tables naming a `[scales.NAME]`,
    with an optional `sameAs` list of the newsroom's profile URLs.

    The first publisher listed is the default for documents that name none.
    """
    errors: list[FieldError] = []
    scales: dict[str, RatingScale] = {}
    for name, raw_scale in (data.get("scales") or {}).items():
        try:
            scales[name] = parse_scale({"name": name, **raw_scale}, where=f"scales.{name}")
        except ValidationError as exc:
            errors.extend(exc.errors)
    publishers: dict[str, Publisher] = {}
    raw_publishers = data.get("publishers") or {}
    if not raw_publishers:
        errors.append(FieldError("publishers", "at least one publisher is required"))
    for pid, raw in raw_publishers.items():
        where = f"publishers.{pid}"
        if not PUBLISHER_ID.match(pid):
            errors.append(FieldError(where, "a publisher id is lowercase letters, digits and hyphens"))
        name, url, logo = raw.get("name"), raw.get("url"), raw.get("logo")
        scale_name = raw.get("scale", "default")
        if not isinstance(name, str) or not name.strip():
            errors.append(FieldError(f"{where}.name", "is required"))
        for key, value, required in (("url", url, True), ("logo", logo, False)):
            if value is None and not required:
                continue
            problem = url_problem(value)
            if problem:
                errors.append(FieldError(f"{where}.{key}", problem))
        same_as = _urls(raw.get("sameAs", []), f"{where}.sameAs", errors)
        language = raw.get("language")
        if language is not None and (not isinstance(language, str) or not LANGUAGE_TAG.match(language)):
            errors.append(FieldError(f"{where}.language", "must be a BCP 47 language tag such as 'en' or 'pt-BR'"))
        if scale_name not in scales:
            errors.append(FieldError(f"{where}.scale", f"no scale named {scale_name!r}"))
            continue
        publishers[pid] = Publisher(pid, str(name), str(url), logo, scales[scale_name], same_as, language=language)
    if errors:
        raise ValidationError(errors)
    return publishers


def _urls(value: Any, where: str, errors: list[FieldError]) -> tuple[str, ...]:
    if not isinstance(value, list):
        errors.append(FieldError(where, "must be a list of http or https URLs"))
        return ()
    found = []
    for index, item in enumerate(value):
        problem = url_problem(item)
        if problem:
            errors.append(FieldError(f"{where}[{index}]", problem))
        else:
            found.append(str(item))
    return tuple(found)
