"""Demo content: fact-checks written for this project, loaded into an empty store."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from feed.core.documents import iter_files
from feed.core.publishing import Publishing

DEMO_FOLDER = Path(__file__).parents[1] / "demo"


def load_demo(publishing: Publishing, now: datetime) -> int:
    """Import the demo fact-checks unless the store already holds any; returns how many."""
    if publishing.store.count(["draft", "published", "retracted"]) > 0:
        return 0
    documents = [doc for file in iter_files([str(DEMO_FOLDER)]) for doc in file.documents]
    return publishing.import_documents(documents, now)
