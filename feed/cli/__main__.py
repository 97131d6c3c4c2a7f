"""`python -m feed.cli`: the same as the `factcard` command."""

import sys

from feed.cli.main import main

# Guarded: the static build's worker processes import this module again, and must not run the CLI.
if __name__ == "__main__":
    sys.exit(main())
