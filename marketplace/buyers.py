"""Buyer profiles: the default address a buyer keeps with the marketplace. The buyer sees and
changes it from an order's page (guests have no login: the order's link is their key); the
seller changes it in the back-office, e.g. when a buyer asks by message."""

from __future__ import annotations

import json

from fastapi import APIRouter
from sqlmodel import Session, select
from starlette.requests import Request

from marketplace import orders as ops
from marketplace.buyer_orders import visible_order
from marketplace.models import Buyer
from marketplace.security import read_form
from marketplace.web import flash, redirect, render, require_seller, session_for

router = APIRouter()
ADDRESS_FIELDS = ("name", "address1", "address2", "city", "region", "postcode", "country")
REQUIRED = ("address1", "city", "postcode", "country")


def set_default_address(buyer: Buyer, address: dict[str, str]) -> None:
    """Keep `address` as the buyer's default; raise OrderError naming what it lacks."""
    cleaned = {k: str(address.get(k, "") or "").strip()[:200] for k in ADDRESS_FIELDS}
    missing = [k for k in REQUIRED if not cleaned[k]]
    if missing:
        raise ops.OrderError("Please fill in: " + ", ".join(missing) + ".")
    cleaned["name"] = cleaned["name"] or buyer.name
    buyer.address = json.dumps(cleaned)


def _form_address(form) -> dict[str, str]:
    return {k: str(form.get(k, "")) for k in ADDRESS_FIELDS}


def _buyer_page(request: Request, template: str, buyer: Buyer, context: dict, error: str = "", status: int = 200):
    values = buyer.default_address() if not error else context.pop("values")
    return render(request, template, {**context, "buyer": buyer, "values": values, "error": error}, status)


def _order_not_found(request: Request):
    return render(request, "error.html", {"title": "Order not found",
                                          "text": "Use the link from your order confirmation."}, 404)


@router.get("/orders/{number}/address-book")
async def address_book(request: Request, number: str, key: str = ""):
    """The buyer's default address, reached from one of their orders."""
    with session_for(request) as s:
        order = visible_order(request, s, number, key)
        buyer = s.get(Buyer, order.buyer_id) if order else None
        if order is None or buyer is None:
            return _order_not_found(request)
        return _buyer_page(request, "shop/address_book.html", buyer, {"order": order, "key": order.access_key})


@router.post("/orders/{number}/address-book")
async def change_address_book(request: Request, number: str):
    """The buyer changes their default address (orders already placed keep theirs)."""
    form = await read_form(request)
    key = str(form.get("key", ""))
    with session_for(request) as s:
        order = visible_order(request, s, number, key)
        buyer = s.get(Buyer, order.buyer_id) if order else None
        if order is None or buyer is None:
            return _order_not_found(request)
        try:
            set_default_address(buyer, _form_address(form))
        except ops.OrderError as exc:
            return _buyer_page(request, "shop/address_book.html", buyer,
                               {"order": order, "key": order.access_key, "values": _form_address(form)}, str(exc), 400)
        s.add(buyer)
        s.commit()
        key = order.access_key
    flash(request, "Your default address is saved.")
    return redirect(f"/orders/{number}/address-book?key={key}")


def _find(s: Session, email: str) -> Buyer | None:
    return s.exec(select(Buyer).where(Buyer.email == email.strip().lower())).first() if email.strip() else None


@router.get("/seller/buyers")
async def buyer_page(request: Request, email: str = ""):
    """The seller looks a buyer up by e-mail: their name and default address."""
    require_seller(request)
    with session_for(request) as s:
        buyer = _find(s, email)
    if buyer is None:
        return render(request, "seller/buyer.html", {"buyer": None, "email": email, "values": {}, "error":
                      "No buyer with that e-mail." if email.strip() else ""}, 404 if email.strip() else 200)
    return _buyer_page(request, "seller/buyer.html", buyer, {"email": buyer.email})


@router.post("/seller/buyers/{buyer_id}/address")
async def change_buyer_address(request: Request, buyer_id: int):
    """The seller changes a buyer's default address (their placed orders keep theirs)."""
    require_seller(request)
    form = await read_form(request)
    with session_for(request) as s:
        buyer = s.get(Buyer, buyer_id)
        if buyer is None:
            return render(request, "seller/buyer.html", {"buyer": None, "email": "", "values": {},
                                                         "error": "No such buyer."}, 404)
        try:
            set_default_address(buyer, _form_address(form))
        except ops.OrderError as exc:
            return _buyer_page(request, "seller/buyer.html", buyer,
                               {"email": buyer.email, "values": _form_address(form)}, str(exc), 400)
        s.add(buyer)
        s.commit()
        email = buyer.email
    flash(request, f"Default address of {email} changed.")
    return redirect(f"/seller/buyers?email={email}")
