"""Query-string parameters: what each route takes, checked before it runs, and shared parsers.

Every route names the parameters it reads (`takes`). Any other parameter is a 400 naming it,
and so is a parameter given twice: a made-up query string can neither fill the response cache
with copies of one page nor make each request render anew. Tracking tags that links pick up
on the way (utm_*, fbclid, ...) are the exception: they never change an answer, so they are
accepted and left out of the cache key (see feed.render.cache.cache_key).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from starlette.requests import Request

from feed.core.problems import HTTPProblem
from schemas.document import LANGUAGE_TAG
from schemas.errors import FieldError

MAX_PAGE = 1_000_000
MAX_LANGUAGE_TAG = 35  # as long as a fact-check's own language may be
TRACKING = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "igshid", "_ga", "_gl"}
)
_SHOWN = 5  # unknown names quoted in a problem's detail; all are listed in its errors
_F = TypeVar("_F", bound=Callable[..., Any])


def is_tracking(name: str) -> bool:
    """A tag analytics tools add to shared links; it never changes a response."""
    return name in TRACKING or name.startswith("utm_")


def check_parameters(request: Request, names: tuple[str, ...], repeatable: tuple[str, ...] = ()) -> None:
    """A 400 naming each query parameter the route does not take, or takes once but got twice
    (those in `repeatable` may come more than once: a search's categories)."""
    check_names(request.query_params.multi_items(), names, repeatable)


def check_names(query: Iterable[tuple[str, str]], names: tuple[str, ...], repeatable: tuple[str, ...] = ()) -> None:
    """check_parameters for a query given as (name, value) pairs."""
    given = [name for name, _ in query]
    unknown = sorted({name for name in given if name not in names and not is_tracking(name)})
    if unknown:
        takes = f"it takes {', '.join(names)}" if names else "it takes none"
        raise HTTPProblem(
            400, "Unknown parameter",
            f"No parameter {', '.join(repr(n[:40]) for n in unknown[:_SHOWN])} here; {takes}.",
            [FieldError(name[:100], "is not a parameter of this URL") for name in unknown[:100]],
        )  # fmt: skip
    repeated = [name for name in names if name not in repeatable and given.count(name) > 1]
    if repeated:
        raise HTTPProblem(
            400, "Repeated parameter", f"Give {', '.join(repeated)} once.",
            [FieldError(name, "is given more than once") for name in repeated],
        )  # fmt: skip


def takes(*names: str, repeatable: tuple[str, ...] = ()) -> Callable[[_F], _F]:
    """Declare the query parameters an endpoint reads; requests with others get a 400, and so do
    requests that give one twice, unless it is `repeatable`."""

    def decorate(endpoint: _F) -> _F:
        if inspect.iscoroutinefunction(endpoint):

            @functools.wraps(endpoint)
            async def checked_async(request: Request) -> Any:
                check_parameters(request, names, repeatable)
                return await endpoint(request)

            return checked_async  # type: ignore[return-value]

        @functools.wraps(endpoint)
        def checked(request: Request) -> Any:
            check_parameters(request, names, repeatable)
            return endpoint(request)

        return checked  # type: ignore[return-value]

    return decorate


def whole_number(raw: str | None, name: str, low: int, high: int) -> int | None:
    """`raw` as a whole number from `low` to `high` written plainly (no sign, no leading zero),
    None when absent; else a 400 naming the parameter. One spelling per value, one cache key."""
    if raw is None:
        return None
    plain = raw.isascii() and raw.isdigit() and len(raw) <= len(str(high)) and raw == str(int(raw))
    if not (plain and low <= int(raw) <= high):
        raise HTTPProblem(400, f"Bad {name}", f"{name} must be a whole number from {low} to {high}.")
    return int(raw)


def page_number(request: Request) -> int:
    """`?page=N`, 1 by default; a clear 400 for anything but a whole number in range."""
    return whole_number(request.query_params.get("page"), "page", 1, MAX_PAGE) or 1


def language_tag(raw: str | None, name: str = "lang") -> str | None:
    """`raw` as a BCP 47 language tag in lower case (one spelling, one cache key), None when
    absent; else a 400 naming the parameter. Tags are matched without regard to case."""
    if raw is None:
        return None
    if len(raw) > MAX_LANGUAGE_TAG or not LANGUAGE_TAG.fullmatch(raw):
        raise HTTPProblem(
            400, f"Bad {name}", f"{name} must be a BCP 47 language tag such as es, es-MX or pt-BR.",
            [FieldError(name, f"is not a BCP 47 language tag of at most {MAX_LANGUAGE_TAG} characters")],
        )  # fmt: skip
    return raw.lower()
