"""The newsroom's desk in the browser: accounts, sessions, the editor, review, people, links, tokens.

Every desk answer is rendered per request for the person asking and never cached. The desk
previews drafts through the site's renderer; the site never imports the desk.

May import: everything below the app except the build and the importer.
"""
