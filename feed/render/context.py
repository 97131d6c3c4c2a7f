"""What every view and handler needs, built once by the app factory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from jinja2 import Environment
from starlette.requests import Request

from feed.core.publishing import Publishing
from feed.core.settings import Settings
from feed.core.urls import Urls
from feed.render.caching import Entry
from feed.store import Store
from schemas.publisher import Publisher


def _nothing_kept(key: str) -> Entry | None:
    return None


@dataclass(frozen=True)
class Context:
    settings: Settings
    store: Store
    publishers: dict[str, Publisher]
    publishing: Publishing
    templates: Environment
    urls: Urls
    # The response kept under a canonical URL, for views whose URL has several spellings: the
    # render cache's lookup in the server, nothing elsewhere (a static build renders each once).
    recall: Callable[[str], Entry | None] = field(default=_nothing_kept)


def context_of(request: Request) -> Context:
    ctx: Context = request.app.state.context
    return ctx
