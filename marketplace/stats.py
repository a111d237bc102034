"""Seller back-office: visits, add-to-carts, orders and conversion per listing per day."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

from fastapi import APIRouter
from sqlalchemy import func as sa_func
from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import Response

from marketplace.models import Event, Listing, Order, OrderItem
from marketplace.web import now, render, require_seller, session_for

router = APIRouter(prefix="/seller")
COLUMNS = ["day", "listing_id", "sku", "title", "visits", "add_to_carts", "orders", "units",
           "revenue_cents", "conversion"]


def daily_stats(s: Session, start: date, end: date) -> list[dict]:
    """One row per listing and day with any traffic or sales in [start, end].

    Conversion is orders / visits for that listing and day (0 when nobody visited).
    """
    lo = datetime.combine(start, datetime.min.time())
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time())
    day = sa_func.date(Event.at)
    rows: dict[tuple, dict] = {}

    def row(key):
        return rows.setdefault(key, {"visits": 0, "add_to_carts": 0, "orders": 0, "units": 0,
                                     "revenue_cents": 0})

    events = select(day, Event.listing_id, Event.kind, sa_func.count()).where(
        Event.at >= lo, Event.at < hi).group_by(day, col(Event.listing_id), col(Event.kind))
    for d, listing_id, kind, n in s.exec(events):
        row((d, listing_id))["visits" if kind == "visit" else "add_to_carts"] += n
    oday = sa_func.date(Order.created_at)
    # SQLModel types select() for up to 4 columns; it takes any number.
    sales = select(  # type: ignore[call-overload]
        oday, col(OrderItem.listing_id), sa_func.count(sa_func.distinct(Order.id)),
        sa_func.sum(OrderItem.qty), sa_func.sum(col(OrderItem.qty) * col(OrderItem.unit_cents))) \
        .join(Order, col(Order.id) == col(OrderItem.order_id)) \
        .where(Order.created_at >= lo, Order.created_at < hi, col(OrderItem.listing_id).is_not(None)) \
        .group_by(oday, col(OrderItem.listing_id))
    for d, listing_id, n, units, revenue in s.exec(sales):
        r = row((d, listing_id))
        r["orders"], r["units"], r["revenue_cents"] = n, units or 0, revenue or 0
    listings = {x.id: x for x in s.exec(select(Listing).where(col(Listing.id).in_({k[1] for k in rows})))}
    result = []
    for (d, listing_id), r in sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1]), reverse=True):
        listing = listings.get(listing_id)
        result.append({"day": d, "listing_id": listing_id, "sku": listing.sku if listing else "",
                       "title": listing.title if listing else "", **r,
                       "conversion": round(r["orders"] / r["visits"], 4) if r["visits"] else 0.0})
    return result


def _range(request: Request, date_from: str, date_to: str) -> tuple[date, date]:
    today = now(request).date()
    try:
        end = date.fromisoformat(date_to) if date_to else today
        start = date.fromisoformat(date_from) if date_from else end - timedelta(days=29)
    except ValueError:
        end, start = today, today - timedelta(days=29)
    return start, end


@router.get("/stats")
async def stats_page(request: Request, date_from: str = "", date_to: str = ""):
    """The stats table for a date range (default: the last 30 days)."""
    require_seller(request)
    start, end = _range(request, date_from, date_to)
    with session_for(request) as s:
        rows = daily_stats(s, start, end)
    totals = {k: sum(r[k] for r in rows) for k in ("visits", "add_to_carts", "orders", "revenue_cents")}
    return render(request, "seller/stats.html", {"rows": rows, "start": start, "end": end, "totals": totals})


@router.get("/stats.csv")
async def stats_csv(request: Request, date_from: str = "", date_to: str = ""):
    """The same rows as CSV, for a spreadsheet or pandas."""
    require_seller(request)
    start, end = _range(request, date_from, date_to)
    with session_for(request) as s:
        rows = daily_stats(s, start, end)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows({k: _as_text_cell(v) for k, v in row.items()} for row in rows)
    return Response(buf.getvalue(), media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="stats-{start}-{end}.csv"'})


def _as_text_cell(value):
    """A seller's title that starts like a formula (=, +, -, @, tab, CR) gets a leading ', so a
    spreadsheet shows it as text instead of running it."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value
