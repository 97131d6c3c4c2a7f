"""The Jinja2 environment: autoescaped templates are the only source of HTML."""

from __future__ import annotations

from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from schemas.jsonld import script_safe_json


def _ldjson(value: Any) -> Markup:
    # Safe to mark: script_safe_json leaves no <, > or & for the HTML parser to see.
    return Markup(script_safe_json(value))  # noqa: S704


def make_environment(**globals_: Any) -> Environment:
    environment = Environment(
        # The service's pages and the card's templates, one environment.
        loader=ChoiceLoader([PackageLoader("feed", "templates"), PackageLoader("widget", "templates")]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["ldjson"] = _ldjson
    environment.globals.update(globals_)
    return environment
