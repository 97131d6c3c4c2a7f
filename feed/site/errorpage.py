"""The HTML error page people see: in the language they read, the details for developers below.

Its language is the one `?lang=` names, else the first of the reader's Accept-Language that
has a catalogue, else the site's. The title and the explanation come from the catalogue by
status code; the problem's own detail (English, written for developers) follows, marked so.
"""

from __future__ import annotations

from http import HTTPStatus

from jinja2 import Environment
from starlette.requests import Request

from feed.core.problems import HTTPProblem
from widget.i18n import N_, Messages, languages, primary

TITLES = {
    400: N_("Bad request"), 403: N_("Not allowed"), 404: N_("Not found"), 405: N_("Method not allowed"),
    406: N_("Not acceptable"), 410: N_("Gone"), 413: N_("Request too large"), 414: N_("Address too long"),
    429: N_("Too many requests"), 503: N_("Service unavailable"),
}  # fmt: skip
EXPLANATIONS = {
    400: N_("This address asks for something that cannot be given; the details are below."),
    403: N_("Your account may not do this; the details are below."),
    404: N_("There is no fact-check or page at this address."),
    405: N_("This address cannot be used that way."),
    # Browsers keep what was typed in a form when their Back button returns to it.
    413: N_(
        "What you sent is larger than this site accepts. Go back: your text is still in the form. "
        "Shorten it and send it again."
    ),
    429: N_("Too many requests came from your address. Please wait a moment and try again."),
    503: N_("The service is briefly unavailable. Please try again in a moment."),
}
OTHER_TITLE = N_("Something went wrong")
OTHER_EXPLANATION = N_("This request could not be answered; the details are below.")


def reader_language(request: Request, site_language: str) -> str:
    """The catalogue for this reader: ?lang=, then Accept-Language by preference, then the site's."""
    known = languages()
    asked = request.query_params.get("lang")
    if asked and primary(asked) in known:
        return primary(asked)
    for tag in accepted_languages(request.headers.get("accept-language", "")):
        if primary(tag) in known:
            return primary(tag)
    return site_language


def accepted_languages(header: str) -> list[str]:
    """The tags of an Accept-Language header, most preferred first (q=0 left out)."""
    weighted = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def error_page(templates: Environment, problem: HTTPProblem, language: str) -> str:
    t = Messages(language)
    return templates.get_template("error.html").render(
        t=t,
        title=t.gettext(TITLES.get(problem.status, OTHER_TITLE)),
        explanation=t.gettext(EXPLANATIONS.get(problem.status, OTHER_EXPLANATION)),
        detail=_detail(problem),
    )


def _detail(problem: HTTPProblem) -> str:
    """The problem's detail, unless it only repeats the status's name ("Not Found"), which the
    page's title already says in the reader's language."""
    detail = problem.detail or ""
    try:
        phrase = HTTPStatus(problem.status).phrase
    except ValueError:
        return detail
    return "" if detail.strip().casefold() == phrase.casefold() else detail
