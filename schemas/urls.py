"""URL checks: only absolute http and https URLs are accepted anywhere."""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_URL_LENGTH = 2048


def url_problem(value: object) -> str | None:
    """Why `value` is not an acceptable URL, or None when it is."""
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


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
