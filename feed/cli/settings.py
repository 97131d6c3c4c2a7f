"""The settings on the command line: a flag for each, accepted by every subcommand but kept out
of each subcommand's --help (27 settings would bury its own few arguments), and
`factcard settings`, which prints each setting's effective value and where it came from."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from feed.core.settings import CONFIG_FILE, DEFAULT, ENVIRONMENT, FLAG, SETTINGS, Setting, Settings

# The one line each subcommand's --help gives to the settings.
NOTE = f"Settings ({SETTINGS[0].flag} and {len(SETTINGS) - 1} more) work here too: see `factcard settings`."
MASK = "********"


class CommandParser(argparse.ArgumentParser):
    """A parser whose --help ends with NOTE; its subcommands' parsers are CommandParsers too."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("epilog", NOTE)
        super().__init__(**kwargs)


def settings_parent() -> CommandParser:
    """A flag for every setting in the registry, for each subcommand to accept (help suppressed)."""
    parent = CommandParser(add_help=False)
    for setting in SETTINGS:
        parent.add_argument(
            setting.flag, dest=setting.name, type=type(setting.default), default=None, metavar=setting.env,
            help=argparse.SUPPRESS,
        )  # fmt: skip
    return parent


def add_settings_command(commands: Any, parent: argparse.ArgumentParser) -> None:
    commands.add_parser(
        "settings", parents=[parent],
        help="print every setting, its value and its source",
        description="Print every setting, its effective value and where it came from. Each setting's "
        "value comes from its flag, else its environment variable, else the [settings] table of the "
        "config file (--config-file), else its default. Secrets are masked.",
    )  # fmt: skip


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The settings given as flags (None where a flag was not given)."""
    return {s.name: getattr(args, s.name, None) for s in SETTINGS}


def settings_from(args: argparse.Namespace, served_at: str | None = None) -> Settings:
    """Settings from flags, environment and config file; `served_at` is the base URL when none names one."""
    settings = Settings.load(overrides=overrides(args))
    if served_at and not base_url_given(args):
        settings = replace(settings, base_url=served_at.rstrip("/"))
    return settings


def base_url_given(args: argparse.Namespace) -> bool:
    """Whether a flag, the environment or the config file names the base URL."""
    return Settings.explain(overrides=overrides(args))[1]["base_url"] != DEFAULT


def cmd_settings(args: argparse.Namespace) -> int:
    settings, sources = Settings.explain(overrides=overrides(args))
    rows = [("SETTING", "VALUE", "FROM")]
    for setting in SETTINGS:
        source = sources[setting.name]
        detail = {FLAG: setting.flag, ENVIRONMENT: setting.env, CONFIG_FILE: settings.config_file}.get(source)
        value = shown(setting, getattr(settings, setting.name))
        rows.append((setting.name, value, f"{source} ({detail})" if detail else source))
    width = [max(len(row[column]) for row in rows) for column in range(2)]
    for name, value, source in rows:
        sys.stdout.write(f"{name.ljust(width[0])}  {value.ljust(width[1])}  {source}\n")
    return 0


def shown(setting: Setting, value: Any) -> str:
    """A value as `factcard settings` prints it: secrets masked, as is a password in a URL."""
    text = str(value)
    if not text:
        return "(empty)"
    if setting.secret:
        return MASK
    parts = urlsplit(text)
    if parts.password:
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:{MASK}@{host}"))
    return text
