"""Seller back-office: buyer message threads (per buyer and order) and replies."""

from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import col, select
from starlette.requests import Request

from marketplace.models import Buyer, Message, Order, Thread
from marketplace.security import read_form
from marketplace.web import flash, now, redirect, render, require_seller, session_for

router = APIRouter(prefix="/seller/messages")


@router.get("")
async def inbox(request: Request, show: str = "open"):
    """Threads, latest first; by default those waiting for a reply."""
    require_seller(request)
    query = select(Thread, Buyer, Order).join(Buyer, col(Buyer.id) == col(Thread.buyer_id)) \
        .outerjoin(Order, col(Order.id) == col(Thread.order_id))
    if show == "open":
        query = query.where(Thread.needs_reply)
    with session_for(request) as s:
        rows = s.exec(query.order_by(col(Thread.updated_at).desc()).limit(200)).all()
    return render(request, "seller/messages.html", {"rows": rows, "show": show})


def _thread_page(request: Request, thread_id: int, error: str = "", status: int = 200):
    with session_for(request) as s:
        thread = s.get(Thread, thread_id)
        if thread is None:
            return render(request, "error.html", {"title": "No such thread", "text": ""}, 404)
        messages = s.exec(select(Message).where(Message.thread_id == thread_id).order_by(col(Message.id))).all()
        context = {"thread": thread, "messages": messages, "buyer": s.get(Buyer, thread.buyer_id),
                   "order": s.get(Order, thread.order_id) if thread.order_id else None, "error": error}
    return render(request, "seller/thread.html", context, status)


@router.get("/{thread_id}")
async def thread_page(request: Request, thread_id: int):
    """One conversation with its reply form."""
    require_seller(request)
    return _thread_page(request, thread_id)


@router.post("/{thread_id}/reply")
async def reply(request: Request, thread_id: int):
    """Send the seller's reply to the buyer."""
    require_seller(request)
    form = await read_form(request)
    body = str(form.get("body", "")).strip()
    if not body:
        return _thread_page(request, thread_id, "Write a reply first.", 400)
    with session_for(request) as s:
        thread = s.get(Thread, thread_id)
        if thread is None:
            return _thread_page(request, thread_id)
        at = now(request)
        s.add(Message(thread_id=thread_id, sender="seller", body=body[:5000], at=at))
        thread.needs_reply = False
        thread.updated_at = at
        s.add(thread)
        s.commit()
    flash(request, "Reply sent.")
    return redirect(f"/seller/messages/{thread_id}")
