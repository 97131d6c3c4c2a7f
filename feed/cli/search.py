"""`factcard reindex` (the search index rebuilt from the fact-checks) and `factcard mcp` (the MCP
server over stdio, for an assistant on the newsroom's own machine)."""

from __future__ import annotations

import argparse
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
