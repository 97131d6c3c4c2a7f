"""Persistence for fact-checks, their revisions and API tokens.

`open_store(url)` picks the backend: a SQLite file by default, PostgreSQL when
the URL names one. Both run the same SQL through `feed.store.base.Store`. The clock's
formats (`feed.store.clock`) live here because stored times are written in them.

May import: schemas and feed.words (the search index's terms); the bottom of the house but for them.
"""

from __future__ import annotations

from feed.store.accountlog import AccountEvent, LastAdmin, NewLink, PasswordLink
from feed.store.base import Actor, Change, Conflict, NotFound, Record, Revision, StaleVersion, Store
from feed.store.changes import PUBLIC_STATUSES, FeedEntry
from feed.store.imports import ImportedPage
from feed.store.outbox import Notification, OutboxBacklog, OutboxRow
from feed.store.search import INDEXED_STATUSES, SearchHit, SearchQuery, SearchResults
from feed.store.searchentry import Facet, facet_key
from feed.store.sql import StoreUnavailable
from feed.store.sqlite import NoStore
from feed.store.tokens import TokenInfo
from feed.store.users import ROLES, DuplicateEmail, Session, User


def open_store(database_url: str, create: bool = True) -> Store:
    """A migrated store for `database_url` (sqlite:///PATH or postgresql://...).

    With `create=False` a SQLite file that does not exist is refused (NoStore), not made.
    """
    if database_url.startswith(("postgresql://", "postgres://")):
        from feed.store.postgres import PostgresStore

        store: Store = PostgresStore(database_url)
    elif database_url.startswith("sqlite:///"):
        from feed.store.sqlite import SQLiteStore

        store = SQLiteStore(database_url.removeprefix("sqlite:///"), create=create)
    else:
        raise ValueError(f"DATABASE_URL must start with sqlite:/// or postgresql://, got {database_url!r}")
    store.migrate()
    return store


__all__ = [
    "INDEXED_STATUSES",
    "PUBLIC_STATUSES",
    "ROLES",
    "AccountEvent",
    "Actor",
    "Change",
    "Conflict",
    "DuplicateEmail",
    "Facet",
    "FeedEntry",
    "ImportedPage",
    "LastAdmin",
    "NewLink",
    "NoStore",
    "NotFound",
    "Notification",
    "OutboxBacklog",
    "OutboxRow",
    "PasswordLink",
    "Record",
    "Revision",
    "SearchHit",
    "SearchQuery",
    "SearchResults",
    "Session",
    "StaleVersion",
    "Store",
    "StoreUnavailable",
    "TokenInfo",
    "User",
    "facet_key",
    "open_store",
]
