"""What every answer is rendered with and kept as: the machinery under the site, the API and the desk.

The Context views take, the Jinja2 environment (autoescaped templates, the only source of HTML),
Rendered (a URL's bytes and headers, computed once), HTTP caching (ETags, 304s, compression),
the render cache with its fast path, and for pictures the fonts and a PNG writer. It knows no
page: the site fills it.

May import: schemas, widget, feed.store, feed.core.
"""
