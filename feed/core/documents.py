"""Reading fact-check documents from files: one JSON document, a JSON list, or JSON Lines."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

SUFFIXES = (".json", ".jsonl", ".ndjson")


class UnreadableFile(Exception):
    pass


@dataclass(frozen=True)
class DocumentFile:
    path: Path
    documents: list[Any]
    line_numbers: tuple[int, ...] = ()  # JSON Lines: the line each document is on

    def place(self, index: int) -> str:
        """Where document `index` is, for messages: `path:LINE` in JSON Lines, else `path`."""
        return f"{self.path}:{self.line_numbers[index]}" if self.line_numbers else str(self.path)


def expand_paths(paths: list[str]) -> list[Path]:
    """Files named directly, and the .json/.jsonl files inside named folders (sorted)."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise UnreadableFile(f"{name}: no such file or folder")
    return found


def read_documents(path: Path) -> DocumentFile:
    """The documents in one file; JSON Lines are read line by line (blank lines skipped)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"{path}: {exc.strerror}") from exc
    if path.suffix in (".jsonl", ".ndjson"):
        documents, numbers = [], []
        for number, line in enumerate(raw.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                documents.append(orjson.loads(line))
                numbers.append(number)
            except orjson.JSONDecodeError as exc:
                raise UnreadableFile(f"{path}:{number}: not valid JSON ({exc})") from exc
        return DocumentFile(path, documents, tuple(numbers))
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise UnreadableFile(f"{path}: not valid JSON ({exc})") from exc
    return DocumentFile(path, data if isinstance(data, list) else [data])


def iter_files(paths: list[str]) -> Iterator[DocumentFile]:
    for path in expand_paths(paths):
        yield read_documents(path)
