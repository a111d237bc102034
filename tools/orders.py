"""Order actions on the marketplace: ship, cancel, refund, decide a buyer's request, resolve
an order without stock; and read-only views of the shop's orders for the planner.

Every action derives an idempotency key (shop, action, target), looks for it in the shop's
records (Shipment/Payment.idempotency_key) and lets the driver read the platform's state
before it acts (already shipped? a refund with this key in its note?), then reconciles the
order from what the platform shows. A retried or resumed call never acts twice. Each
`preview_*` gives the approval policy the facts it needs (amount_cents, needs_person); each
call that can move money says in `moved_cents` what the platform's records show it moved
(the approval policy's per-run and per-day caps add these up).
"""

from typing import Literal

from sqlmodel import Session, col, select

from store_data.db import session_scope
from store_data.orders import Buyer, Order, OrderLine, Payment, Shipment
from store_data.rows import stored
from store_data.status import OrderStatus
from tools.deps import ToolDeps
from tools.drivers.marketplace import CANCEL, REFUND, RETURNS, SHIP, RemoteOrder
from tools.errors import NeedsOwner, ToolFailed, ToolRetry
from tools.order_address import HOLDS
from tools.order_policy import (KEY_PREFIX, check_cancel, find_order, idempotency_key, recorded_shipped,
                                refund_amount, return_verdict, tracking_for)
from tools.order_facts import policy_facts as _policy_facts
from tools.order_retries import clear_failure, flag, record_failure
from tools.order_stock import BACKORDERED, SHORT_FLAGS
from tools.order_sync import reconcile, require_driver
from tools.retail_policy import cancel_reason, pending_refund


def _record(deps: ToolDeps, remote: RemoteOrder) -> Order:
    with session_scope(deps.engine) as session:
        return reconcile(session, deps, remote, {"new": 0, "updated": 0, "changed_outside": [], "flagged": []})


def reread(deps: ToolDeps, driver, number: str) -> RemoteOrder | None:
    """After a failed write the platform may have done all, part or none of it: read the order
    again and record what it shows. None when the platform cannot be read either."""
    try:
        remote = driver.get_order(number)
    except ToolFailed:
        return None
    _record(deps, remote)
    return remote


def flag_failure(deps: ToolDeps, order_id: str, action: str | None, problem: Exception) -> None:
    """Leave the order as the platform shows it, flagged with what failed, and count the failed
    `action` for a later retry (tools/order_retries.py; the evidence is in runs/). A failed
    read (`action` None) only flags it: reading again next time changes nothing."""
    with session_scope(deps.engine) as session:
        order = find_order(session, deps, order_id)
        if action is None:
            flag(session, order, problem)
        else:
            record_failure(session, order, action, problem, deps.settings)


def _clear_failure(deps: ToolDeps, order: Order, action: str) -> None:
    """The action went through: drop the count and flag of its earlier failures."""
    with session_scope(deps.engine) as session:
        clear_failure(session, stored(session, Order, order.id), action)


def _clear_hold(deps: ToolDeps, order: Order) -> None:
    """An order shipped while it waited for a buyer's new address (the owner shipped it), or whose
    buyer's request is decided, waits no more."""
    if order.flag in HOLDS:
        with session_scope(deps.engine) as session:
            shipped = stored(session, Order, order.id)
            shipped.flag = ""
            session.add(shipped)


def ship_order(deps: ToolDeps, order_id: str) -> dict:
    """Ship a paid order on the marketplace with a carrier and tracking number from the shop's
    logistics source, and record the shipment. `order_id` is the marketplace's order number."""
    driver = require_driver(deps, SHIP)
    key = idempotency_key(deps, "ship", order_id)
    with Session(deps.engine) as session:
        order = find_order(session, deps, order_id)
        done = session.exec(select(Shipment).where(Shipment.idempotency_key == key)).first()
        # A parcel recorded on an order the platform still shows paid: an earlier try was cut
        # off half-way (e.g. the shipping event made, the status not moved); the driver finishes it.
        if done is not None and order.status != OrderStatus.PAID:
            return {"order": order.remote_id, "carrier": done.carrier, "tracking": done.tracking_number,
                    "already_done": True}
        if order.status != OrderStatus.PAID:
            raise ToolRetry(f"order {order.remote_id} is {order.status}; only paid orders are shipped")
        if order.flag.startswith(SHORT_FLAGS):
            raise ToolFailed(f"order {order.remote_id} is flagged ({order.flag}); restock or resolve it first")
        number = order.remote_id
    carrier, tracking = tracking_for(deps, number, key)
    try:
        remote = driver.ship(number, carrier, tracking)
    except NeedsOwner:
        raise  # nothing failed: the action waits for the owner
    except ToolFailed as problem:
        found = reread(deps, driver, number)
        if found is None or not _shipped(found):
            flag_failure(deps, number, "ship", problem)
            raise
        remote = found
        # The platform shipped it; only its answer was lost.
    order = _record(deps, remote)  # whatever the platform did, the shop's records say the same
    if not _shipped(remote):
        not_shipped = ToolFailed(f"order {number} is {remote.status} on the marketplace, not shipped; "
                                 "see it in the back-office")
        flag_failure(deps, number, "ship", not_shipped)
        raise not_shipped
    sent = remote.shipments[0]
    _clear_failure(deps, order, "ship")
    _clear_hold(deps, order)
    return {"order": number, "carrier": sent.carrier, "tracking": sent.tracking,
            "shipped_outside": sent.tracking != tracking}


def _shipped(remote: RemoteOrder) -> bool:
    return bool(remote.shipments) and remote.shop_status not in (OrderStatus.PAID, OrderStatus.CANCELLED)


def _cancel_facts(deps: ToolDeps, order_id: str) -> dict:
    """What cancelling moves, by the platform's rules, once code has checked the platform can do it.
    Read from the platform; without a connected one (an owner's edit) from the shop's records."""
    with Session(deps.engine) as session:
        order = find_order(session, deps, order_id)
        number, status, shipped = order.remote_id, order.status, recorded_shipped(session, order)
        left = order.refundable_cents
    if status == OrderStatus.CANCELLED:
        return {"amount_cents": 0, "order": number, "status": status, "already_done": True}
    if deps.driver is None:
        check_cancel(number, status, shipped)
        return {"amount_cents": left, "order": number, "status": status}
    driver = require_driver(deps, CANCEL)
    remote = driver.get_order(number)
    if remote.shop_status == OrderStatus.CANCELLED:
        return {"amount_cents": 0, "order": number, "status": remote.shop_status, "already_done": True}
    check_cancel(number, remote.shop_status, bool(remote.shipments))
    return {"amount_cents": driver.refund_on_cancel(remote), "order": number, "status": remote.shop_status}


def _check_buyer_cancel(deps: ToolDeps, order_id: str, reason: str) -> str:
    """The retail policy: a buyer's cancellation names an accepted reason, and an order whose
    items were modified can no longer be cancelled."""
    with Session(deps.engine) as session:
        order = find_order(session, deps, order_id)
        if order.status == OrderStatus.CANCELLED:
            return order.cancel_reason or reason  # done already: a retry finds it so
        check_cancel(order.remote_id, order.status, recorded_shipped(session, order))
        said = cancel_reason(reason)
        if order.items_modified:
            raise ToolRetry(f"order {order.remote_id} had its items modified, so it can no longer be cancelled")
    return said


def preview_cancel(deps: ToolDeps, order_id: str, reason: str = "") -> dict:
    """Facts: the money a cancellation gives back; a cancel the platform cannot do, or one
    without a reason the policy accepts, is refused."""
    _check_buyer_cancel(deps, order_id, reason)
    return _cancel_facts(deps, order_id)


def cancel_order(deps: ToolDeps, order_id: str, reason: str = "") -> dict:
    """Cancel an order that has not been shipped, at the buyer's request; `reason` is the one the
    buyer confirmed: 'no longer needed' or 'ordered by mistake' (no other is accepted). The
    marketplace refunds what was paid and the shop's reserved stock is released. Shipped orders
    cannot be cancelled (use handle_return)."""
    return _cancel(deps, order_id, _check_buyer_cancel(deps, order_id, reason))


def _cancel(deps: ToolDeps, order_id: str, reason: str) -> dict:
    driver = require_driver(deps, CANCEL)
    with Session(deps.engine) as session:
        order = find_order(session, deps, order_id)
        if order.status == OrderStatus.CANCELLED:
            return {"order": order.remote_id, "status": order.status, "already_done": True, "moved_cents": 0}
        check_cancel(order.remote_id, order.status, recorded_shipped(session, order))
        # The shop's record may lag the platform: what it lacks counts as moved now (never less).
        number, before = order.remote_id, order.refunded_cents
    try:
        remote = driver.cancel(number)
    except NeedsOwner:
        raise
    except ToolFailed as problem:
        found = reread(deps, driver, number)
        if found is None or found.shop_status != OrderStatus.CANCELLED:
            flag_failure(deps, number, "cancel", problem)
            raise
        remote = found
    order = _record(deps, remote)  # whatever the platform did, the shop's records say the same
    if remote.shop_status != OrderStatus.CANCELLED:
        not_cancelled = ToolFailed(f"order {number} is {remote.status} on the marketplace and was not cancelled")
        flag_failure(deps, number, "cancel", not_cancelled)
        raise not_cancelled
    _clear_failure(deps, order, "cancel")
    with session_scope(deps.engine) as session:
        cancelled = find_order(session, deps, number)
        cancelled.cancel_reason = reason[:40]
        session.add(cancelled)
    return {"order": number, "status": order.status, "refunded_cents": order.refunded_cents, "reason": reason,
            "moved_cents": max(0, remote.refunded_cents - before)}


def _refund_key(deps: ToolDeps, order_id: str, amount: int) -> str:
    # One refund of an amount per order and run: a resumed run finds its own refund.
    return idempotency_key(deps, "refund", f"{order_id}:{amount}:{deps.run_id or 'direct'}")


def preview_refund(deps: ToolDeps, order_id: str, amount_cents: int | None = None, reason: str = "") -> dict:
    """Facts: the amount the refund moves (capped by what was paid)."""
    with Session(deps.engine) as session:
        order = find_order(session, deps, order_id)
        pending_refund(_policy_facts(session, order))
        return {"amount_cents": refund_amount(order, amount_cents), "order": order.remote_id,
                "paid_cents": order.paid_cents, "refunded_cents": order.refunded_cents}


def refund_order(deps: ToolDeps, order_id: str, amount_cents: int | None = None, reason: str = "") -> dict:
    """Refund money on a shipped order: `amount_cents`, or everything not yet refunded when
    omitted. Never more than was paid. An order not yet shipped is refunded only by cancelling
    it (cancel_order). Records the refund as a Payment of kind 'refund'."""
    driver = require_driver(deps, REFUND)
    with Session(deps.engine) as session:
        order = find_order(session, deps, order_id)
        pending_refund(_policy_facts(session, order))
        amount = refund_amount(order, amount_cents)
        key = _refund_key(deps, order.remote_id, amount)
        done = session.exec(select(Payment).where(Payment.idempotency_key == key)).first()
        if done is not None:
            return {"order": order.remote_id, "amount_cents": done.amount_cents, "already_done": True, "moved_cents": 0}
        number = order.remote_id
    failure: ToolFailed | None = None
    try:
        remote = driver.refund(number, amount, KEY_PREFIX + key)
    except NeedsOwner:
        raise
    except ToolFailed as problem:
        failure = problem
        found = reread(deps, driver, number)  # a refund made though its answer was lost is found by its key
        if found is None:
            flag_failure(deps, number, "refund", problem)
            raise
        remote = found
    order = _record(deps, remote)
    with Session(deps.engine) as session:
        if session.exec(select(Payment).where(Payment.idempotency_key == key)).first() is None:
            not_refunded = failure or ToolFailed(f"the marketplace shows no refund of {amount} cents on order "
                                                 f"{number}; check it")
            flag_failure(deps, number, "refund", not_refunded)
            raise not_refunded
    _clear_failure(deps, order, "refund")
    return {"order": number, "amount_cents": amount, "status": order.status, "refunded_cents": order.refunded_cents,
            "reason": reason, "moved_cents": amount}


def _open_request(deps: ToolDeps, order_id: str):
    remote = require_driver(deps, RETURNS).get_order(order_id)
    return remote, remote.open_request


def preview_return(deps: ToolDeps, order_id: str, accept: bool = True) -> dict:
    """Facts: the money accepting moves by the platform's rules (an unshipped order's request
    cancels it and refunds it all, whatever was asked), and whether the policy leaves it to the
    owner. Accepting a request the platform can no longer carry out is refused."""
    driver = require_driver(deps, RETURNS)
    remote, request = _open_request(deps, order_id)
    if request is None:
        return {"order": order_id, "request": None, "amount_cents": 0}
    facts = {"order": order_id, "request": request.kind, "asked_cents": request.amount_cents,
             "amount_cents": 0, "buyer_reason": request.reason}
    if not accept:
        return facts
    if remote.shop_status == OrderStatus.CANCELLED:
        raise ToolRetry(f"order {order_id} is cancelled on the marketplace; its buyer's {request.kind} request "
                        "can only be rejected (accept=false)")
    facts["amount_cents"] = driver.refund_on_accept(remote, request)
    if facts["amount_cents"] <= 0:
        raise ToolRetry(f"order {order_id} has nothing left to refund on the marketplace; its buyer's "
                        f"{request.kind} request can only be rejected (accept=false)")
    verdict = return_verdict(remote, request, deps.settings.return_days)
    if verdict.needs_owner:
        facts["needs_person"] = verdict.needs_owner
    return facts


def handle_return(deps: ToolDeps, order_id: str, accept: bool = True) -> dict:
    """Accept (refunds the amount asked; a return marks the goods returned) or reject the buyer's
    open refund or return request on an order."""
    driver = require_driver(deps, RETURNS)
    remote, request = _open_request(deps, order_id)
    if request is None:
        order = _record(deps, remote)
        return {"order": order_id, "status": order.status, "already_done": True, "moved_cents": 0}
    before = remote.refunded_cents
    try:
        remote = driver.decide_request(order_id, request.remote_id, accept)
    except NeedsOwner:
        raise
    except ToolFailed as problem:
        remote = reread(deps, driver, order_id)
        if remote is None or any(r.remote_id == request.remote_id and r.status == "requested" for r in remote.requests):
            flag_failure(deps, order_id, "return", problem)
            raise
        # The platform decided it; only its answer was lost.
    order = _record(deps, remote)
    _clear_failure(deps, order, "return")
    _clear_hold(deps, order)
    if accept and request.kind == "cancellation" and order.status == OrderStatus.CANCELLED:
        with session_scope(deps.engine) as session:
            cancelled = find_order(session, deps, order_id)
            cancelled.cancel_reason = " ".join(request.reason.lower().split())[:40]
            session.add(cancelled)
    return {"order": order_id, "request": request.kind, "accepted": accept, "status": order.status,
            "refunded_cents": order.refunded_cents, "moved_cents": max(0, remote.refunded_cents - before)}


def preview_stockout(deps: ToolDeps, order_id: str, action: Literal["backorder", "refund"] = "backorder") -> dict:
    """Facts: an order without stock is always the owner's call; a refund cancels the order and
    moves what the platform gives back on a cancel."""
    with Session(deps.engine) as session:
        order = find_order(session, deps, order_id)
        number, flag = order.remote_id, order.flag
    amount = _cancel_facts(deps, number)["amount_cents"] if action == "refund" else 0
    return {"needs_person": f"order {number} has no stock ({flag}); proposed: {action}",
            "amount_cents": amount, "order": number}


def resolve_stockout(deps: ToolDeps, order_id: str, action: Literal["backorder", "refund"] = "backorder") -> dict:
    """For a paid order the shop has no stock for: 'backorder' keeps it and ships when stock
    returns; 'refund' cancels it on the marketplace, which refunds the buyer."""
    if action == "refund":
        # The shop's own decision (it has no stock), not a buyer's cancellation.
        return _cancel(deps, order_id, reason="out of stock")
    with session_scope(deps.engine) as session:
        order = find_order(session, deps, order_id)
        if not order.flag.startswith(SHORT_FLAGS):
            return {"order": order.remote_id, "status": order.status, "flag": order.flag, "already_done": True,
                    "moved_cents": 0}
        order.flag = f"{BACKORDERED}: {order.flag.split(': ', 1)[-1]}"
        session.add(order)
        return {"order": order.remote_id, "status": order.status, "flag": order.flag, "moved_cents": 0}


def list_orders(deps: ToolDeps, status: str | None = None, limit: int = 50) -> list[dict]:
    """The shop's orders, newest first, optionally of one status (paid, shipped, delivered,
    cancelled, refund_requested, refunded, return_requested, returned, change_requested, exchange_requested,
    closed)."""
    if status is not None and status not in {s.value for s in OrderStatus}:
        raise ToolRetry(f"unknown status '{status}'; use one of {', '.join(s.value for s in OrderStatus)}")
    with Session(deps.engine) as session:
        query = select(Order).order_by(col(Order.placed_at).desc(), col(Order.id).desc()).limit(max(1, min(limit, 500)))
        if status:
            query = query.where(Order.status == status)
        return [{"order": o.remote_id, "marketplace": o.marketplace, "status": o.status, "currency": o.currency,
                 "total_cents": o.total_cents,
                 "refunded_cents": o.refunded_cents, "placed_at": o.placed_at.isoformat(), "flag": o.flag}
                for o in session.exec(query)]


def show_order(deps: ToolDeps, order_id: str) -> dict:
    """One order with its buyer, lines, payments, refunds and shipments, from the shop's records
    (an order imported from another platform's history is found by its number too)."""
    with Session(deps.engine) as session:
        order = _any_order(session, deps, order_id)
        buyer = session.get(Buyer, order.buyer_id) if order.buyer_id else None
        return {
            "order": order.remote_id, "id": order.id, "marketplace": order.marketplace, "status": order.status,
            "flag": order.flag, "placed_at": order.placed_at.isoformat(), "currency": order.currency,
            "total_cents": order.total_cents,
            "paid_cents": order.paid_cents, "refunded_cents": order.refunded_cents, "address": order.address,
            "buyer": {"name": buyer.name, "email": buyer.email} if buyer else None,
            "lines": [{"sku": li.sku, "name": li.name, "quantity": li.quantity, "unit_price_cents": li.unit_price_cents}
                      for li in session.exec(select(OrderLine).where(OrderLine.order_id == order.id))],
            "payments": [{"kind": p.kind, "amount_cents": p.amount_cents, "reason": p.reason}
                         for p in session.exec(select(Payment).where(Payment.order_id == order.id).order_by(col(Payment.id)))],
            "shipments": [{"carrier": s.carrier, "tracking": s.tracking_number}
                          for s in session.exec(select(Shipment).where(Shipment.order_id == order.id))],
        }


def _any_order(session: Session, deps: ToolDeps, order_id: str) -> Order:
    """The order on this run's marketplace, else the one order of that number from any other
    (imported history); reading only, so no platform mix-up can move money."""
    try:
        return find_order(session, deps, order_id)
    except ToolRetry:
        found = session.exec(select(Order).where(Order.remote_id == order_id.strip())).all()
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ToolRetry(f"order '{order_id}' exists on {', '.join(sorted(o.marketplace for o in found))}; "
                            "use the shop's id from list_orders") from None
        raise
