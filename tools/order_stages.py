"""The daily loop's order stages. Each decides in code which calls follow and returns them
as follow-ups, so every ship, refund or decision is its own gated, recorded, resumable step.
"""

from typing import Any

from sqlmodel import Session, col, select

from store_data.db import session_scope
from store_data.orders import Order
from store_data.shop import Variant
from store_data.status import OrderStatus
from tools.deps import ToolDeps
from tools.drivers.marketplace import RETURNS
from tools.order_address import HOLDS
from tools.order_policy import marketplace, return_verdict
from tools.order_stock import BACKORDERED, SHORT_FLAGS, reserve
from tools.errors import NeedsOwner, ToolFailed
from tools.order_sync import missing_capability, reconcile, require_driver
from tools.order_retries import FAILED_FLAG, retry_state
from tools.orders import flag_failure


def fulfil_orders(deps: ToolDeps) -> dict:
    """Ship every paid order that has its stock reserved; retry the reservation of orders that
    were short; propose a backorder or a refund (the owner decides) for those still short. Orders
    whose buyer asked for a new address are listed, not shipped, until it is changed. A shipment
    that failed before is tried again once its backoff has passed, and put to the owner after
    `action_retries` failures; any other failed action leaves the order to them."""
    follow_up, short, later, flagged, held = [], [], [], [], []
    with session_scope(deps.engine) as session:
        paid = session.exec(select(Order).where(Order.marketplace == marketplace(deps),
                                                Order.status == OrderStatus.PAID).order_by(col(Order.placed_at), col(Order.id))).all()
        for order in paid:
            if order.flag.startswith(SHORT_FLAGS) and not reserve(session, order):
                short.append({"order": order.remote_id, "flag": order.flag})
                if not order.flag.startswith(BACKORDERED):
                    follow_up.append({"tool": "resolve_stockout", "why": f"no stock: {order.flag}",
                                      "arguments": {"order_id": order.remote_id,
                                                    "action": deps.settings.stockout_proposal}})
            elif order.flag in HOLDS:
                held.append(order.remote_id)  # shipped once the address changes, or when the owner ships it
            elif not order.flag:
                follow_up.append({"tool": "ship_order", "arguments": {"order_id": order.remote_id},
                                  "why": "paid, stock reserved"})
            elif order.flag.startswith(FAILED_FLAG):
                call = _retry(session, deps, order, "ship", "ship_order", {"order_id": order.remote_id})
                if call is not None:
                    follow_up.append(call)
                elif retry_state(session, order, "ship", deps.settings)[0] == "later":
                    later.append({"order": order.remote_id, "flag": order.flag})
                else:
                    flagged.append({"order": order.remote_id, "flag": order.flag})
            else:
                flagged.append({"order": order.remote_id, "flag": order.flag})
    ships = sum(1 for call in follow_up if call["tool"] == "ship_order")
    problem = _shipping_problem(deps) if ships else None
    if problem:  # said once here, not once per order that could not ship
        raise ToolFailed(f"{ships} paid order(s) cannot be shipped: {problem}")
    return {"to_ship": ships, "short": short, "retry_later": later, "flagged": flagged,
            "held_for_new_address": held, "follow_up": follow_up}


def _retry(session: Session, deps: ToolDeps, order: Order, action: str, tool: str, arguments: dict) -> dict | None:
    """The call that tries a failed action again: now when its backoff has passed, as a
    proposal for the owner once it has failed too often, None while it must wait (or when
    it never failed)."""
    state, failed = retry_state(session, order, action, deps.settings)
    if failed is None:  # it never failed
        return None
    if state == "due":
        return {"tool": tool, "arguments": arguments,
                "why": f"retry {failed.attempts} of {deps.settings.action_retries} after: {failed.last_error[:200]}"}
    if state == "owner":
        return {"tool": tool, "arguments": arguments, "proposed": True,
                "why": f"failed {failed.attempts} times on the platform (last: {failed.last_error[:200]}); "
                       "check the order in the back-office, then approve to try again"}
    return None


def _shipping_problem(deps: ToolDeps) -> str | None:
    return deps.driver.shipping_problem() if deps.driver is not None else None


def handle_requests(deps: ToolDeps) -> dict:
    """Decide buyers' open refund and return requests by the shop's policy: a refund before
    shipment or a return within the window is proposed for acceptance; anything else is
    proposed to the owner with the reason (handle_return's preview says so). An order whose
    request cannot be read now is flagged and listed, never passed over in silence."""
    skipped = missing_capability(deps, RETURNS)
    if skipped:
        return {"requests": [], "follow_up": [], "note": skipped}
    driver = require_driver(deps, RETURNS)
    with Session(deps.engine) as session:
        waiting = session.exec(select(Order).where(
            Order.marketplace == marketplace(deps),
            col(Order.status).in_((OrderStatus.REFUND_REQUESTED, OrderStatus.RETURN_REQUESTED)))).all()
    follow_up, decided, flagged = [], [], []
    for order in waiting:
        with Session(deps.engine) as session:
            state, failed = retry_state(session, order, "return", deps.settings)
        if failed is not None and state == "later":  # the last decision failed on the platform: its backoff has not passed
            flagged.append({"order": order.remote_id, "flag": order.flag, "retry_after": failed.next_at.isoformat()})
            continue
        try:
            remote = driver.get_order(order.remote_id)
        except NeedsOwner:
            raise  # the whole stage waits for the owner, then runs again
        except ToolFailed as problem:  # this request is left undone: the order says so
            flag_failure(deps, order.remote_id, None, problem)
            flagged.append({"order": order.remote_id, "flag": str(problem)[:300]})
            continue
        request = remote.open_request
        # Decided meanwhile, or the order cancelled under it (outside the shop): take the platform's outcome in.
        if request is None or remote.shop_status == OrderStatus.CANCELLED:
            with session_scope(deps.engine) as session:
                reconcile(session, deps, remote, {"new": 0, "updated": 0, "changed_outside": [], "flagged": []})
            continue
        verdict = return_verdict(remote, request, deps.settings.return_days)
        why = f"{request.kind} request: " + (verdict.needs_owner or "within the shop's policy")
        call: dict[str, Any] = {"tool": "handle_return", "arguments": {"order_id": order.remote_id, "accept": True},
                                "why": why}
        if failed is not None and state == "owner":  # failed too often on the platform: the owner looks first
            call.update(proposed=True, why=f"{why}; deciding it failed {failed.attempts} times on the platform "
                                           f"(last: {failed.last_error[:200]})")
        follow_up.append(call)
        decided.append({"order": order.remote_id, "request": request.kind, "policy_accepts": verdict.accept,
                        "owner_decides": verdict.needs_owner})
    return {"requests": decided, "follow_up": follow_up, "flagged": flagged}


def check_stock(deps: ToolDeps) -> dict:
    """SKUs whose free stock (on hand less reserved for paid orders) is at or below the shop's
    low-stock level, and those sold out."""
    limit = deps.settings.low_stock_units
    with Session(deps.engine) as session:
        variants = session.exec(select(Variant).order_by(Variant.sku)).all()
        rows: list[dict[str, Any]] = [{"sku": v.sku, "stock": v.stock, "reserved": v.reserved, "free": v.stock - v.reserved}
                for v in variants if v.stock - v.reserved <= limit]
    return {"low": [r for r in rows if r["free"] > 0], "sold_out": [r for r in rows if r["free"] <= 0],
            "threshold": limit}
