"""The context every view renders with, assembled from settings and a store.

The app factory serves with it, and `factcard build` writes the static build with it.
"""

from __future__ import annotations

from feed import static_files
from feed.config import load_publishers
from feed.context import Context
from feed.publishing import Publishing
from feed.render import make_environment
from feed.settings import Settings
from feed.store import Store, open_store
from feed.urls import Urls


def open_site(settings: Settings, store: Store | None = None) -> Context:
    store = store or open_store(settings.database_url)
    publishers = load_publishers(settings)
    urls = Urls(settings.base_url)
    templates = make_environment(
        urls=urls,
        site_name=next(iter(publishers.values())).name,
        static_url=static_files.static_url_for(urls),
    )
    return Context(
        settings=settings,
        store=store,
        publishers=publishers,
        publishing=Publishing(store, publishers, settings.base_url, settings.push_targets),
        templates=templates,
        urls=urls,
    )
