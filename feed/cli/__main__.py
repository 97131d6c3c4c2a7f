"""`python -m feed.cli`: the same as the `factcard` command."""

import sys

from feed.cli.main import main

sys.exit(main())
