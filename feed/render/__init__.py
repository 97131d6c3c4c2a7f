"""What every answer is rendered with and kept as: the machinery under the site, the API and the desk.

The Context views take, the Jinja2 environment (autoescaped templates, the only source of HTML),
Rendered (a URL's bytes and headers, computed once), HTTP caching (ETags, 304s, compression)
and the render cache with its fast path. It knows no page: the site fills it.

May import: schemas, widget, feed.store, feed.core.
"""
