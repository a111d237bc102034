"""Marketplace traffic per listing and day (visits, add-to-carts, orders), from the
marketplace's stats CSV export, so analytics can compute conversion.

The export has one row per listing and day with the columns
`day, listing_id, sku, title, visits, add_to_carts, orders, units, revenue_cents, conversion`.
Required: day, listing_id, visits, add_to_carts, orders. The export's own conversion is
ignored (it is recomputed from the counts). A later export of the same listing and day
replaces the earlier numbers, since a day exported while still running is incomplete.
"""

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, select

from store_data.csv_rows import RowError, read_csv_rows
from store_data.clock import utcnow
from store_data.errors import CatalogFileError

REQUIRED_COLUMNS = ("day", "listing_id", "visits", "add_to_carts", "orders")
OPTIONAL_COLUMNS = ("sku", "title", "units", "revenue_cents", "conversion")
COUNT_COLUMNS = ("visits", "add_to_carts", "orders", "units", "revenue_cents")


class ListingStat(SQLModel, table=True):
    """One listing's traffic and sales on one marketplace day."""

    __table_args__ = (UniqueConstraint("marketplace", "listing_remote_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    marketplace: str = Field(default="sandbox", max_length=40)
    listing_remote_id: str = Field(max_length=120)
    sku: str = Field(default="", index=True, max_length=80)
    day: date = Field(index=True)  # the marketplace's calendar day, as it reports it
    visits: int = Field(default=0, ge=0)
    add_to_carts: int = Field(default=0, ge=0)
    orders: int = Field(default=0, ge=0)
    units: int = Field(default=0, ge=0)
    revenue_cents: int = Field(default=0, ge=0)
    imported_at: datetime = Field(default_factory=utcnow)


@dataclass
class StatsImportReport:
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0  # stored days the platform no longer reports (a pulled window only)
    errors: list[RowError] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def import_listing_stats(session: Session, path: Path, marketplace: str = "sandbox") -> StatsImportReport:
    """Validate the stats CSV at `path` and upsert its good rows by (marketplace, listing, day).

    Bad rows are reported with row number, column and reason; the caller commits.
    """
    path = Path(path)
    if not path.is_file():
        raise CatalogFileError(f"stats file not found: {path} (export it from the marketplace's stats page as CSV)")
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    return import_stats_text(session, text, str(path), marketplace)


def import_stats_text(session: Session, text: str, source: str, marketplace: str = "sandbox",
                      window: tuple[date, date] | None = None) -> StatsImportReport:
    """Validate stats CSV `text` (named `source` in messages) and upsert its good rows.

    With `window` (first, last day), the export is taken as complete for those days: a
    listing's day stored before but absent from it is removed, so pulling the same days
    again leaves exactly the platform's numbers. The caller commits.
    """
    table = read_csv_rows(text.lstrip("\ufeff"))
    header = [h.strip().lower() for h in (table.header if table else [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing or table is None:
        raise CatalogFileError(
            f"{Path(source).name}: the header lacks {', '.join(missing)}; a stats export has the columns "
            f"{', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}"
        )
    report = StatsImportReport(file=source, rows=table.total, errors=list(table.errors))
    good: dict[tuple[str, date], dict[str, Any]] = {}
    first_row: dict[tuple[str, date], int] = {}
    for number, values in table.rows:
        record = dict(zip(header, values))
        row, errors = _validate(number, record)
        report.errors.extend(errors)
        if row is None:
            continue
        key = (row["listing_remote_id"], row["day"])
        if key in first_row:
            report.errors.append(RowError(number, "listing_id", f"listing {key[0]} on {key[1]} appears twice; "
                                          f"first on row {first_row[key]}", row["sku"]))
            continue
        first_row[key] = number
        good[key] = row
    _upsert(session, marketplace, good, report)
    if window is not None and not report.errors:
        report.removed = _remove_absent(session, marketplace, window, set(good))
    return report


def _validate(number: int, record: dict[str, Any]) -> tuple[dict[str, Any] | None, list[RowError]]:
    sku = (record.get("sku") or "").strip()
    errors: list[RowError] = []
    listing = (record.get("listing_id") or "").strip()
    if not listing:
        errors.append(RowError(number, "listing_id", "missing listing id", sku))
    day_text = (record.get("day") or "").strip()
    day = None
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        errors.append(RowError(number, "day", f"'{day_text}' is not a date; write it like 2026-11-30", sku))
    counts: dict[str, int] = {}
    for column in COUNT_COLUMNS:
        text = (record.get(column) or "").strip()
        if not text:
            if column in REQUIRED_COLUMNS:
                errors.append(RowError(number, column, f"missing {column}; write a whole number, 0 or more", sku))
            else:
                counts[column] = 0
            continue
        try:
            counts[column] = int(text)
        except ValueError:
            errors.append(RowError(number, column, f"'{text}' is not a whole number", sku))
            continue
        if counts[column] < 0:
            errors.append(RowError(number, column, f"negative {column} ({text})", sku))
    if errors:
        return None, errors
    return {"listing_remote_id": listing, "day": day, "sku": sku, **counts}, []


def _upsert(session: Session, marketplace: str, rows: dict[tuple[str, date], dict[str, Any]],
            report: StatsImportReport) -> None:
    if not rows:
        return
    days = {key[1] for key in rows}
    existing = {
        (s.listing_remote_id, s.day): s
        for s in session.exec(select(ListingStat).where(
            ListingStat.marketplace == marketplace, ListingStat.day >= min(days), ListingStat.day <= max(days)))
    }
    for key, row in rows.items():
        stat = existing.get(key)
        if stat is None:
            session.add(ListingStat(marketplace=marketplace, **row))
            report.created += 1
        elif any(getattr(stat, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(stat, k, v)
            stat.imported_at = utcnow()
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()


def _remove_absent(session: Session, marketplace: str, window: tuple[date, date],
                   kept: set[tuple[str, date]]) -> int:
    first, last = window
    stale = [s for s in session.exec(select(ListingStat).where(
        ListingStat.marketplace == marketplace, ListingStat.day >= first, ListingStat.day <= last))
        if (s.listing_remote_id, s.day) not in kept]
    for stat in stale:
        session.delete(stat)
    session.flush()
    return len(stale)
