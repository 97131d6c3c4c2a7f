"""Share images drawn once per picture, and reused by every later build and update.

Drawing a share image and encoding its PNG costs more than every other file of a fact-check
together. Each is kept under the digest of what it is drawn from (feed.site.shareimage
.share_image_key: the first claim, its verdict's words and colour, the publisher, the language,
and the drawing code itself), beside the generations (feed.build.generations.home): a rebuild,
or an edit that leaves the picture as it was, reads the file instead of drawing it again.

Entries are touched when used; a full build removes those it did not use (`prune`), so the store
holds the pictures of the current site and nothing older.
"""

from __future__ import annotations

import os
from pathlib import Path

from feed.build.files import write_atomically
from feed.build.generations import IMAGES, home


class ImageStore:
    def __init__(self, folder: Path):
        self.folder = folder

    @classmethod
    def beside(cls, directory: Path) -> ImageStore:
        """The store of the build directory `directory`."""
        return cls(home(directory) / IMAGES)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.png"

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            body = path.read_bytes()
            os.utime(path)  # used now: a prune keeps it
        except FileNotFoundError:
            return None
        return body

    def put(self, key: str, body: bytes) -> None:
        # Written aside and renamed: the keeper and a full build may put the same picture at once.
        write_atomically(self._path(key), body)

    def prune(self, before: float) -> int:
        """Remove the pictures not used since `before` (a time.time()); how many were removed."""
        removed = 0
        if not self.folder.is_dir():
            return 0
        for path in self.folder.glob("*/*.png"):
            try:
                if path.stat().st_mtime < before:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed
