"""Time for records: timezone-aware UTC everywhere; both SQLite and PostgreSQL give it back as UTC."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)
