"""What every handler needs, built once by the app factory."""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment
from starlette.requests import Request

from feed.publishing import Publishing
from feed.settings import Settings
from feed.store import Store
from schemas.publisher import Publisher


@dataclass(frozen=True)
class Context:
    settings: Settings
    store: Store
    publishers: dict[str, Publisher]
    publishing: Publishing
    templates: Environment


def context_of(request: Request) -> Context:
    ctx: Context = request.app.state.context
    return ctx
