"""The dates a document holds: a day, a moment (RFC 3339 with offset), or for a source a year or a month."""

from __future__ import annotations

import re
from datetime import date, datetime


def is_year_or_month(value: str) -> bool:
    """`2022` or `2022-10` (a month 01 to 12)."""
    found = re.fullmatch(r"\d{4}(?:-(\d{2}))?", value)
    return found is not None and (found[1] is None or 1 <= int(found[1]) <= 12)


def is_date_or_datetime(value: str) -> bool:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})", value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
