"""Seller back-office: login, the order list and one order's page with its actions."""

from __future__ import annotations

import math
from urllib.parse import urlencode
from datetime import date, datetime, timedelta

from fastapi import APIRouter, Query
from sqlmodel import col, func, or_, select
from starlette.requests import Request

from marketplace import orders as ops
from marketplace.models import Buyer, Order, OrderItem, Payment, ReturnRequest, Seller, Shipment, Thread
from marketplace.security import login_seller, logout, read_form, verify_password
from marketplace.web import flash, now, redirect, render, require_seller, session_for

router = APIRouter(prefix="/seller")
PAGE_SIZE = 20


@router.get("/login")
async def login_page(request: Request, next: str = "/seller/orders", expired: int = 0):
    """The login form."""
    error = "Your session expired. Please log in again." if expired else ""
    return render(request, "seller/login.html", {"next": next, "error": error, "email": ""})


@router.post("/login")
async def login(request: Request):
    """Check email and password; a run of failures locks the email for a while."""
    form = await read_form(request)
    email = str(form.get("email", "")).strip().lower()
    password = str(form.get("password", ""))
    target = str(form.get("next") or "/seller/orders")
    if not target.startswith("/seller") or target.startswith("//"):
        target = "/seller/orders"  # never redirect off the site
    throttle = request.app.state.throttle
    context = {"next": target, "email": email}
    if throttle.blocked(email):
        return render(request, "seller/login.html",
                      {**context, "error": "Too many failed logins. Wait 15 minutes and try again."}, 429)
    with session_for(request) as s:
        seller = s.exec(select(Seller).where(Seller.email == email)).first()
    if seller is None or not verify_password(password, seller.password_hash):
        throttle.failed(email)
        return render(request, "seller/login.html", {**context, "error": "Wrong email or password."}, 401)
    throttle.succeeded(email)
    assert seller.id is not None, "a stored seller has an id"
    login_seller(request, seller.id)
    return redirect(target)


@router.post("/logout")
async def logout_action(request: Request):
    """End the seller's session."""
    await read_form(request)
    logout(request)
    return redirect("/seller/login")


@router.get("")
async def home(request: Request):
    """The back-office home: what needs doing today."""
    require_seller(request)
    with session_for(request) as s:
        counts = dict(s.exec(select(Order.status, func.count()).group_by(Order.status)).all())
        open_requests = s.exec(select(func.count()).select_from(ReturnRequest)
                               .where(ReturnRequest.status == "requested")).one()
        unanswered = s.exec(select(func.count()).select_from(Thread).where(Thread.needs_reply)).one()
    return render(request, "seller/home.html", {"counts": counts, "open_requests": open_requests,
                                                "unanswered": unanswered})


def _parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/orders")
async def order_list(request: Request, status: str = "", date_from: str = "", date_to: str = "",
                     q: str = "", request_state: str = Query("", alias="request"), page: int = 1):
    """Orders, newest first, 20 a page, filtered by status, date range, search text and
    (request=open) whether a refund or return request waits for the seller."""
    require_seller(request)
    start, end = _parse_day(date_from), _parse_day(date_to)
    query = select(Order, Buyer).join(Buyer, col(Buyer.id) == col(Order.buyer_id))
    if status:
        query = query.where(Order.status == status)
    if request_state == "open":
        query = query.where(col(Order.id).in_(select(ReturnRequest.order_id)
                                              .where(ReturnRequest.status == "requested")))
    if start:
        query = query.where(Order.created_at >= datetime.combine(start, datetime.min.time()))
    if end:
        query = query.where(Order.created_at < datetime.combine(end + timedelta(days=1), datetime.min.time()))
    if q.strip():
        like = f"%{q.strip()}%"
        query = query.where(or_(col(Order.number).like(like), col(Buyer.email).like(like),
                                col(Buyer.name).like(like)))
    with session_for(request) as s:
        total = s.exec(select(func.count()).select_from(query.subquery())).one()
        pages = max(1, math.ceil(total / PAGE_SIZE))
        page = min(max(1, page), pages)
        rows = s.exec(query.order_by(col(Order.created_at).desc(), col(Order.id).desc())
                      .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    filters = {"status": status, "date_from": start.isoformat() if start else "",
               "date_to": end.isoformat() if end else "", "q": q.strip(),
               "request": "open" if request_state == "open" else ""}
    return render(request, "seller/orders.html", {
        "rows": rows, "total": total, "page": page, "pages": pages, "filters": filters,
        "statuses": [s.value for s in ops.Status],
        "query": urlencode({k: v for k, v in filters.items() if v}),
    })


def _detail(request: Request, number: str, error: str = "", status: int = 200):
    with session_for(request) as s:
        order = s.exec(select(Order).where(Order.number == number)).first()
        if order is None:
            return render(request, "error.html", {"title": "No such order",
                                                  "text": f"There is no order {number}."}, 404)
        context = {
            "order": order,
            "buyer": s.get(Buyer, order.buyer_id),
            "items": s.exec(select(OrderItem).where(OrderItem.order_id == order.id)).all(),
            "payments": s.exec(select(Payment).where(Payment.order_id == order.id).order_by(col(Payment.id))).all(),
            "shipments": s.exec(select(Shipment).where(Shipment.order_id == order.id)).all(),
            "requests": s.exec(select(ReturnRequest).where(ReturnRequest.order_id == order.id)
                               .order_by(col(ReturnRequest.id))).all(),
            "threads": s.exec(select(Thread).where(Thread.order_id == order.id)).all(),
            "allowed": ops.MOVES[order.status],
            "error": error,
        }
    return render(request, "seller/order.html", context, status)


@router.get("/orders/{number}")
async def order_detail(request: Request, number: str):
    """One order: items, buyer, address, payments and refunds, shipments, requests."""
    require_seller(request)
    return _detail(request, number)


async def _act(request: Request, number: str, action) -> object:
    """Run one order action in a transaction; show the order again with any refusal."""
    require_seller(request)
    form = await read_form(request)
    with session_for(request) as s:
        order = s.exec(select(Order).where(Order.number == number)).first()
        if order is None:
            return _detail(request, number)
        try:
            notice = action(s, order, form, now(request))
        except ops.IllegalMove as exc:
            s.rollback()
            return _detail(request, number, str(exc), 409)
        except ops.OrderError as exc:
            s.rollback()
            return _detail(request, number, str(exc), 400)
        s.commit()
    flash(request, notice)
    return redirect(f"/seller/orders/{number}")


@router.post("/orders/{number}/ship")
async def ship(request: Request, number: str):
    """Ship with a carrier and a tracking number."""
    def action(s, order, form, at):
        ops.ship_order(s, order, str(form.get("carrier", "")), str(form.get("tracking", "")), at)
        return f"Order {order.number} shipped."
    return await _act(request, number, action)


@router.post("/orders/{number}/cancel")
async def cancel(request: Request, number: str):
    """Cancel an unshipped order; what was paid is refunded."""
    def action(s, order, form, at):
        ops.cancel_order(s, order, at)
        return f"Order {order.number} cancelled and refunded."
    return await _act(request, number, action)


@router.post("/orders/{number}/refund")
async def refund(request: Request, number: str):
    """Refund an amount (full or partial) up to what is still refundable."""
    def action(s, order, form, at):
        amount = ops.parse_money(str(form.get("amount", "")))
        ops.refund_order(s, order, amount, str(form.get("note", "")), at)
        return f"Refunded {ops.cents(amount)} on order {order.number}."
    return await _act(request, number, action)


@router.post("/orders/{number}/requests/{request_id}/{decision}")
async def decide(request: Request, number: str, request_id: int, decision: str):
    """Accept or reject the buyer's refund or return request."""
    def action(s, order, form, at):
        req = s.get(ReturnRequest, request_id)
        if req is None or req.order_id != order.id or decision not in {"accept", "reject"}:
            raise ops.OrderError("No such request on this order.")
        ops.decide_request(s, order, req, decision == "accept", at)
        return f"{req.kind.capitalize()} request {req.status}."
    return await _act(request, number, action)


@router.post("/orders/{number}/return-items")
async def return_items(request: Request, number: str):
    """Take back chosen items of a delivered order; their price is refunded."""
    def action(s, order, form, at):
        units = {}
        for item in s.exec(select(OrderItem).where(OrderItem.order_id == order.id)):
            text = str(form.get(f"return_{item.id}", "") or "0").strip()
            if not text.isdigit():
                raise ops.OrderError(f"{text!r} is not a number of units of {item.sku}.")
            units[item.sku] = int(text)
        refund = ops.return_items(s, order, units, str(form.get("method", "")), str(form.get("note", "")), at)
        return f"Took back {sum(units.values())} item(s) of order {order.number}; refunded {ops.cents(refund.amount_cents)}."
    return await _act(request, number, action)


@router.post("/orders/{number}/change-items")
async def change_items(request: Request, number: str):
    """Change a pending order's items, or exchange a delivered order's, for other options."""
    def action(s, order, form, at):
        swaps = {}
        for item in s.exec(select(OrderItem).where(OrderItem.order_id == order.id)):
            new = str(form.get(f"swap_{item.id}", "")).strip()
            if new:
                swaps[item.sku] = new
        difference = ops.swap_items(s, order, swaps, str(form.get("method", "")), str(form.get("note", "")), at)
        return f"Items of order {order.number} changed; price difference {ops.cents(difference)}."
    return await _act(request, number, action)


@router.post("/orders/{number}/payment-method")
async def payment_method(request: Request, number: str):
    """Pay an unshipped order with another method; the old one is refunded."""
    def action(s, order, form, at):
        ops.change_payment(s, order, str(form.get("method", "")), str(form.get("note", "")), at)
        return f"Order {order.number} is paid with {order.payment_method}."
    return await _act(request, number, action)


@router.post("/orders/{number}/address")
async def change_address(request: Request, number: str):
    """Change the shipping address of an unshipped order (buyers ask by message)."""
    def action(s, order, form, at):
        fields = ("name", "address1", "address2", "city", "region", "postcode", "country")
        ops.change_address(s, order, ops.Address(**{k: str(form.get(k, "")).strip() for k in fields}), at)
        return f"Address of order {order.number} changed."
    return await _act(request, number, action)
