"""URL checks: only absolute http and https URLs are accepted anywhere.

A URL stored in a document is also one that RFC 3986 allows (checked by the `rfc3986`
library), because our JSON says `format: uri` and consumers that validate it refuse anything
else. Links inside Markdown text are only checked for their scheme and host: they become
escaped `href`s and never reach a `uri` field.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from rfc3986 import exceptions, misc, validators
from rfc3986.uri import URIReference

MAX_URL_LENGTH = 2048
_ASCII_VISIBLE = "".join(map(chr, range(0x21, 0x7F)))  # left as they are when an IRI becomes a URI
# Every component is checked against RFC 3986's grammar; a host is required (http and https).
_RFC3986 = (
    validators.Validator()
    .require_presence_of("scheme", "host")
    .check_validity_of("scheme", "userinfo", "host", "port", "path", "query", "fragment")
)


def link_problem(value: object) -> str | None:
    """Why `value` is not an http or https URL with a host, or None when it is."""
    if not isinstance(value, str) or not value:
        return "must be an http or https URL"
    if len(value) > MAX_URL_LENGTH:
        return f"must be at most {MAX_URL_LENGTH} characters"
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        return "must not contain spaces or control characters"
    try:
        parts = urlsplit(value)
    except ValueError:
        return "is not a valid URL"
    if parts.scheme.lower() not in ("http", "https"):
        scheme = parts.scheme or "no scheme"
        return f"must be an http or https URL (got {scheme})"
    if not parts.hostname:
        return "must name a host"
    return None


def url_problem(value: object) -> str | None:
    """Why `value` is not an acceptable URL (http or https, and valid by RFC 3986), or None."""
    problem = link_problem(value)
    if problem is not None:
        return problem
    assert isinstance(value, str)
    return rfc3986_problem(value)


def incoming_url(value: object) -> tuple[object, str | None]:
    """A URL arriving in a document: `value` as it is kept (an IRI becomes its URI), and why it
    is not acceptable (url_problem), or None."""
    if isinstance(value, str):
        value = as_uri(value)
    return value, url_problem(value)


def as_uri(value: str) -> str:
    """An IRI as its URI (RFC 3987 3.1), as a browser sends it: characters outside ASCII in the
    path, query and fragment percent-encoded as UTF-8, a host in Unicode as IDNA (xn--).

    People paste addresses as a browser shows them (an Arabic Wikipedia page, a Hindi news site);
    `value` is returned unchanged when it is ASCII already or its host cannot be converted.
    """
    if value.isascii():
        return value
    split = misc.URI_MATCHER.match(value)
    assert split is not None  # Appendix B's expression matches every string
    authority = split["authority"]
    if authority is not None and not authority.isascii():
        userinfo, at, hostport = authority.rpartition("@")
        host, colon, port = hostport.partition(":") if not hostport.startswith("[") else (hostport, "", "")
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return value  # the check names the fault
        authority = f"{quote(userinfo, safe=_ASCII_VISIBLE)}{at}{host}{colon}{port}"
    scheme, path, query, fragment = split["scheme"], split["path"], split["query"], split["fragment"]
    return "".join([
        f"{scheme}:" if scheme is not None else "",
        f"//{authority}" if authority is not None else "",
        quote(path, safe=_ASCII_VISIBLE),
        f"?{quote(query, safe=_ASCII_VISIBLE)}" if query is not None else "",
        f"#{quote(fragment, safe=_ASCII_VISIBLE)}" if fragment is not None else "",
    ])  # fmt: skip


def rfc3986_problem(value: str) -> str | None:
    """Why `value` is not a URI by RFC 3986, naming the parts at fault, or None when it is."""
    if not value.isascii():
        return "is not a valid URL (RFC 3986): characters outside ASCII must be percent-encoded (%C3%A9 for é)"
    # Split by RFC 3986 Appendix B, and check the parts as given: the library's own parser
    # percent-encodes what it finds in the path, query and fragment, which hides exactly the
    # characters (`"`, `<`, `>`, a second `@`) that make a URL invalid.
    split = misc.URI_MATCHER.match(value)
    assert split is not None  # Appendix B's expression matches every string
    reference = URIReference(split["scheme"], split["authority"], split["path"], split["query"], split["fragment"])
    try:
        _RFC3986.validate(reference)
    except exceptions.InvalidComponentsError as exc:
        return "is not a valid URL (RFC 3986): " + "; ".join(f for part, f in _FAULTS.items() if part in exc.args[2])
    except exceptions.ValidationError:  # no host found: the authority itself is malformed
        return "is not a valid URL (RFC 3986): " + _FAULTS["host"]
    return None


_ENCODE = "has characters that must be percent-encoded"
_FAULTS = {
    "scheme": "its scheme is malformed",
    "userinfo": f"its user name {_ENCODE}",
    # A second `@`, or a bad user name, leaves the library no host to find.
    "host": "the part between // and the path is malformed (an @ may appear only once, before the host)",
    "port": "its port must be a number up to 65535",
    "path": f"its path {_ENCODE}",
    "query": f"its query {_ENCODE}",
    "fragment": f"its fragment (after #) {_ENCODE}",
}


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
