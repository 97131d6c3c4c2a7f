"""The problem types (RFC 9457) that have more to say than their status code: each has a page
on the site at /problems/{name}, and that page's URL is the `type` of its problem bodies.

A problem whose title is the status code's own phrase ("Not found", "Conflict") means no more
than the status, so its type is `about:blank`, as RFC 9457 section 4.2.1 has it; so is any
title not named here, so a `type` never names a page that is not there. A test checks that
every title raised in the code is either here or a status phrase.
"""

from __future__ import annotations

from dataclasses import dataclass

from widget.i18n import N_


@dataclass(frozen=True)
class ProblemType:
    title: str  # as problem bodies give it (English, for developers)
    status: int
    about: str  # what it means and what to do, from the catalogue (N_)


_PARAMETER = N_("The query parameter %(name)s has a value this address cannot use. The detail says what it takes.")
_BODY = N_(
    "The API takes one JSON object as the body of a write, sent as application/json in UTF-8 and no larger "
    "than the configured limit. The detail says which of these the request broke."
)
_PRECONDITION = N_(
    "A change to a fact-check carries If-Match with the ETag of the version last read, so that nobody "
    "overwrites an edit they have not seen. Read the fact-check again, merge your change, and send its new ETag."
)
# Query parameters whose unusable values are answered "Bad <name>" (feed.core.query, feed.site.cards, feed.api.routes,
# and the search's filters, feed.site.search).
PARAMETERS = ("cursor", "since", "lang", "theme", "claim", "page", "url", "search", "status", "maxwidth",
              "maxheight", "headline", "language", "category", "tag", "claimant", "author", "from", "to")  # fmt: skip

TYPES: dict[str, ProblemType] = {
    "invalid-fact-check": ProblemType("Invalid fact-check", 422, N_(
        "The fact-check document was refused. Each entry of errors names a field (a path such as "
        "sources[0].url) and what is wrong with it. Every problem is listed at once, so one round of fixes is "
        "enough."
    )),
    "unknown-parameter": ProblemType("Unknown parameter", 400, N_(
        "Each address takes only the query parameters listed for it. Each entry of errors names a parameter "
        "it does not take. Tracking tags such as utm_source are accepted and ignored."
    )),
    "repeated-parameter": ProblemType("Repeated parameter", 400, N_(
        "Each query parameter is given at most once. Each entry of errors names one that came more than once."
    )),
    **{f"bad-{name}": ProblemType(f"Bad {name}", 400, _PARAMETER) for name in PARAMETERS},
    "bad-host": ProblemType("Bad Host", 400, N_(
        "An HTTP/1.1 request carries exactly one Host header, naming this site. This one had none, several, "
        "or an empty one."
    )),
    "query-too-long": ProblemType("Query too long", 400, N_(
        "A search is at most 300 characters: a pasted article or paragraph finds less than its key words do. "
        "Search for the words of the claim, a name or a place."
    )),
    "nothing-to-search-for": ProblemType("Nothing to search for", 400, N_(
        "The search had no letter or digit, only punctuation or markup, which no fact-check can match. "
        "Search for a word of the claim."
    )),
    "malformed-json": ProblemType("Malformed JSON", 400, _BODY),
    "unreadable-body": ProblemType("Unreadable body", 400, _BODY),
    "body-too-large": ProblemType("Body too large", 413, _BODY),
    "request-too-large": ProblemType("Request too large", 413, _BODY),
    "unsupported-media-type": ProblemType("Unsupported media type", 415, _BODY),
    "precondition-required": ProblemType("Precondition required", 428, _PRECONDITION),
    "precondition-failed": ProblemType("Precondition failed", 412, _PRECONDITION),
    "malformed-if-match": ProblemType("Malformed If-Match", 400, _PRECONDITION),
    "unauthorized": ProblemType("Unauthorized", 401, N_(
        "Writes need an Authorization: Bearer header with a token that is neither expired nor revoked. "
        "Tokens are made on the desk, or with factcard token create."
    )),
    "not-ready": ProblemType("Not ready", 503, N_(
        "The service is running but cannot serve yet: the database does not answer, or its migrations are not "
        "current. Retry-After says when to ask again."
    )),
}  # fmt: skip
_BY_TITLE = {problem.title: name for name, problem in TYPES.items()}


def type_name(title: str) -> str | None:
    """The name of the page of the problem type titled `title`, or None: about:blank."""
    return _BY_TITLE.get(title)
