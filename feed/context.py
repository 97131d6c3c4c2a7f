"""What every view and handler needs, built once by the app factory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from jinja2 import Environment
from starlette.requests import Request

from feed.caching import Entry
from feed.publishing import Publishing
from feed.settings import Settings
from feed.store import Store
from feed.urls import Urls
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
