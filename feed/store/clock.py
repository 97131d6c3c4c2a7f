"""Time formatting shared by the store and the publishing workflow."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta


def utc_now() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    """A sortable UTC timestamp with microseconds, for store bookkeeping."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def rfc3339(moment: datetime) -> str:
    """An RFC 3339 date-time to the second, for documents and feeds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sort_key(value: str | None) -> str | None:
    """A document date (date or date-time with offset) as a sortable UTC timestamp."""
    if not value:
        return None
    if len(value) == 10:
        return stamp(datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC))
    return stamp(datetime.fromisoformat(value.replace("Z", "+00:00")))


def after(stamp_value: str) -> str:
    """The store timestamp one microsecond after `stamp_value`."""
    return stamp(store_time(stamp_value) + timedelta(microseconds=1))


def store_time(value: str) -> datetime:
    """A store timestamp (see `stamp`) as an aware datetime."""
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def rfc3339_stamp(value: str) -> str:
    """A store timestamp as RFC 3339 with microseconds, exact enough to use as `since`."""
    return store_time(value).isoformat().replace("+00:00", "Z")
