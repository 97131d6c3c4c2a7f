"""The core: what a fact-check's life in the service is, whatever serves it.

Settings (the one registry), the URL scheme (every route named once), problems (the one error
shape) and query-string rules, the security policy every answer carries (CSP, CORS, Host),
API tokens, reading documents from files, and the publishing workflow (status changes,
validation, what a store write must hold).

May import: schemas, widget's catalogues, feed.store.
"""
