"""Ending quietly when the reader of our standard output goes away (`factcard export | head -1`).

Python ignores SIGPIPE, so a write to a closed pipe raises BrokenPipeError, which would end in
a traceback. A command instead ends the way Unix tools do: silently, by SIGPIPE, so the shell
reports status 141 and `set -o pipefail` still notices. Only the CLI does this: a server must
never die of a client's closed socket, so SIGPIPE stays ignored until the very end.
"""

from __future__ import annotations

import os
import signal
import sys


def reader_gone() -> int:
    """End the process as a Unix tool whose reader left; returns only where there is no SIGPIPE."""
    # Python flushes stdout again at exit: point it at /dev/null so that flush has nowhere to fail.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    sigpipe: int | None = getattr(signal, "SIGPIPE", None)
    if sigpipe is None:  # Windows: no such signal; 1 is what Python itself exits with here
        return 1
    sys.stderr.flush()
    signal.signal(sigpipe, signal.SIG_DFL)
    os.kill(os.getpid(), sigpipe)
    return 128 + sigpipe  # not reached: the signal ends the process
