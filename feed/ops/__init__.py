"""Operations: what watches, limits and keeps the running service.

Health probes, Prometheus metrics, the access log, rate limits, sign-in throttling, the request
observer (the outermost layer), answers to bodies left unread, and the backup file.

May import: schemas, feed.store, feed.core, feed.render. Never the site, the desk or the CLI.
"""
