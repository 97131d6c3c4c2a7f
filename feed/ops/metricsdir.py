"""The folder where `factcard serve`'s worker processes keep their metrics.

Apart from feed.ops.metrics because it must be set up before prometheus_client is first
imported: the library picks in-memory or in-file counters at import, and forked workers
inherit the server process's modules.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def use_multiprocess_dir() -> str:
    """Set PROMETHEUS_MULTIPROC_DIR for the worker processes this process starts.

    An operator's own folder is used, emptied of a previous run's files (their counts would
    be added to this run's); otherwise a fresh temporary folder, removed when this process exits.
    """
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        os.makedirs(given, exist_ok=True)
        for name in os.listdir(given):
            if name.endswith(".db"):
                os.remove(os.path.join(given, name))
        return given
    made = tempfile.mkdtemp(prefix="factcard-metrics-")
    os.environ[MULTIPROC_ENV] = made
    atexit.register(remove_dir, made)
    return made


def remove_dir(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)
