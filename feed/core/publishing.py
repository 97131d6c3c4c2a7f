"""The publishing workflow: validate, apply a state change, check, store.

Handlers and the CLI call this; it owns the rules for status changes
(draft -> published -> retracted) and for the dates a newsroom expects to be
kept for it (datePublished on publish, dateModified on every later edit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from feed.core.representation import verdict_categories
from feed.core.urls import Urls
from feed.store import Actor, Change, ImportedPage, Record, StaleVersion, Store
from feed.store.clock import rfc3339, sort_key, stamp
from schemas.claimreview import build_claimreviews
from schemas.errors import FieldError, ValidationError
from schemas.model import FactCheck, Retraction, load_factcheck, to_document
from schemas.publisher import Publisher
from schemas.rules import advise_publishable, check_publishable, publication_problems
from schemas.validation import parse_factcheck

_T = TypeVar("_T")


class InvalidTransition(Exception):
    """A status change that the workflow does not allow (e.g. publishing a retracted check)."""


class RecordsRefused(ValidationError):
    """An import refused whole; `problems` holds each refused record's, by its position."""

    def __init__(self, problems: dict[int, list[FieldError]]):
        self.problems = problems
        super().__init__(
            [FieldError(f"records[{index}].{e.field}", e.message) for index, errors in problems.items() for e in errors]
        )


@dataclass(frozen=True)
class Imported:
    created: int
    replaced: int
    unchanged: int  # records equal to the stored document, left alone


@dataclass(frozen=True)
class Checked:
    problems: list[FieldError]  # what refuses publication
    warnings: list[FieldError]  # advice: shown, never a refusal


class OutOfScope(Exception):
    """A write by a token limited to one publisher, touching another publisher's fact-check."""

    def __init__(self, allowed: str, publisher: str):
        self.allowed, self.publisher = allowed, publisher
        super().__init__(f"this token writes only for publisher {allowed!r}, not for {publisher!r}")


def _in_scope(scope: str | None, publisher: str) -> None:
    """`scope` is the writer's publisher limit; None means any publisher."""
    if scope is not None and publisher != scope:
        raise OutOfScope(scope, publisher)


class Publishing:
    def __init__(
        self,
        store: Store,
        publishers: Mapping[str, Publisher],
        base_url: str,
        push_targets: tuple[str, ...] = (),
    ):
        self.store = store
        self.publishers = publishers
        self.urls = Urls(base_url)
        self.push_targets = push_targets  # outbox targets told about every public change
        self.after_write: list[Callable[[], None]] = []  # e.g. drop cached pages at once

    def _written(self, result: _T) -> _T:
        for listener in self.after_write:
            listener()
        return result

    def page_url(self, slug: str) -> str:
        return self.urls.check(slug)

    def load(self, document: Any) -> FactCheck:
        """A stored document, trusted: it was validated when it was written (about 15 times
        cheaper than parsing; see bench/parse.py). A document stored before a field was added
        to the model is parsed instead, which fills in its defaults."""
        try:
            return load_factcheck(document)
        except (KeyError, TypeError, AttributeError):
            return self.parse(document)

    def parse(self, document: Any, *, incoming: bool = False) -> FactCheck:
        """A stored document, or with `incoming` one arriving to be written (held to every rule for new text)."""
        return parse_factcheck(document, self.publishers, incoming=incoming)

    def problems(self, fc: FactCheck) -> list[FieldError]:
        """ClaimReview vocabulary and publishing-rule problems for a fact-check: what refuses it."""
        publisher = self.publishers[fc.publisher]
        reviews = build_claimreviews(fc, publisher, self.page_url(fc.slug))
        return check_publishable(reviews, publisher.url)

    def warnings(self, fc: FactCheck) -> list[FieldError]:
        """The ClaimReview advice for a fact-check (schemas.rules.check_advice): shown, never refused."""
        if not fc.claims:
            return []
        publisher = self.publishers[fc.publisher]
        return advise_publishable(build_claimreviews(fc, publisher, self.page_url(fc.slug)), publisher.scale)

    def check(self, document: Any, now: datetime) -> Checked:
        """A document checked as if it were published now: what would refuse it, and the advice."""
        try:
            fc = self.parse(document, incoming=True)
        except ValidationError as exc:
            return Checked(exc.errors, [])
        return Checked(self._lacks(to_document(fc), now), self.warnings(fc))

    def advice(self, document: Any, now: datetime) -> list[FieldError]:
        """Everything to show as a warning while a stored fact-check is written: what a draft
        lacks for publication (the rules a draft is spared, `publication_problems`, then the
        ClaimReview rules), then the ClaimReview advice. A rule that publishing meets by itself
        (the date it sets) is no warning."""
        return self._lacks(document, now) + self.warnings(self.load(document))

    def _lacks(self, document: Any, now: datetime) -> list[FieldError]:
        found = publication_problems(document, self.publishers)
        fc = self.load(document)
        draft = replace(fc, status="published", date_published=fc.date_published or rfc3339(now))
        return found + (self.problems(draft) if draft.claims else [])

    def _prepare(self, fc: FactCheck, now: datetime) -> FactCheck:
        """Fill the publication date and refuse to publish what breaks the ClaimReview rules."""
        if fc.status == "published" and not fc.date_published:
            fc = replace(fc, date_published=rfc3339(now))
        if fc.status == "published":
            problems = self.problems(fc)
            if problems:
                raise ValidationError(problems)
        return fc

    def _change(self, fc: FactCheck, previous_status: str | None, actor: Actor | None = None) -> Change:
        """The store write for `fc`, with push notifications when the public version changes."""
        if fc.status == "published":
            action = "update" if previous_status == "published" else "publish"
        elif fc.status == "retracted" and previous_status == "published":
            action = "retract"
        else:  # drafts, and retracting what was never public, concern no one outside
            action = ""
        document = to_document(fc)
        notify, categories = self.push_targets if action else (), verdict_categories(self.publishers, document)
        return Change(document, sort_key(fc.date_published), action or "none", notify, actor, categories)

    # Each write takes the `actor` recorded on its revision and the writer's publisher
    # `scope` (None: any publisher); a write outside the scope raises OutOfScope.

    def create(self, document: Any, now: datetime, actor: Actor | None = None, scope: str | None = None) -> Record:
        if scope is not None and isinstance(document, dict) and "publisher" not in document:
            document = {**document, "publisher": scope}  # a scoped writer's default publisher is its own
        fc = self.parse(document, incoming=True)
        _in_scope(scope, fc.publisher)
        fc = self._prepare(fc, now)
        return self._written(self.store.create(self._change(fc, None, actor), stamp(now)))

    def update(
        self,
        slug: str,
        document: Any,
        expected_version: int,
        now: datetime,
        actor: Actor | None = None,
        scope: str | None = None,
    ) -> Record:
        """Replace a fact-check's content; its status changes only through publish/retract."""
        current = self._current(slug)
        fc = self._revised(current, document, now, scope)
        return self._save(current, fc, expected_version, now, actor)

    def _revised(self, current: Record, document: Any, now: datetime, scope: str | None = None) -> FactCheck:
        """`document` as the next version of `current`, held to the rules for an edit."""
        slug = current.slug
        previous = self.load(current.document)
        _in_scope(scope, previous.publisher)
        if isinstance(document, dict):
            # A client that leaves the publisher out keeps it, rather than getting the default one.
            document = {"status": current.status, "publisher": previous.publisher, **document}
            document.setdefault("slug", slug)
        fc = self.parse(document, incoming=True)
        errors: list[FieldError] = []
        if fc.slug != slug:
            errors.append(FieldError("slug", f"cannot change: this fact-check is {slug!r}"))
        if fc.status != current.status:
            errors.append(FieldError("status", "changes only through publish or retract"))
        if errors:
            raise ValidationError(errors)
        _in_scope(scope, fc.publisher)
        if fc.status == "retracted":
            raise InvalidTransition("a retracted fact-check cannot be edited")
        if fc.date_published is None:
            # A client that leaves the date out keeps it; publication happened once.
            fc = replace(fc, date_published=previous.date_published)
        if fc.status == "published" and fc.date_modified == previous.date_modified:
            fc = replace(fc, date_modified=rfc3339(now))
        return fc

    def publish(
        self,
        slug: str,
        expected_version: int | None,
        now: datetime,
        actor: Actor | None = None,
        scope: str | None = None,
    ) -> Record:
        current = self._current(slug)
        _in_scope(scope, self.load(current.document).publisher)
        if expected_version is not None and expected_version != current.version:
            raise StaleVersion(current.version)
        if current.status == "published":
            return current
        if current.status == "retracted":
            raise InvalidTransition("a retracted fact-check cannot be published again")
        # Held to everything publication needs, which a draft was spared (schemas.validation).
        fc = self.parse({**current.document, "status": "published"})
        return self._save(current, fc, _version(current, expected_version), now, actor)

    def retract(
        self,
        slug: str,
        reason: str,
        expected_version: int | None,
        now: datetime,
        actor: Actor | None = None,
        scope: str | None = None,
    ) -> Record:
        current = self._current(slug)
        _in_scope(scope, self.load(current.document).publisher)
        fc = self.retracted(current, reason, now)
        return self._save(current, fc, _version(current, expected_version), now, actor)

    def retracted(self, current: Record, reason: str, now: datetime) -> FactCheck:
        """`current` as retracting it with `reason` would make it, validated; nothing is saved
        (the desk shows it to the editor before they confirm)."""
        if current.status == "retracted":
            raise InvalidTransition("this fact-check is already retracted")
        if current.status == "draft":
            # Retracted fact-checks stay public (with their notice); a draft never was.
            raise InvalidTransition("a draft was never published: edit it, or leave it unpublished")
        if not reason.strip():
            raise ValidationError([FieldError("reason", "is required")])
        fc = replace(
            self.load(current.document),
            status="retracted",
            retraction=Retraction(reason.strip(), rfc3339(now)),
            date_modified=rfc3339(now),
        )
        # Validate the retracted document as a whole (e.g. the reason's length).
        return self.parse(to_document(fc), incoming=True)

    def import_documents(self, documents: Iterable[Any], now: datetime) -> int:
        """Validate every document, then store all of them in one transaction.

        Raises RecordsRefused naming each bad record (`records[i].field`) and writes nothing.
        """
        return self._import(documents, now, update=False).created

    def import_updating(self, documents: Iterable[Any], now: datetime) -> Imported:
        """As import_documents, but a document whose slug exists replaces that fact-check (held to
        an edit's rules) when it carries the stored version as `_version`, which is what
        `export --versions` writes. A missing or stale `_version` is refused like any bad record,
        so nothing is written. A document equal to the stored one is left alone: no new revision,
        no new dateModified, no notification.

        Raises StaleVersion or Conflict if another write lands between the check and the write.
        """
        return self._import(documents, now, update=True)

    def _import(self, documents: Iterable[Any], now: datetime, *, update: bool) -> Imported:
        new: list[Change] = []
        replacing: list[tuple[Change, int]] = []
        unchanged = 0
        problems: dict[int, list[FieldError]] = {}
        seen: set[str] = set()
        for index, document in enumerate(documents):
            based_on = None
            if update and isinstance(document, dict) and "_version" in document:
                based_on = document["_version"]
                document = {key: value for key, value in document.items() if key != "_version"}
            named = document.get("slug") if isinstance(document, dict) else None
            current = self.store.get(named) if update and isinstance(named, str) else None
            change: Change | None = None
            try:
                if current is None:
                    fc = self._prepare(self.parse(document, incoming=True), now)
                    slug, change = fc.slug, self._change(fc, None)
                else:
                    slug = current.slug
                    _check_based_on(current, based_on)
                    if document != current.document:  # an untouched record is left as it is
                        fc = self._prepare(self._revised(current, document, now), now)
                        change = self._change(fc, current.status)
            except ValidationError as exc:
                problems[index] = exc.errors
                continue
            except InvalidTransition as exc:  # e.g. an edit to a retracted fact-check
                problems[index] = [FieldError("status", str(exc))]
                continue
            if slug in seen:
                problems[index] = [FieldError("slug", f"{slug!r} appears twice in this import")]
            elif current is None and self.store.get(slug) is not None:
                problems[index] = [FieldError("slug", f"{slug!r} exists already")]
            seen.add(slug)
            if change is None:
                unchanged += 1
            elif current is None:
                new.append(change)
            else:
                replacing.append((change, current.version))
        if problems:
            raise RecordsRefused(problems)
        self._written(self.store.write_many(new, replacing, stamp(now)))
        return Imported(len(new), len(replacing), unchanged)

    # -- imports: each fact-check written with its `imported_pages` row, in one transaction ----

    def import_change(self, document: Any, current: Record | None, now: datetime, actor: Actor | None) -> Change:
        """The write an import makes for `document`: a new fact-check held to every rule for new
        text, or the next version of `current` held to an edit's rules. Raises ValidationError or
        InvalidTransition (a retracted fact-check is not edited) and writes nothing: an import's
        dry run stops here."""
        if current is None:
            fc = self._prepare(self.parse(document, incoming=True), now)
            return self._change(fc, None, actor)
        fc = self._prepare(self._revised(current, document, now), now)
        return self._change(fc, current.status, actor)

    def save_import(
        self,
        change: Change,
        current: Record | None,
        page: ImportedPage,
        run: tuple[int, str, str] | None,
        now: datetime,
    ) -> Record:
        """Write an import's `change` (from import_change or retract_change) with its ledger row."""
        expected = current.version if current is not None else None
        return self._written(self.store.write_imported(change, expected, page, run, stamp(now)))

    def retract_change(self, current: Record, reason: str, now: datetime, actor: Actor | None) -> Change:
        """The write that retracts `current` for an import (its original page is gone)."""
        return self._change(self._prepare(self.retracted(current, reason, now), now), current.status, actor)

    def _current(self, slug: str) -> Record:
        from feed.store import NotFound

        record = self.store.get(slug)
        if record is None:
            raise NotFound(slug)
        return record

    def _save(
        self, current: Record, fc: FactCheck, expected_version: int, now: datetime, actor: Actor | None
    ) -> Record:
        fc = self._prepare(fc, now)
        change = self._change(fc, current.status, actor)
        return self._written(self.store.update(current.slug, change, expected_version, stamp(now)))


def _check_based_on(current: Record, based_on: Any) -> None:
    """Refuse a record that replaces `current` unless it names `current`'s version as its base."""
    slug, version = current.slug, current.version
    if based_on is None:
        message = f"{slug!r} exists (version {version}) and this record names no version it is based on"
    elif isinstance(based_on, bool) or not isinstance(based_on, int) or based_on < 1:
        message = f"must be the version number this record is based on (got {based_on!r})"
    elif based_on < version:
        message = f"someone saved version {version} of {slug!r} after version {based_on}, which this record is based on"
    elif based_on > version:
        message = f"{slug!r} has no version {based_on} yet: it is at version {version}"
    else:
        return
    raise ValidationError([FieldError("_version", message)])


def _version(current: Record, expected: int | None) -> int:
    return current.version if expected is None else expected
