"""The MCP server: two read-only tools and the recent fact-checks as resources, on the SDK's
`MCPServer`, over one `Archive`. feed.assistants.http serves it at /mcp; `factcard mcp` runs it
on stdio.

The tools' descriptions tell the assistant to cite each fact-check by its URL and to say that a
retracted one no longer stands: an assistant reads them as its instructions for the tool.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated, TypeVar

import orjson
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from feed.assistants import tools
from feed.assistants.tools import MAX_LIMIT, Archive, Finding, Found, NotPublic, Refused
from schemas.ratings import CATEGORIES

NAME = "factcard"
RECENT_URI = "factcard://recent"
FACT_CHECK_URI = "factcard://fact-check/{slug}"
INSTRUCTIONS = (
    "Published fact-checks of this newsroom, searchable by the words of a claim. When you use one, "
    "cite its `url` and give its verdict label as written. A fact-check whose status is `retracted` "
    "no longer stands: say so with its retraction notice, and never give a verdict for it."
)
CITE = (
    "Each result carries `url`, the canonical address: cite it whenever you repeat a claim's "
    "verdict. A result with status `retracted` has no verdict and a `retraction` notice: tell the "
    "reader it was retracted and do not present its claim as checked."
)
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
_T = TypeVar("_T")


def build_server(archive: Archive) -> MCPServer:
    """The server, its tools and resources registered."""
    with _root_logger_kept():
        server: MCPServer = MCPServer(
            NAME,
            title="Fact-checks",
            instructions=INSTRUCTIONS,
            website_url=archive.urls.home(),
            version=_version(),
            log_level="WARNING",  # the SDK logs every refused argument at INFO
            subscriptions=False,  # nothing here changes under a reader's eyes: no events to listen to
        )

    @server.tool(
        name="search_fact_checks",
        title="Search fact-checks",
        description="Search the published fact-checks for a claim, by its words, in any language the "
        "archive holds (accents and word forms do not matter). An empty query lists the newest. " + CITE,
        annotations=READ_ONLY,
    )  # fmt: skip
    def search_fact_checks(
        query: Annotated[str, Field(description="The claim's key words, at most 300 characters")],
        language: Annotated[
            str | None, Field(description="Only fact-checks in this language (en, es, pt-BR); omit for any")
        ] = None,
        category: Annotated[
            str | None, Field(description=f"Only claims with this verdict category: {', '.join(CATEGORIES)}")
        ] = None,
        since: Annotated[str | None, Field(description="Only those published on or after this day, YYYY-MM-DD")] = None,
        limit: Annotated[int, Field(ge=1, le=MAX_LIMIT, description=f"How many, 1 to {MAX_LIMIT}")] = 5,
    ) -> Found:
        return _tool(lambda: tools.search_fact_checks(archive, query, language, category, since, limit))

    @server.tool(
        name="get_fact_check",
        title="Get a fact-check",
        description="One published fact-check, by its slug, its page URL, its card URL or its original "
        "article's URL. " + CITE,
        annotations=READ_ONLY,
    )  # fmt: skip
    def get_fact_check(
        slug_or_url: Annotated[str, Field(description="A slug (lemon-water-cures) or a URL of the fact-check")],
    ) -> Finding:
        return _tool(lambda: tools.get_fact_check(archive, slug_or_url))

    @server.resource(
        RECENT_URI, name="recent", title="Recent fact-checks", mime_type="application/json",
        description=f"The {tools.RECENT} newest published and retracted fact-checks, as the tools give them.",
    )  # fmt: skip
    def recent() -> str:
        return orjson.dumps(tools.recent_fact_checks(archive)).decode()

    @server.resource(
        FACT_CHECK_URI, name="fact-check", title="A fact-check", mime_type="application/json",
        description="One published or retracted fact-check by its slug, as get_fact_check gives it.",
    )  # fmt: skip
    def fact_check(slug: str) -> str:
        try:
            return orjson.dumps(tools.get_fact_check(archive, slug)).decode()
        except NotPublic as exc:
            raise ResourceNotFoundError(str(exc)) from None
        except Refused as exc:
            raise ResourceError(str(exc)) from None

    return server


def _tool(answer: Callable[[], _T]) -> _T:
    """`answer()`, with a refusal as a tool error: the assistant reads why, the session goes on."""
    try:
        return answer()
    except Refused as exc:
        raise ToolError(str(exc)) from None


@contextlib.contextmanager
def _root_logger_kept() -> Iterator[None]:
    """The SDK's server configures the root logger when it is made (logging.basicConfig), which
    is the application's to configure, not a library's: put it back as it was. Its warnings
    still reach stderr, through logging's last resort, as every library's do."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def _version() -> str:
    try:
        return version("factcard")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0"
