"""What every feed says about one fact-check: shared by JSON Feed, Atom and the DataFeed.

Item ids are `urn:uuid:` names derived from the slug. Slugs are never reused (nothing
is deleted), so an id is stable across edits, retraction and a change of host, and when the
original article becomes (or stops being) the canonical page: only the items' links change.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from feed.core.publishing import Publishing
from feed.store import FeedEntry
from feed.store.clock import rfc3339_stamp
from schemas.claimreview import build_claimreviews, canonical_url, review_url
from schemas.markdown import plain_text
from schemas.model import FactCheck
from schemas.publisher import Publisher
from widget.i18n import Messages, choose_language

ID_NAMESPACE = uuid.UUID("6f1c2a4e-8d3b-5c7a-9e0f-1a2b3c4d5e6f")


def date_time(value: str) -> str:
    """A document date as an RFC 3339 date-time: Atom and JSON Feed take no bare dates."""
    return f"{value}T00:00:00Z" if len(value) == 10 else value


def item_id(slug: str) -> str:
    return f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, slug)}"


@dataclass(frozen=True)
class EntryView:
    entry: FeedEntry
    fc: FactCheck
    publisher: Publisher
    page_url: str

    @property
    def id(self) -> str:
        return item_id(self.fc.slug)

    @property
    def url(self) -> str:
        """Where an item links to: the canonical page (the original article, when it stays canonical)."""
        return canonical_url(self.fc, self.page_url)

    @property
    def retracted(self) -> bool:
        return self.fc.status == "retracted"

    @property
    def changed(self) -> str:
        return rfc3339_stamp(self.entry.changed_at)

    @property
    def created(self) -> str:
        return rfc3339_stamp(self.entry.created_at)

    @property
    def published(self) -> str:
        """First publication, as a date-time."""
        return date_time(self.fc.date_published) if self.fc.date_published else self.created

    @property
    def modified(self) -> str:
        """Editorial modification time, as a date-time; a retraction counts as one."""
        if self.retracted and self.fc.retraction and self.fc.retraction.date:
            return date_time(self.fc.retraction.date)
        return date_time(self.fc.date_modified) if self.fc.date_modified else self.published

    @property
    def messages(self) -> Messages:
        """The catalogue of the fact-check's language, for the words feeds add around it."""
        return Messages(choose_language(None, self.fc.language))

    @property
    def retracted_title(self) -> str:
        return self.messages.gettext("Retracted: %(headline)s", headline=self.fc.headline)

    @property
    def retraction_comment(self) -> str:
        reason = self.fc.retraction.reason if self.fc.retraction else ""
        return self.messages.gettext("Retracted: %(reason)s", reason=reason)

    @property
    def retraction_notice(self) -> str:
        """What the page says first: that it was retracted, and why."""
        reason = self.fc.retraction.reason if self.fc.retraction else ""
        return f"{self.messages.gettext('This fact-check has been retracted.')} {reason}".strip()

    @property
    def summary(self) -> str:
        return plain_text(self.fc.summary)

    def verdicts(self) -> list[dict[str, Any]]:
        """Each claim with its verdict in words of the fact-check's language, and its category."""
        result = []
        for claim in self.fc.claims:
            label = self.publisher.scale.find(claim.verdict)
            result.append(
                {
                    "claim": claim.text,
                    "verdict": label.in_language(self.fc.language) if label else claim.verdict,
                    "category": label.category if label else "other",
                    "ratingValue": label.value if label else None,
                }
            )
        return result

    def corrections(self) -> list[dict[str, str]]:
        """The corrections log (date and note), in the order the document gives it."""
        return [{"date": c.date, "note": c.note} for c in self.fc.corrections]

    def claimreviews(self) -> list[dict[str, Any]]:
        return [] if self.retracted else build_claimreviews(self.fc, self.publisher, self.page_url)

    def claim_urls(self) -> list[str]:
        """Each claim's ClaimReview url, retracted or not (tombstones name what they remove)."""
        return [review_url(self.page_url, self.fc, index) for index in range(len(self.fc.claims))]


def entry_view(entry: FeedEntry, publishers: Mapping[str, Publisher], publishing: Publishing) -> EntryView:
    fc = publishing.load(entry.document)
    return EntryView(entry, fc, publishers[fc.publisher], publishing.page_url(fc.slug))
