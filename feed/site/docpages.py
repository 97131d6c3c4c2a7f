"""Pages that say what our answers mean: each problem type (RFC 9457) and the JSON Feed's
`_claimreview` extension. Their URLs are what problem bodies give as `type` and the extension
as `about`, so each must answer a person who follows it. In the site's language, and fixed, so
the static build holds them too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from feed.core.problems import HTTPProblem
from feed.core.problemtypes import TYPES
from feed.render.caching import cache_control
from feed.render.context import Context
from feed.render.rendered import FIXED, Rendered, rendered
from widget.i18n import Messages, choose_language


def _words(ctx: Context) -> Messages:
    return Messages(choose_language(None, ctx.settings.language))


def _html(ctx: Context, body: str) -> Rendered:
    control = cache_control(ctx.settings.cache_max_age, ctx.settings.cache_stale_while_revalidate)
    return rendered(body.encode(), "text/html; charset=utf-8", None, control, scope=FIXED)


def problem_type_page(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    problem = TYPES.get(params["name"])
    if problem is None:
        raise HTTPProblem(404, "Not found", "No such problem type.")
    t = _words(ctx)
    name = problem.title.removeprefix("Bad ")  # the parameter a "Bad <name>" problem names
    about = t.gettext(problem.about, name=name) if "%(name)s" in problem.about else t.gettext(problem.about)
    body = ctx.templates.get_template("problem_type.html").render(t=t, problem=problem, about=about)
    return _html(ctx, body)


def feed_extension_page(ctx: Context, params: Mapping[str, Any], query: Mapping[str, str]) -> Rendered:
    return _html(ctx, ctx.templates.get_template("feed_extension.html").render(t=_words(ctx)))
