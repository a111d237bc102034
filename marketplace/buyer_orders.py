"""Storefront for buyers after checkout: order status, delivery, requests, messages, reviews."""

from __future__ import annotations

import hmac

from fastapi import APIRouter
from sqlmodel import Session, col, select
from starlette.requests import Request

from marketplace import orders as ops
from marketplace.models import (Buyer, Message, Order, OrderItem, Payment, ReturnRequest, Review, Shipment, Thread,
                                Variant)
from marketplace.security import form_int, read_form
from marketplace.web import flash, now, redirect, render, session_for

router = APIRouter()


def visible_order(request: Request, s: Session, number: str, key: str) -> Order | None:
    """The order if this buyer may see it: bought in this session, or the link's key."""
    order = s.exec(select(Order).where(Order.number == number)).first()
    if order is None:
        return None
    if number in request.session.get("orders", []) or (key and hmac.compare_digest(key, order.access_key)):
        return order
    return None


def _page(request: Request, number: str, key: str, error: str = "", status: int = 200):
    with session_for(request) as s:
        order = visible_order(request, s, number, key)
        if order is None:
            return render(request, "error.html", {"title": "Order not found",
                                                  "text": "Use the link from your order confirmation."}, 404)
        thread = s.exec(select(Thread).where(Thread.order_id == order.id)).first()
        items = s.exec(select(OrderItem).where(OrderItem.order_id == order.id)).all()
        reviewed = {r.listing_id for r in s.exec(select(Review).where(Review.order_id == order.id))}
        context = {
            "order": order, "key": order.access_key, "items": items, "error": error,
            "shipments": s.exec(select(Shipment).where(Shipment.order_id == order.id)).all(),
            "payments": s.exec(select(Payment).where(Payment.order_id == order.id).order_by(col(Payment.id))).all(),
            "requests": s.exec(select(ReturnRequest).where(ReturnRequest.order_id == order.id)).all(),
            "messages": s.exec(select(Message).where(Message.thread_id == thread.id)
                               .order_by(col(Message.id))).all() if thread else [],
            "request_kinds": sorted(set(ops.REQUEST_KINDS.get(order.status, set())) - {"cancellation", *ops.SWAP_KINDS}),
            "waiting": ops.open_request(s, order) is not None,  # one request at a time: no forms meanwhile
            "can_cancel": "cancellation" in ops.REQUEST_KINDS.get(order.status, set()),
            "cancel_reasons": ops.CANCEL_REASONS,
            "swap_kind": _swap_kind(s, order, items),
            "options": _other_options(s, items),
            "reviewable": [i for i in items if i.listing_id and i.listing_id not in reviewed]
            if order.status == ops.Status.DELIVERED else [],
        }
    return render(request, "shop/order.html", context, status)


def _swap_kind(s: Session, order: Order, items) -> str:
    """The change a buyer may ask for now: 'change' (unshipped), 'exchange' (delivered), '' (none:
    another status, or the order was changed once already)."""
    kind = next((k for k in ops.SWAP_KINDS if k in ops.REQUEST_KINDS.get(order.status, set())), "")
    if order.items_modified or any(i.exchange_sku for i in items):
        return ""
    return kind


def _other_options(s: Session, items) -> dict[int, list[Variant]]:
    """Per order item, the other options of its product in stock (what it may become)."""
    found: dict[int, list[Variant]] = {}
    for item in items:
        if item.listing_id and item.variant_id:
            found[item.id] = list(s.exec(select(Variant).where(Variant.listing_id == item.listing_id,
                                                               Variant.sku != item.sku, Variant.stock > 0)
                                         .order_by(col(Variant.id))))
    return found


@router.get("/orders/{number}")
async def order_status(request: Request, number: str, key: str = ""):
    """The buyer's order page: status, tracking, payments, requests, messages."""
    return _page(request, number, key)


async def _buyer_act(request: Request, number: str, action):
    form = await read_form(request)
    key = str(form.get("key", ""))
    with session_for(request) as s:
        order = visible_order(request, s, number, key)
        if order is None:
            return _page(request, number, key)
        try:
            notice = action(s, order, form, now(request))
        except ops.IllegalMove as exc:
            s.rollback()
            return _page(request, number, key, str(exc), 409)
        except ops.OrderError as exc:
            s.rollback()
            return _page(request, number, key, str(exc), 400)
        s.commit()
        key = order.access_key
    flash(request, notice)
    return redirect(f"/orders/{number}?key={key}")


@router.post("/orders/{number}/received")
async def confirm_received(request: Request, number: str):
    """The buyer confirms the parcel arrived."""
    def action(s, order, form, at):
        ops.confirm_delivery(s, order, at)
        return "Thanks for confirming delivery."
    return await _buyer_act(request, number, action)


@router.post("/orders/{number}/request")
async def request_refund(request: Request, number: str):
    """Ask for a refund (money only), a return (send the goods back), a cancellation, or other
    options of the items (a change before shipping, an exchange after delivery)."""
    def action(s, order, form, at):
        text = str(form.get("amount", "")).strip()
        amount = ops.parse_money(text) if text else None
        units, swaps = {}, {}
        for item in s.exec(select(OrderItem).where(OrderItem.order_id == order.id)):
            count = str(form.get(f"return_{item.id}", "") or "0").strip()
            if not count.isdigit():
                raise ops.OrderError(f"{count!r} is not a number of {item.title}.")
            units[item.sku] = int(count)
            swaps[item.sku] = str(form.get(f"swap_{item.id}", "")).strip()
        req = ops.request_return(s, order, str(form.get("kind", "")), str(form.get("reason", "")), amount, at, units,
                                 swaps)
        return f"Your {req.kind} request was sent to the seller."
    return await _buyer_act(request, number, action)


def post_message(s: Session, buyer_id: int, order_id: int | None, subject: str, body: str, at) -> Thread:
    """Add a buyer message to the thread for (buyer, order), opening one if needed."""
    body = body.strip()
    if not body:
        raise ops.OrderError("Write a message first.")
    thread = s.exec(select(Thread).where(Thread.buyer_id == buyer_id, Thread.order_id == order_id)).first()
    if thread is None:
        thread = Thread(buyer_id=buyer_id, order_id=order_id, subject=subject[:120] or "Question", updated_at=at)
        s.add(thread)
        s.flush()
    assert thread.id is not None, "a stored thread has an id"
    thread.needs_reply = True
    thread.updated_at = at
    s.add_all([thread, Message(thread_id=thread.id, sender="buyer", body=body[:5000], at=at)])
    return thread


@router.post("/orders/{number}/message")
async def message_about_order(request: Request, number: str):
    """Message the seller about this order."""
    def action(s, order, form, at):
        post_message(s, order.buyer_id, order.id, f"Order {order.number}", str(form.get("body", "")), at)
        return "Message sent to the seller."
    return await _buyer_act(request, number, action)


@router.post("/orders/{number}/review")
async def review(request: Request, number: str):
    """Rate a product from a delivered order, once."""
    def action(s, order, form, at):
        if order.status != ops.Status.DELIVERED:
            raise ops.IllegalMove("You can review once the order is delivered.")
        listing_id = form_int(form, "listing_id")
        rating = str(form.get("rating", ""))
        items = {i.listing_id for i in s.exec(select(OrderItem).where(OrderItem.order_id == order.id))}
        if listing_id not in items or rating not in {"1", "2", "3", "4", "5"}:
            raise ops.OrderError("Choose a product from this order and a rating from 1 to 5.")
        if s.exec(select(Review).where(Review.order_id == order.id, Review.listing_id == listing_id)).first():
            raise ops.IllegalMove("You already reviewed this product.")
        s.add(Review(listing_id=listing_id, buyer_id=order.buyer_id, order_id=order.id, rating=int(rating),
                     body=str(form.get("body", "")).strip()[:2000], at=at))
        return "Thanks for your review."
    return await _buyer_act(request, number, action)


@router.get("/contact")
async def contact_page(request: Request):
    """Message the seller without an order (questions before buying)."""
    return render(request, "shop/contact.html", {"error": "", "values": {}, "sent": False})


@router.post("/contact")
async def contact(request: Request):
    """Send a question; the seller sees it in one thread per buyer."""
    form = await read_form(request)
    values = {k: str(form.get(k, "")).strip() for k in ("name", "email", "subject", "body")}
    if not values["name"] or "@" not in values["email"] or not values["body"]:
        return render(request, "shop/contact.html", {"error": "Name, email and a message are needed.",
                                                     "values": values, "sent": False}, 400)
    at = now(request)
    with session_for(request) as s:
        email = values["email"].lower()[:200]
        buyer = s.exec(select(Buyer).where(Buyer.email == email)).first()
        if buyer is None:
            buyer = Buyer(email=email, name=values["name"][:100], created_at=at)
            s.add(buyer)
            s.flush()
        assert buyer.id is not None, "a stored buyer has an id"
        post_message(s, buyer.id, None, values["subject"], values["body"], at)
        s.commit()
    return render(request, "shop/contact.html", {"error": "", "values": {}, "sent": True})
