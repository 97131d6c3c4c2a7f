"""Reading stored fact-checks: validating them again (parse_factcheck) vs loading them (load_factcheck).

    python -m bench.parse --iterations 500

Each demo document is stored the way the store holds it (to_document of what
parse_factcheck accepted), then read back N times each way. Prints a Markdown table of
microseconds per document and the ratio. A benchmark, not a test: figures depend on the
machine, so compare the ratio within one run.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from feed.cli.demo import DEMO_FOLDER
from feed.core.documents import iter_files
from feed.core.settings import Settings
from feed.site.config import load_publishers
from schemas.model import FactCheck, load_factcheck, to_document
from schemas.validation import parse_factcheck


def best_of(rounds: int, iterations: int, documents: list[dict[str, Any]], read: Callable[[Any], FactCheck]) -> float:
    """The fastest round's microseconds per document: the least disturbed by the rest of the machine."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(iterations):
            for document in documents:
                read(document)
        best = min(best, time.perf_counter() - started)
    return best * 1e6 / (iterations * len(documents))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    publishers = load_publishers(Settings.load())
    raw = [doc for file in iter_files([str(DEMO_FOLDER)]) for doc in file.documents]
    stored = [to_document(parse_factcheck(doc, publishers)) for doc in raw]
    assert all(load_factcheck(doc) == parse_factcheck(doc, publishers) for doc in stored)

    parsed = best_of(args.rounds, args.iterations, stored, lambda doc: parse_factcheck(doc, publishers))
    loaded = best_of(args.rounds, args.iterations, stored, load_factcheck)
    print(f"\n{len(stored)} demo documents, {args.iterations} iterations, best of {args.rounds} rounds\n")
    print("| read | µs per document |")
    print("| --- | ---: |")
    print(f"| parse_factcheck (validates) | {parsed:.1f} |")
    print(f"| load_factcheck (trusts) | {loaded:.1f} |")
    print(f"\nparse / load: {parsed / loaded:.1f}x")


if __name__ == "__main__":
    main()
