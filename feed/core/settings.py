"""The one registry of settings: name, default, environment variable and help.

It drives the CLI's global options, `factcard settings`, the app's configuration and the
manual's settings reference (docs/reference/settings.md, written by scripts/reference.py).
Each setting comes from its flag, else its environment variable, else the `[settings]` table
of the config file (FACTCARD_CONFIG), else its default.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import ip_address
from typing import Any

from feed.core.clients import parse_networks
from widget.i18n import languages, primary


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: Any
    help: str
    secret: bool = False  # shown masked by `factcard settings`

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
        "base_url", "FACTCARD_BASE_URL", "",
        "Public origin of this service, used in canonical links, JSON-LD and feeds; empty: the "
        "address `factcard serve` listens on (http://HOST:PORT), http://127.0.0.1:8000 for other commands.",
    ),
    Setting(
        "build_dir", "FACTCARD_BUILD_DIR", "",
        "Directory of the static build (`factcard build`), which every server then keeps up to date "
        "after each change; empty: no build, and the DataFeed file is kept in a private temporary directory.",
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
        "language", "FACTCARD_LANGUAGE", "en",
        "Language of the site's own pages (the home page, error pages, feed titles) when a reader asks "
        "for none with ?lang=; one of the languages with a catalogue (see Languages).",
    ),
    Setting(
        "page_size", "FACTCARD_PAGE_SIZE", 20,
        "Fact-checks per page on the home page and in API lists.",
    ),
    Setting(
        "feed_page_size", "FACTCARD_FEED_PAGE_SIZE", 50,
        "Items per page of /feed.json and /feed.atom.",
    ),
    Setting(
        "cache_max_age", "FACTCARD_CACHE_MAX_AGE", 60,
        "Seconds that browsers and CDNs may reuse a page or feed without asking again.",
    ),
    Setting(
        "cache_stale_while_revalidate", "FACTCARD_CACHE_STALE", 600,
        "Seconds a CDN may keep serving a stale copy while it revalidates in the background.",
    ),
    Setting(
        "websub_hub", "FACTCARD_WEBSUB_HUB", "",
        "WebSub hub URL to ping when the feeds change (empty: no WebSub).",
    ),
    Setting(
        "indexnow_key", "FACTCARD_INDEXNOW_KEY", "",
        "IndexNow key (8-128 letters, digits, dashes); its key file is served at /KEY.txt "
        "(empty: no IndexNow).",
    ),
    Setting(
        "indexnow_endpoint", "FACTCARD_INDEXNOW_ENDPOINT", "https://api.indexnow.org/indexnow",
        "IndexNow endpoint that receives changed page URLs.",
    ),
    Setting(
        "factcheck_tools_token", "FACTCARD_FACTCHECK_TOOLS_TOKEN", "",
        "OAuth access token for the Google Fact Check Tools pages API (scope factchecktools); "
        "empty: do not push ClaimReview markup pages.",
        secret=True,
    ),
    Setting(
        "factcheck_tools_endpoint", "FACTCARD_FACTCHECK_TOOLS_ENDPOINT",
        "https://factchecktools.googleapis.com/v1alpha1",
        "Base URL of the Fact Check Tools API.",
    ),
    Setting(
        "push_max_attempts", "FACTCARD_PUSH_MAX_ATTEMPTS", 12,
        "Delivery attempts for one push notification before it is marked failed "
        "(retries back off exponentially, up to an hour apart).",
    ),
    Setting(
        "max_connections", "FACTCARD_MAX_CONNECTIONS", 10_000,
        "`serve`: connections each worker process holds open at once; past it, new connections "
        "wait in the listen backlog.",
    ),
    Setting(
        "backlog", "FACTCARD_BACKLOG", 4096,
        "`serve`: connections the kernel queues until a worker accepts them (Linux caps it at "
        "net.core.somaxconn).",
    ),
    Setting(
        "header_timeout", "FACTCARD_HEADER_TIMEOUT", 15,
        "`serve`: seconds a client has to send a request's line and headers, counted from the "
        "connection's opening or the previous response; also the idle keep-alive limit.",
    ),
    Setting(
        "body_timeout", "FACTCARD_BODY_TIMEOUT", 30,
        "`serve`: seconds a client has to send a whole request body (slower gets 408).",
    ),
    Setting(
        "shutdown_timeout", "FACTCARD_SHUTDOWN_TIMEOUT", 10,
        "`serve`: seconds that open requests may take to finish after SIGTERM or SIGINT; then "
        "the workers are stopped and their connections cut.",
    ),
    Setting(
        "access_log", "FACTCARD_ACCESS_LOG", "stderr",
        "Where the access log goes, one JSON line per request: stderr, stdout, a file path "
        "(appended to), or off.",
    ),
    Setting(
        "metrics_token", "FACTCARD_METRICS_TOKEN", "",
        "Bearer token that Prometheus sends to scrape /metrics; empty: /metrics is off (404).",
        secret=True,
    ),
    Setting(
        "trusted_proxies", "FACTCARD_TRUSTED_PROXIES", "",
        "Comma-separated addresses or networks (10.0.0.0/8) of reverse proxies whose "
        "X-Forwarded-For names the client; empty: the connecting address is the client.",
    ),
    Setting(
        "auth_failures_per_minute", "FACTCARD_AUTH_FAILURES_PER_MINUTE", 10,
        "Failed token checks one client address may make per minute before it gets 429 "
        "(per worker process; 0: no limit).",
    ),
    Setting(
        "writes_per_minute_per_token", "FACTCARD_WRITES_PER_MINUTE_PER_TOKEN", 60,
        "API writes one token may make per minute before it gets 429 (per worker process; 0: no limit).",
    ),
    Setting(
        "writes_per_minute_per_address", "FACTCARD_WRITES_PER_MINUTE_PER_ADDRESS", 120,
        "API writes one client address may make per minute before it gets 429 "
        "(per worker process; 0: no limit).",
    ),
    Setting(
        "mcp_requests_per_minute_per_address", "FACTCARD_MCP_REQUESTS_PER_MINUTE_PER_ADDRESS", 120,
        "Requests to /mcp (each a search, a look-up or a listing by an assistant) one client address "
        "may make per minute before it gets 429 (per worker process; 0: no limit).",
    ),
)  # fmt: skip


DEFAULT_ORIGIN = "http://127.0.0.1:8000"
BY_NAME = {setting.name: setting for setting in SETTINGS}
# Where a setting's value came from, as `factcard settings` says it.
FLAG, ENVIRONMENT, CONFIG_FILE, DEFAULT = "flag", "environment", "config file", "default"


def resolve(environ: Mapping[str, str], overrides: Mapping[str, Any] | None = None) -> dict[str, tuple[Any, str]]:
    """Each setting's value before checks, and its source: flag, environment, config file, default."""
    resolved: dict[str, tuple[Any, str]] = {}
    for setting in SETTINGS:
        if overrides and overrides.get(setting.name) is not None:
            resolved[setting.name] = (overrides[setting.name], FLAG)
        elif environ.get(setting.env):
            resolved[setting.name] = (setting.parse(environ[setting.env]), ENVIRONMENT)
        else:
            resolved[setting.name] = (setting.default, DEFAULT)
    for name, value in file_settings(str(resolved["config_file"][0])).items():
        if resolved[name][1] == DEFAULT:
            resolved[name] = (value, CONFIG_FILE)
    return resolved


def file_settings(path: str) -> dict[str, Any]:
    """The `[settings]` table of the config file at `path` (none when `path` is empty), checked
    by name and type, so a typo is refused at start rather than silently ignored."""
    if not path:
        return {}
    try:
        with open(path, "rb") as handle:
            table = tomllib.load(handle).get("settings", {})
    except OSError as exc:
        raise ValueError(f"FACTCARD_CONFIG names {path!r}, which cannot be read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from None
    if not isinstance(table, dict):
        raise ValueError(f"{path}: [settings] must be a table of setting = value")
    for name, value in table.items():
        setting = BY_NAME.get(name)
        if setting is None or name == "config_file":
            raise ValueError(f"{path}: [settings] has no setting {name!r} (`factcard settings` lists them)")
        kind = type(setting.default)
        if type(value) is not kind:  # `type is`: TOML's true is not the whole number 1
            raise ValueError(f"{path}: [settings] {name} must be a {'whole number' if kind is int else 'string'}")
    return dict(table)


def served_origin(host: str, port: int) -> str:
    """The origin a server listening on host:port is reached at from this machine.

    A wildcard address names no host a reader could use, so it becomes the loopback one;
    a public deployment sets FACTCARD_BASE_URL instead.
    """
    try:
        address = ip_address(host.strip("[]"))
    except ValueError:
        return f"http://{host}:{port}"  # a host name
    if address.is_unspecified:
        address = ip_address("::1" if address.version == 6 else "127.0.0.1")
    return f"http://[{address}]:{port}" if address.version == 6 else f"http://{address}:{port}"


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build with `Settings.load` (defaults live in SETTINGS only)."""

    database_url: str
    build_dir: str
    base_url: str
    config_file: str
    max_body_bytes: int
    language: str
    page_size: int
    feed_page_size: int
    cache_max_age: int
    cache_stale_while_revalidate: int
    websub_hub: str
    indexnow_key: str
    indexnow_endpoint: str
    factcheck_tools_token: str
    factcheck_tools_endpoint: str
    push_max_attempts: int
    max_connections: int
    backlog: int
    header_timeout: int
    body_timeout: int
    shutdown_timeout: int
    access_log: str
    metrics_token: str
    trusted_proxies: str
    auth_failures_per_minute: int
    writes_per_minute_per_token: int
    writes_per_minute_per_address: int
    mcp_requests_per_minute_per_address: int

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None) -> Settings:
        """Defaults, then the config file, then environment variables, then explicit overrides (CLI flags)."""
        return cls.explain(environ, overrides)[0]

    @classmethod
    def explain(
        cls, environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
    ) -> tuple[Settings, dict[str, str]]:
        """The settings `load` gives, and where each came from (FLAG, ENVIRONMENT, CONFIG_FILE, DEFAULT)."""
        resolved = resolve(os.environ if environ is None else environ, overrides)
        values = {name: value for name, (value, _) in resolved.items()}
        values["base_url"] = str(values["base_url"] or DEFAULT_ORIGIN).rstrip("/")
        values["factcheck_tools_endpoint"] = str(values["factcheck_tools_endpoint"]).rstrip("/")
        key = values["indexnow_key"]
        if key and not re.fullmatch(r"[A-Za-z0-9-]{8,128}", key):
            raise ValueError("FACTCARD_INDEXNOW_KEY must be 8-128 letters, digits or dashes")
        values["language"] = _site_language(str(values["language"]))
        parse_networks(values["trusted_proxies"])  # a bad entry is refused at start, by name
        limits = ("auth_failures_per_minute", "writes_per_minute_per_token", "writes_per_minute_per_address",
                  "mcp_requests_per_minute_per_address")  # fmt: skip
        for name in limits:
            if values[name] < 0:
                raise ValueError(f"{name} must be 0 (no limit) or more, got {values[name]}")
        return cls(**values), {name: source for name, (_, source) in resolved.items()}

    @property
    def push_targets(self) -> tuple[str, ...]:
        """The push services configured, each an outbox target."""
        targets = []
        if self.websub_hub:
            targets.append("websub")
        if self.indexnow_key:
            targets.append("indexnow")
        if self.factcheck_tools_token:
            targets.append("factcheck-tools")
        return tuple(targets)


def _site_language(tag: str) -> str:
    if primary(tag) not in languages():
        known = ", ".join(languages())
        raise ValueError(f"FACTCARD_LANGUAGE must be a language with a catalogue ({known}), got {tag!r}")
    return primary(tag)
