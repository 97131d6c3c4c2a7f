"""The context every view renders with, assembled from settings and a store.

The app factory serves with it, and `factcard build` writes the static build with it.
"""

from __future__ import annotations

from feed.core.publishing import Publishing
from feed.core.settings import Settings
from feed.core.urls import Urls
from feed.render.context import Context
from feed.render.environment import make_environment
from feed.site import static_files
from feed.site.config import load_publishers
from feed.store import Store, open_store


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
