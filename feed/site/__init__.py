"""The public site: one renderer (a URL in, its bytes out, no Request) for every public answer.

Pages and their JSON twins, the card and oEmbed, JSON Feed, Atom, the DataFeed and its file,
sitemaps, verdict badges, share images, translations, the pages that explain our problem types,
static files, the HTML error page, and the assembly of a Context from settings and a store.
The server, the static build and the desk's previews all render through it.

May import: schemas, widget, feed.store, feed.core, feed.render, feed.ops, feed.api (its OpenAPI
document). Never the desk, the build or the CLI.
"""
