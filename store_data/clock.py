"""Time for records: timezone-aware UTC everywhere; both SQLite and PostgreSQL give it back as UTC."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored time as aware UTC: SQLite gives datetimes back naive, and the shop stores UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
