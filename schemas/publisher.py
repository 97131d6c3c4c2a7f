"""Publishers: the newsrooms whose fact-checks this service publishes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from schemas.errors import FieldError, ValidationError
from schemas.ratings import RatingScale, parse_scale
from schemas.urls import url_problem

PUBLISHER_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Publisher:
    id: str
    name: str
    url: str
    logo: str | None
    scale: RatingScale


def parse_publishers(data: dict[str, Any]) -> dict[str, Publisher]:
    """Publishers from settings data: `[publishers.ID]` tables naming a `[scales.NAME]`.

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
        if scale_name not in scales:
            errors.append(FieldError(f"{where}.scale", f"no scale named {scale_name!r}"))
            continue
        publishers[pid] = Publisher(pid, str(name), str(url), logo, scales[scale_name])
    if errors:
        raise ValidationError(errors)
    return publishers
