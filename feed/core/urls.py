"""The URL scheme: every public route named once, and every URL built from its name.

Routes, pages, feeds, the push worker, the render cache, the static build and the card's
loader (widget.js) all take their paths from PATTERNS, so a path is spelled in one place.
A pattern is a Starlette path (`{slug}`, `{number:int}`); `Urls` fills it in and puts the
configured origin in front.

Some addresses have two spellings. The dynamic server answers the query form that older
embeds and links use (`/embed/{slug}?theme=dark`, `/?page=2`); everything we hand out now
uses the path form (`/embed/{slug}/1/dark`, `/page/2`), which a file in a static build can
answer. Both give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote, urlencode

PATTERNS: dict[str, str] = {
    # Pages people read, and their machine-readable twins
    "home": "/",
    "home_page": "/page/{page:int}",
    # (Matched in this order: /checks/x.json is the twin, not a page called "x.json".)
    "check_json": "/checks/{slug}.json",
    "share_image": "/checks/{slug}.png",
    "check": "/checks/{slug}",
    # The reader's search: never cached, never indexed, never a file of the static build
    "search_json": "/search.json",
    "search": "/search",
    "scales_css": "/scales.css",
    "badge": "/verdicts/{publisher}/{index}.svg",
    # Browse pages: the public fact-checks of one tag, claimant or author (key: feed.store.searchentry.facet_key),
    # newest first, each with its own feeds (feed/site/browse.py)
    "tag": "/tags/{key}",
    "tag_page": "/tags/{key}/page/{page:int}",
    "tag_json_feed": "/tags/{key}/feed.json",
    "tag_atom_feed": "/tags/{key}/feed.atom",
    "claimant": "/claimants/{key}",
    "claimant_page": "/claimants/{key}/page/{page:int}",
    "claimant_json_feed": "/claimants/{key}/feed.json",
    "claimant_atom_feed": "/claimants/{key}/feed.atom",
    "author": "/authors/{key}",
    "author_page": "/authors/{key}/page/{page:int}",
    "author_json_feed": "/authors/{key}/feed.json",
    "author_atom_feed": "/authors/{key}/feed.atom",
    "verdict_scheme": "/verdicts",  # names the Atom category scheme of verdicts; never fetched
    # Feeds and crawlers
    "json_feed": "/feed.json",
    "atom_feed": "/feed.atom",
    "datafeed": "/claimreview.json",
    "sitemap": "/sitemap.xml",
    "sitemap_part": "/sitemap-{number:int}.xml",
    "sitemap_browse": "/browse-sitemap.xml",  # the browse pages' first pages (named in robots.txt)
    "robots": "/robots.txt",
    "openapi": "/openapi.json",
    # What the answers mean: each problem type (RFC 9457) and the JSON Feed's extension
    "problem_type": "/problems/{name}",
    "feed_extension": "/feeds/claimreview-extension",
    "indexnow_key": "/{key}.txt",  # served only when an IndexNow key is configured
    # The card
    "widget_js": "/widget.js",
    "widget_manifest": "/widget.json",
    "widget_pinned": "/widget/{digest}.js",
    "card": "/embed/{slug}",
    "card_variant": "/embed/{slug}/{claim:int}/{theme}",
    "card_in_language": "/embed/{slug}/{claim:int}/{theme}/{lang}",
    "check_oembed": "/oembed/{slug}.json",
    "oembed": "/oembed",
    # Files
    "static": "/static/{name}",
    "favicon": "/favicon.ico",
    # The publishing API
    "api_checks": "/api/checks",
    "api_check": "/api/checks/{slug}",
    "api_publish": "/api/checks/{slug}/publish",
    "api_retract": "/api/checks/{slug}/retract",
    "api_revisions": "/api/checks/{slug}/revisions",
    # Google Fact Check Tools' claims.search, answered for this archive (feed/api/claimsearch.py):
    # the colon is literal, as in Google's URL (a Starlette placeholder needs braces)
    "claims_search": "/v1alpha1/claims:search",
    # Assistants: the MCP server's Streamable HTTP endpoint (feed/assistants)
    "mcp": "/mcp",
    # The newsroom's desk: signed-in pages, never cached, never public
    "desk": "/desk",
    "desk_login": "/desk/login",
    "desk_logout": "/desk/logout",
    "desk_new": "/desk/new",
    "desk_paste": "/desk/paste",
    "desk_slug": "/desk/slug.json",  # JSON, so its problems are problem+json
    "desk_edit": "/desk/checks/{slug}/edit",
    "desk_publish": "/desk/checks/{slug}/publish",
    "desk_submit": "/desk/checks/{slug}/submit",
    "desk_request_changes": "/desk/checks/{slug}/request-changes",
    "desk_retract": "/desk/checks/{slug}/retract",
    "desk_preview": "/desk/preview",
    "desk_history": "/desk/checks/{slug}/history",
    "desk_share": "/desk/checks/{slug}/share",
    "desk_tokens": "/desk/tokens",
    "desk_token_revoke": "/desk/tokens/{key_id}/revoke",
    "desk_unshare": "/desk/checks/{slug}/unshare",
    "desk_people": "/desk/people",
    "desk_person_role": "/desk/people/{user_id:int}/role",
    "desk_person_reset": "/desk/people/{user_id:int}/reset",
    "desk_person_disable": "/desk/people/{user_id:int}/disable",
    # An archive imported from its pages' ClaimReview, and the import's progress (feed/desk/importpage.py)
    "desk_import": "/desk/import",
    "desk_import_job": "/desk/import/{job}",
    # Where a person sets their password, by a one-time link an admin gave them (feed/desk/people.py)
    "desk_set_password": "/desk/password/{secret}",
    # A draft shown outside the desk, by a link that expires (feed/desk/previewlinks.py)
    "shared_preview": "/preview/{secret}",
}


# The kinds of browse page, each with routes KIND, KIND_page, KIND_json_feed and KIND_atom_feed.
BROWSE_KINDS = ("tag", "claimant", "author")

# Operator endpoints: answered before the render cache and never kept by it (feed.ops.health).
HEALTHZ, READYZ = "/healthz", "/readyz"
HEALTH_PATHS = (HEALTHZ, READYZ)


def fill(route: str, /, **params: object) -> str:
    """The path of `route` with `params` in its placeholders (percent-encoded)."""
    name = route
    path = PATTERNS[name]
    for key, value in params.items():
        placeholder = next((p for p in (f"{{{key}}}", f"{{{key}:int}}") if p in path), None)
        if placeholder is None:
            raise KeyError(f"route {name!r} has no {key!r}")
        path = path.replace(placeholder, quote(str(value), safe=""))
    if "{" in path:
        raise KeyError(f"route {name!r} needs more than {sorted(params)}")
    return path


def api_root() -> str:
    """The path every API route starts with (/api/)."""
    return PATTERNS["api_checks"].rsplit("/", 1)[0] + "/"


def desk_root() -> str:
    """The path every desk page is at or under (/desk)."""
    return PATTERNS["desk"]


def js_template(name: str) -> str:
    """A pattern as widget.js fills it: `{claim:int}` written `{claim}`."""
    return PATTERNS[name].replace(":int}", "}")


class Urls:
    """Absolute URLs on one origin (the configured base URL, without a trailing slash)."""

    def __init__(self, base_url: str):
        self.base = base_url

    def path(self, route: str, /, **params: object) -> str:
        return fill(route, **params)

    def url(self, route: str, query: dict[str, str] | None = None, /, **params: object) -> str:
        tail = "?" + urlencode(query) if query else ""
        return self.base + fill(route, **params) + tail

    # The addresses other modules ask for most, by what they mean.

    def home(self, page: int = 1, lang: str | None = None) -> str:
        """A page of the fact-check list (of those in language `lang` and its forms, if given)."""
        query = {"lang": lang} if lang else None
        return self.url("home", query) if page <= 1 else self.url("home_page", query, page=page)

    def check(self, slug: str) -> str:
        return self.url("check", slug=slug)

    def check_json(self, slug: str) -> str:
        return self.url("check_json", slug=slug)

    def share_image(self, slug: str) -> str:
        return self.url("share_image", slug=slug)

    def check_oembed(self, slug: str) -> str:
        return self.url("check_oembed", slug=slug)

    def card(self, slug: str, claim: int = 1, theme: str = "light", lang: str | None = None) -> str:
        """The card in its path form; the defaults (claim 1, light, the fact-check's language) as /embed/{slug}."""
        if lang is not None:
            return self.url("card_in_language", slug=slug, claim=claim, theme=theme, lang=lang)
        if (claim, theme) != (1, "light"):
            return self.url("card_variant", slug=slug, claim=claim, theme=theme)
        return self.url("card", slug=slug)

    def search(self, query: Sequence[tuple[str, str]] = (), as_json: bool = False) -> str:
        """The search page (or its JSON twin) for `query`, in the order given; a name may repeat
        (category=false&category=misleading)."""
        tail = "?" + urlencode(list(query), quote_via=quote) if query else ""
        return self.base + fill("search_json" if as_json else "search") + tail

    def browse(self, kind: str, key: str, page: int = 1) -> str:
        """A page of a tag's, claimant's or author's fact-checks (`kind` in BROWSE_KINDS)."""
        return self.url(kind, key=key) if page <= 1 else self.url(f"{kind}_page", key=key, page=page)

    def browse_feed(self, kind: str, key: str, form: str) -> str:
        """The feed of a browse page: `form` "json" (JSON Feed) or "atom"."""
        return self.url(f"{kind}_{form}_feed", key=key)

    def static(self, name: str) -> str:
        return self.url("static", name=name)
