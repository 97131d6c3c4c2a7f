"""The `factcard` command: one module per command group, each thin over the rooms below.

`main` builds the parser and dispatches; `settings` puts the settings registry on the command
line; `documents` moves fact-checks in and out; `build` is the static build and nginx config;
`redirects` maps imported fact-checks' original URLs to their pages here;
`users` manages desk accounts; `demo` loads the demo; `pipe` ends quietly on a closed pipe.

May import: every room, and feed.app and feed.server (`factcard serve`).
"""
