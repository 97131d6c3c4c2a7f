"""Load the publishers and rating scales named by the settings."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from feed.core.settings import Settings
from feed.core.urls import Urls
from feed.site.badges import with_badges
from schemas.publisher import Publisher, parse_publishers

DEFAULT_CONFIG = Path(__file__).parents[1] / "default_config.toml"


def load_publishers(settings: Settings) -> dict[str, Publisher]:
    """Publishers from the configured TOML file (or the built-in one).

    Raises ValidationError naming every problem in the file.
    """
    path = Path(settings.config_file) if settings.config_file else DEFAULT_CONFIG
    with open(path, "rb") as handle:
        data: dict[str, Any] = tomllib.load(handle)
    urls = Urls(settings.base_url)
    for raw in (data.get("publishers") or {}).values():
        raw.setdefault("url", urls.home())
        if "logo" not in raw and raw["url"].rstrip("/") == settings.base_url:
            raw["logo"] = urls.static("logo.svg")
    # Ratings in ClaimReview point at the verdict badges this service serves.
    return {pid: with_badges(publisher, urls) for pid, publisher in parse_publishers(data).items()}
