"""Seller back-office: the inventory page, every SKU's units in one form.

A seller who sells the same goods elsewhere keeps this page in step with their other
channels, so it sets units directly (not by difference): posting the same numbers twice
changes nothing.
"""

from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import Session, col, select
from starlette.requests import Request

from marketplace.models import Listing, Variant
from marketplace.security import read_form
from marketplace.web import flash, now, redirect, render, require_seller, session_for

router = APIRouter(prefix="/seller/inventory")
FIELD = "stock:"  # the form field of a SKU's units is "stock:<sku>"
MAX_UNITS = 1_000_000


def _rows(s: Session) -> list[tuple[str, str, Listing, Variant | None]]:
    """(sku, what it is, listing, variant) for every SKU on a listing that is not deleted:
    a listing's variants, or the listing itself when it has none."""
    rows: list[tuple[str, str, Listing, Variant | None]] = []
    listings = s.exec(select(Listing).where(Listing.status != "deleted").order_by(col(Listing.id))).all()
    for listing in listings:
        variants = s.exec(select(Variant).where(Variant.listing_id == listing.id).order_by(col(Variant.id))).all()
        if not variants:
            rows.append((listing.sku, listing.title, listing, None))
        for variant in variants:
            rows.append((variant.sku, f"{listing.title} ({variant.label()})", listing, variant))
    return rows


def _page(request: Request, s: Session, error: str = "", status: int = 200):
    rows = [{"sku": sku, "what": what, "status": listing.status,
             "stock": variant.stock if variant is not None else listing.stock}
            for sku, what, listing, variant in _rows(s)]
    return render(request, "seller/inventory.html", {"rows": rows, "error": error}, status)


@router.get("")
async def inventory(request: Request):
    """Every SKU with its units."""
    require_seller(request)
    with session_for(request) as s:
        return _page(request, s)


@router.post("")
async def save_inventory(request: Request):
    """Set the units of the SKUs the form names; a bad number or an unknown SKU changes nothing."""
    require_seller(request)
    form = await read_form(request)
    at = now(request)
    with session_for(request) as s:
        known = {sku: (listing, variant) for sku, _, listing, variant in _rows(s)}
        changed = 0
        for name, value in form.multi_items():
            if not name.startswith(FIELD) or not isinstance(value, str):
                continue
            sku = name.removeprefix(FIELD)
            if sku not in known:
                s.rollback()
                return _page(request, s, f"No listing has the SKU {sku}.", 400)
            text = value.strip()
            if not text.isdigit() or int(text) > MAX_UNITS:
                s.rollback()
                return _page(request, s, f"Units for {sku} must be a whole number from 0 to {MAX_UNITS}.", 400)
            listing, variant = known[sku]
            target = variant if variant is not None else listing
            if target.stock != int(text):
                target.stock = int(text)
                listing.updated_at = at
                s.add(target)
                s.add(listing)
                changed += 1
        s.commit()
    flash(request, f"Stock saved ({changed} SKU{'s' if changed != 1 else ''} changed).")
    return redirect("/seller/inventory")
