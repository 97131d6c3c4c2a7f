"""The static build: every public URL written as files, kept current, served by nginx.

`static` writes the build through the site's renderer; `keeper` keeps a configured build
directory up to date from the store's change log; `nginx` writes the configuration that serves it.

May import: everything below the app except the desk and the importer.
"""
