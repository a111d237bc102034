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
from tools.drivers.marketplace import RETURNS, RemoteRequest
from tools.order_changes import decide_swap
from tools.order_facts import policy_facts
from tools.order_address import HOLDS
from tools.order_policy import find_order, marketplace, return_verdict
from tools.order_stock import BACKORDERED, SHORT_FLAGS, reserve
from tools.errors import NeedsOwner, ToolFailed, ToolRetry
from tools.order_sync import REQUESTED, missing_capability, reconcile, require_driver
from tools.order_retries import FAILED_FLAG, retry_state
from tools.orders import flag_failure

SWAP_KINDS = ("change", "exchange")  # requests for other options of the items


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
    """Decide buyers' open requests by the shop's policy: a refund before shipment, a
    cancellation for a reason the retail policy accepts, or a return within the window is
    proposed for acceptance; a change or exchange the retail policy allows is made with its own
    tool (exchange_items, modify_items), one it refuses is proposed to the owner for rejection;
    anything else is proposed to the owner with the reason (handle_return's preview says so).
    An order whose request cannot be read now is flagged and listed, never passed over in silence."""
    skipped = missing_capability(deps, RETURNS)
    if skipped:
        return {"requests": [], "follow_up": [], "note": skipped}
    driver = require_driver(deps, RETURNS)
    with Session(deps.engine) as session:
        waiting = session.exec(select(Order).where(
            Order.marketplace == marketplace(deps),
            col(Order.status).in_(REQUESTED))).all()
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
        call: dict[str, Any]
        if request.kind in SWAP_KINDS:
            call, owner = _swap_call(deps, order.remote_id, request)
            accepts = not owner
        else:
            verdict = return_verdict(remote, request, deps.settings.return_days)
            accepts, owner = verdict.accept, verdict.needs_owner
            call = {"tool": "handle_return", "arguments": {"order_id": order.remote_id, "accept": True},
                    "why": f"{request.kind} request: " + (owner or "within the shop's policy")}
        why = call["why"]
        if failed is not None and state == "owner":  # failed too often on the platform: the owner looks first
            call.update(proposed=True, why=f"{why}; deciding it failed {failed.attempts} times on the platform "
                                           f"(last: {failed.last_error[:200]})")
        follow_up.append(call)
        decided.append({"order": order.remote_id, "request": request.kind, "policy_accepts": accepts,
                        "owner_decides": owner})
    return {"requests": decided, "follow_up": follow_up, "flagged": flagged}


def _swap_call(deps: ToolDeps, number: str, request: RemoteRequest) -> tuple[dict[str, Any], str]:
    """A buyer's change (unshipped) or exchange (delivered) request: the policy's tool for exactly
    the options asked, paid on the order's own method, when the retail policy allows it (the
    platform then closes the request); else its rejection, held for the owner with the reason."""
    exchange = request.kind == "exchange"
    with Session(deps.engine) as session:
        method = policy_facts(session, find_order(session, deps, number)).original_method
    try:
        decide_swap(deps, number, request.swaps, method, exchange=exchange)
    except ToolRetry as refused:
        why = f"the retail policy does not allow this {request.kind}: {refused}"
        return {"tool": "handle_return", "arguments": {"order_id": number, "accept": False}, "proposed": True,
                "why": f"{request.kind} request: {why}; approve to reject it"}, why
    tool = "exchange_items" if exchange else "modify_items"
    return {"tool": tool, "arguments": {"order_id": number, "changes": dict(request.swaps), "payment_method": method},
            "why": f"{request.kind} request: within the shop's policy"}, ""


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
