"""`factcard reindex` (the search index rebuilt from the fact-checks) and `factcard mcp` (the MCP
server over stdio, for an assistant on the newsroom's own machine)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any


def add_parsers(commands: Any, parent: argparse.ArgumentParser) -> None:
    commands.add_parser(
        "reindex", parents=[parent],
        help="rebuild the search index from the fact-checks",
        description="Rebuild the search index from the published and retracted fact-checks, in one "
        "transaction (searches keep the old index until it is done). Needed only when an upgrade "
        "says so; `factcard serve` fills an index that lags behind by itself.",
    )  # fmt: skip
    commands.add_parser(
        "mcp", parents=[parent],
        help="serve assistants the MCP tools over stdio",
        description="Run the read-only MCP server (the tools search_fact_checks and get_fact_check, "
        "and the recent fact-checks as resources) over stdin and stdout, for a desktop assistant that "
        "launches it. It reads the store DATABASE_URL names, which must exist; links use the base URL "
        "(--base-url: the public site's). Stdout carries the protocol alone; notes go to stderr.",
    )  # fmt: skip


def reindex(publishing: Any) -> int:
    """Rebuild the index with the verdict categories of the publishers' scales."""
    from feed.core.representation import verdict_categories

    publishers = publishing.publishers
    count: int = publishing.store.reindex(lambda document: verdict_categories(publishers, document))
    return count


def cmd_reindex(args: argparse.Namespace, publishing: Any) -> int:
    started = time.monotonic()
    try:
        count = reindex(publishing)
    finally:
        publishing.store.close()
    print(f"reindexed {count} fact-checks in {time.monotonic() - started:.1f} s")
    return 0


def cmd_mcp(args: argparse.Namespace) -> int:
    """The MCP server on stdio, over the configured store (never made here: a missing one is an error)."""
    from feed.assistants.server import build_server
    from feed.assistants.tools import Archive
    from feed.cli.settings import base_url_given, settings_from
    from feed.core.urls import Urls
    from feed.site.config import load_publishers
    from feed.store import open_store

    settings = settings_from(args)
    publishers = load_publishers(settings)
    store = open_store(settings.database_url, create=False)
    try:
        if not base_url_given(args):
            print(f"mcp: links use {settings.base_url}; set --base-url or FACTCARD_BASE_URL to the site's "
                  "public address", file=sys.stderr)  # fmt: skip
        if store.search_index_lags():
            print("mcp: the search index lags behind the fact-checks; run `factcard reindex`", file=sys.stderr)
        build_server(Archive(store, publishers, Urls(settings.base_url))).run("stdio")
    finally:
        store.close()
    return 0
