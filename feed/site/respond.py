"""HTTP handlers for the public routes: the renderer's answer, kept by the render cache."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from feed.core.query import takes
from feed.core.urls import PATTERNS
from feed.render.cache import remember
from feed.render.caching import entry_response
from feed.render.context import context_of
from feed.render.rendered import Rendered
from feed.site.renderer import VIEWS, render_view


def respond(request: Request, rendered: Rendered) -> Response:
    """Answer from `rendered` (200 or 304, in the coding asked for), keeping it when it has a scope."""
    if rendered.scope is not None:
        remember(request, rendered.entry, rendered.scope, rendered.key)
        for key in rendered.also:
            remember(request, rendered.entry, rendered.scope, key)
    return entry_response(request, rendered.entry)


def public_routes() -> list[Route]:
    """A GET route for every view, in the URL scheme's order."""

    def endpoint_of(name: str) -> Route:
        def endpoint(request: Request) -> Response:
            return respond(request, render_view(context_of(request), name, request.path_params, request.query_params))

        endpoint.__name__ = name
        return Route(PATTERNS[name], takes(*VIEWS[name].takes)(endpoint), name=name)

    return [endpoint_of(name) for name in PATTERNS if name in VIEWS]
