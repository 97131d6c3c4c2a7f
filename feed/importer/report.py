"""What an import did, source by source: the summary on stdout and the JSON report (--report).

One record per source URL or file: imported, updated, unchanged, retracted, skipped (with the
reason), conflict (with both versions' differences) or failed (with the HTTP status or error),
and the warnings (which rule gave the language, what filled a field, the ClaimReview advice).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

OUTCOMES = ("imported", "updated", "unchanged", "retracted", "skipped", "conflict", "failed")
# Said on stdout one line each; the rest only in the counts (and in the JSON report).
TOLD = ("retracted", "skipped", "conflict", "failed")


@dataclass
class Outcome:
    source: str  # the URL or file the record is about
    outcome: str  # one of OUTCOMES
    slug: str | None = None
    original_url: str | None = None  # the original article (its canonical URL)
    page: str | None = None  # the fact-check's page here
    reason: str | None = None
    status: int | None = None  # the HTTP status, when a server gave one
    warnings: list[str] = field(default_factory=list)
    differences: list[dict[str, Any]] = field(default_factory=list)  # a conflict: field, here, original

    def as_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value not in (None, [])}

    def line(self) -> str:
        said = f"{self.source}: {self.outcome}"
        if self.reason:
            said += f": {self.reason}"
        if self.status is not None and str(self.status) not in (self.reason or ""):
            said += f" (HTTP {self.status})"
        if self.differences:
            said += " (" + ", ".join(d["field"] for d in self.differences) + " differ)"
        return said


@dataclass
class Report:
    dry_run: bool = False
    resumed: bool = False
    left_out: int = 0  # sitemap entries older than --since
    records: list[Outcome] = field(default_factory=list)

    def add(self, outcome: Outcome) -> Outcome:
        self.records.append(outcome)
        return outcome

    def counts(self) -> dict[str, int]:
        counted = Counter(record.outcome for record in self.records)
        return {name: counted[name] for name in OUTCOMES}

    def summary(self) -> str:
        counts = self.counts()
        warnings = sum(len(record.warnings) for record in self.records)
        said = ", ".join(f"{counts[name]} {name}" for name in OUTCOMES)
        lines = [f"{'would import (dry run)' if self.dry_run else 'import'}: {said}; {warnings} warning(s)"]
        if self.left_out:
            lines.append(f"{self.left_out} page(s) left out: not changed since --since")
        if self.resumed:
            lines.append("resumed an import that had stopped: pages it had done were not read again")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "dryRun": self.dry_run,
            "resumed": self.resumed,
            "counts": self.counts(),
            "leftOutBySince": self.left_out,
            "sources": [record.as_json() for record in self.records],
        }
