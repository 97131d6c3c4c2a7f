"""Bringing an archive in: fact-checks already published elsewhere, read from their pages'
ClaimReview markup, sitemaps, DataFeed files or Fact Check Tools answers.

- `records`: what reading a source gives (the shapes the rooms below pass to each other);
- `reading`: a page's markup (or a feed file) in, factcard documents out; pure, no network;
- `fetching` and `sources`: a polite crawler, and what each SOURCE argument names;
- `run`: the import itself (idempotent, resumable, reported), used by the CLI and the desk.

May import: schemas, feed.store, and the publishing workflow; never the desk or the CLI.
"""
