"""The nginx configuration for a static build: `factcard nginx-config`.

Made from the URL scheme (feed.core.urls) and the same settings and policies the service uses,
so the files nginx serves carry the headers factcard would send for them; deploy/nginx.conf
is this output for an example origin (a test keeps it current).
"""

from __future__ import annotations

import re

from jinja2 import Environment, PackageLoader, StrictUndefined

from feed.core.security import PAGE_CSP
from feed.core.urls import BROWSE_KINDS, PATTERNS, api_root, desk_root
from feed.render.caching import cache_control
from feed.render.context import Context
from feed.site.cards import EVERGREEN, OEMBED_CACHE_AGE
from feed.site.static_files import IMMUTABLE, PLAIN
from widget.card import THEMES, card_assets


def pattern_regex(name: str) -> str:
    """Route `name` as a PCRE for nginx: each placeholder a named group of one path segment."""
    pattern = PATTERNS[name]
    out, position = [], 0
    for match in re.finditer(r"\{(\w+)(?::int)?\}", pattern):
        out.append(re.escape(pattern[position : match.start()]))
        number = match.group(0).endswith(":int}")
        out.append(f"(?<{match[1]}>{'[0-9]+' if number else '[^/.?]+'})")
        position = match.end()
    out.append(re.escape(pattern[position:]))
    return "".join(out).replace(r"\-", "-")


def prefix(name: str) -> str:
    """The literal start of route `name`, up to its first placeholder."""
    return PATTERNS[name].split("{")[0]


def browse_page_links() -> list[tuple[str, str]]:
    """(regex, the JSON Feed its Link header names) of each browse page route."""
    return [(pattern_regex(name), PATTERNS[f"{kind}_json_feed"].replace("{key}", "$key"))
            for kind in BROWSE_KINDS for name in (kind, f"{kind}_page")]  # fmt: skip


def browse_feed_names() -> list[str]:
    return [f"{kind}_{form}_feed" for kind in BROWSE_KINDS for form in ("json", "atom")]


def nginx_config(ctx: Context, root: str, upstream: str, listen: str = "80") -> str:
    from feed.site.badges import CONTROL as BADGE_CONTROL

    settings = ctx.settings
    # Not HTML: nothing to escape, and every value comes from the settings and this code.
    environment = Environment(
        loader=PackageLoader("feed", "templates"), autoescape=False, undefined=StrictUndefined,  # noqa: S701
        trim_blocks=True, lstrip_blocks=False, keep_trailing_newline=True,
    )  # fmt: skip
    _, _, card_csp = card_assets(ctx.templates)
    hub = f', <{settings.websub_hub}>; rel=\\"hub\\"' if settings.websub_hub else ""
    return environment.get_template("nginx.conf").render(
        root=root,
        upstream=upstream,
        listen=listen,
        origin=settings.base_url,
        paths=PATTERNS,
        api_root=api_root(),
        desk_root=desk_root(),
        static_prefix=prefix("static"),
        card_prefix=prefix("card"),
        themes="|".join(THEMES),
        check_prefix=prefix("check"),
        check_re=pattern_regex("check"),
        check_json_re=pattern_regex("check_json"),
        home_page_re=pattern_regex("home_page"),
        widget_pinned=pattern_regex("widget_pinned"),
        badge=pattern_regex("badge"),
        check_oembed=pattern_regex("check_oembed"),
        # Each browse page names its JSON Feed; each browse feed names itself.
        browse_pages=browse_page_links(),
        browse_feeds=[(pattern_regex(name), PATTERNS[name].replace("{key}", "$key")) for name in browse_feed_names()],
        browse_json_feeds=[pattern_regex(f"{kind}_json_feed").replace("(?<key>", "(?:") for kind in BROWSE_KINDS],
        immutable=IMMUTABLE,
        plain=PLAIN,
        widget_js=EVERGREEN,
        badge_control=BADGE_CONTROL,
        oembed_age=OEMBED_CACHE_AGE,
        cache_control=cache_control(settings.cache_max_age, settings.cache_stale_while_revalidate),
        card_csp=card_csp,
        page_csp=PAGE_CSP,
        hub_link=hub,
        max_body=settings.max_body_bytes,
        keepalive_timeout=max(1, settings.header_timeout // 2),
    )
