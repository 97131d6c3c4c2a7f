"""The renderer: a public URL (path and query) in, its representation out, with no Request.

The HTTP handlers (feed.site.respond), render-on-write (feed.render.cache.prerender) and the
static build (feed.build.static) all call it, so a page has one way of being made. Each route of
the URL scheme (feed.core.urls) that a reader can GET names its view here, with the query
parameters it reads; any other parameter is a 400 (feed.core.query).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.routing import compile_path

from feed.core.problems import HTTPProblem
from feed.core.query import check_names
from feed.core.urls import PATTERNS
from feed.render.context import Context
from feed.render.rendered import Rendered
from feed.site import badges, browse, cards, docpages, feeds, pages, static_files

View = Callable[[Context, Mapping[str, Any], Mapping[str, str]], Rendered]


@dataclass(frozen=True)
class Page:
    view: View
    takes: tuple[str, ...] = ()  # the query parameters it reads


VIEWS: dict[str, Page] = {
    "home": Page(pages.home, ("page", "lang")),
    "home_page": Page(pages.home, ("lang",)),
    "check_json": Page(pages.check_json),
    "share_image": Page(pages.share_image_view),
    "check": Page(pages.check_page),
    "scales_css": Page(pages.scale_css),
    "badge": Page(badges.verdict_badge),
    # A tag's, claimant's and author's pages and feeds: path forms only, so every one is a file.
    **{name: Page(view) for name, view in browse.VIEWS.items()},
    "json_feed": Page(feeds.json_feed_view, ("since", "cursor", "lang")),
    "atom_feed": Page(feeds.atom_feed_view, ("since", "cursor", "lang")),
    "sitemap": Page(feeds.sitemap_view),
    "sitemap_part": Page(feeds.sitemap_part_view),
    "sitemap_browse": Page(browse.sitemap_browse_view),
    "robots": Page(feeds.robots_view),
    "openapi": Page(pages.openapi_view),
    "problem_type": Page(docpages.problem_type_page),
    "feed_extension": Page(docpages.feed_extension_page),
    "widget_js": Page(cards.widget_js),
    "widget_manifest": Page(cards.widget_manifest),
    "widget_pinned": Page(cards.widget_pinned),
    "card": Page(cards.embed_card, ("theme", "lang", "claim")),
    "card_variant": Page(cards.embed_card),
    "card_in_language": Page(cards.embed_card),
    # oEmbed's parameters; `dnt` (do not track) is WordPress's, and changes nothing.
    "check_oembed": Page(cards.check_oembed, ("url", "format", "maxwidth", "maxheight", "dnt")),
    "oembed": Page(cards.oembed_route, ("url", "format", "maxwidth", "maxheight", "dnt")),
    "static": Page(static_files.static_view),
    "favicon": Page(static_files.favicon_view),
}


class Renderer:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        # In the scheme's order, which puts /checks/x.json before /checks/{slug}.
        self._routes = [(name, *compile_path(pattern)) for name, pattern in PATTERNS.items() if name in VIEWS]

    def render(self, path: str, query: Sequence[tuple[str, str]] = ()) -> Rendered:
        """The representation at `path` with `query`; HTTPProblem (404, 400, ...) as a reader would get it."""
        for name, regex, _, convertors in self._routes:
            match = regex.match(path)
            if match:
                params = {key: convertors[key].convert(value) for key, value in match.groupdict().items()}
                check_names(query, VIEWS[name].takes)
                return render_view(self.ctx, name, params, dict(query))
        raise HTTPProblem(404, "Not found", f"Nothing is published at {path}.")


def render_view(ctx: Context, name: str, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    """Route `name`'s representation, its path and query parameters already parsed and checked."""
    return VIEWS[name].view(ctx, params, query)
