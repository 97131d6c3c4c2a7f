"""A fact-check's history on the desk: every revision, who saved it and when, and what changed.

Each revision is compared with the one before it field by field, in the editor's terms (the
form fields of schemas/formfields.py), and each changed text word by word, so an editor reads
what was inserted and deleted rather than two whole documents. Revisions written through the
API name their token, those by the command line or an import name no one.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from feed.store import Revision
from schemas.formfields import to_form

MAX_WORDS = 5_000  # a text longer than this is shown before and after, not compared word by word


@dataclass(frozen=True)
class Change:
    field: str  # the form field (`claims.0.verdict`)
    pieces: tuple[tuple[str, str], ...]  # ("same" | "del" | "ins", text), in reading order


@dataclass(frozen=True)
class Entry:
    version: int
    recorded_at: str
    status: str
    actor: str | None
    status_changed: bool
    changes: tuple[Change, ...]


def history(revisions: list[Revision]) -> list[Entry]:
    """The entries of `revisions` (oldest first), newest first."""
    entries = []
    before: Mapping[str, str] = {}
    previous_status: str | None = None
    for revision in revisions:
        after = _fields(revision.document)
        changes = tuple(
            Change(name, word_diff(before.get(name, ""), after.get(name, "")))
            for name in sorted(set(before) | set(after))
            if before.get(name, "") != after.get(name, "") and name != "status"
        )
        actor = revision.actor.name if revision.actor else None
        entries.append(Entry(revision.version, revision.recorded_at, revision.status, actor,
                             previous_status is not None and previous_status != revision.status, changes))  # fmt: skip
        before, previous_status = after, revision.status
    return entries[::-1]


def _fields(document: Mapping[str, Any]) -> dict[str, str]:
    """Every field of a revision, the workflow's too (`corrections.0.note`, `retraction.reason`)."""
    return to_form(document)


def word_diff(before: str, after: str) -> tuple[tuple[str, str], ...]:
    """`before` -> `after` as kept, deleted and inserted runs of words."""
    old, new = before.split(" "), after.split(" ")
    if not before:
        return (("ins", after),)
    if not after:
        return (("del", before),)
    if len(old) + len(new) > MAX_WORDS:
        return (("del", before), ("ins", after))
    pieces: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(("same", " ".join(old[i1:i2])))
        if tag in ("delete", "replace"):
            pieces.append(("del", " ".join(old[i1:i2])))
        if tag in ("insert", "replace"):
            pieces.append(("ins", " ".join(new[j1:j2])))
    return tuple(pieces)
