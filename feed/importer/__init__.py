"""Bringing an archive in: fact-checks already published elsewhere, read from their pages'
ClaimReview markup, sitemaps, DataFeed files or Fact Check Tools answers.

Pure readers, no network: `markup` (a page's JSON-LD, microdata and RDFa, by extruct),
`article` (its byline, dates and lead, by trafilatura), `clean` (the quirks of live markup made
plain), `mapping` (a page's ClaimReviews as one factcard document, each gap-filling rule in the
report), `feeds` (DataFeed files and Fact Check Tools answers as pages), `sitemaps` (one sitemap
document, by ultimate-sitemap-parser); `records` holds the shapes they hand on.

May import: schemas, feed.store, feed.core (the publishing workflow); the CLI and the desk use it.
"""
