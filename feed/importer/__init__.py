"""Bringing an archive in: fact-checks already published elsewhere, read from their pages'
ClaimReview markup, sitemaps, DataFeed files or Fact Check Tools answers.

`records` holds what reading a source gives: the shapes the importer's modules pass to each
other (readers of page markup, sitemaps, DataFeed files and Fact Check Tools answers, a polite
fetcher, and the import run itself join it here).

May import: schemas, feed.store, and the publishing workflow; never the desk or the CLI.
"""
