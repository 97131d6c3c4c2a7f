"""The one registry of settings: name, default, environment variable and help.

It drives the CLI's global options, the README's configuration table (a test
checks the README documents every setting) and the app's configuration.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: Any
    help: str

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def parse(self, raw: str) -> Any:
        if isinstance(self.default, int):
            try:
                return int(raw)
            except ValueError as exc:
                raise ValueError(f"{self.env} must be a whole number, got {raw!r}") from exc
        return raw


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "database_url", "DATABASE_URL", "sqlite:///factcard.db",
        "Where fact-checks are stored: sqlite:///PATH (a file, relative to the working "
        "directory) or postgresql://USER@HOST/DB.",
    ),
    Setting(
        "base_url", "FACTCARD_BASE_URL", "http://127.0.0.1:8000",
        "Public origin of this service, used in canonical links, JSON-LD and feeds.",
    ),
    Setting(
        "config_file", "FACTCARD_CONFIG", "",
        "TOML file with publishers and their rating scales; empty uses the built-in "
        "demo publisher and default scale.",
    ),
    Setting(
        "max_body_bytes", "FACTCARD_MAX_BODY_BYTES", 1_048_576,
        "Largest request body the publishing API accepts, in bytes (larger gets 413).",
    ),
    Setting(
        "page_size", "FACTCARD_PAGE_SIZE", 20,
        "Fact-checks per page on the home page and in API lists.",
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///factcard.db"
    base_url: str = "http://127.0.0.1:8000"
    config_file: str = ""
    max_body_bytes: int = 1_048_576
    page_size: int = 20

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None) -> Settings:
        """Defaults, then environment variables, then explicit overrides (CLI flags)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            value = setting.default
            if environ.get(setting.env):
                value = setting.parse(environ[setting.env])
            if overrides and overrides.get(setting.name) is not None:
                value = overrides[setting.name]
            values[setting.name] = value
        values["base_url"] = str(values["base_url"]).rstrip("/")
        return cls(**values)
