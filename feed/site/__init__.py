"""The public site: one renderer (a URL in, its bytes out, no Request) for every public answer.

Pages and their JSON twins, the browse pages of tags, claimants and authors with their feeds,
the card and oEmbed, JSON Feed, Atom, the DataFeed and its file, sitemaps, verdict badges, share
images, translations, the pages that explain our problem types, static files, the HTML error
page, and the assembly of a Context from settings and a store.
The server, the static build and the desk's previews all render through it. The reader's search
(search.py) is the one public answer made per request instead: it reads the request's
Accept-Language, and no cache or build keeps it.

May import: schemas, widget, feed.words (to mark the words a search found), feed.store, feed.core,
feed.render, feed.ops, feed.api (its OpenAPI document). Never the desk, the build or the CLI.
"""
