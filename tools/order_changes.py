"""The retail policy's order changes as tools: return chosen items of a delivered order,
exchange delivered items, modify a pending order's items or payment method, change a buyer's
default address.

Each change has a preview (the policy's verdict and the money it moves, read from the shop's
records, with nothing done) and an action: the platform first, through the driver's declared
capability, then the shop's records (store_data/order_changes.py). A platform that does not
offer a change refuses it with a message naming what it lacks; nothing is half-done. The
once-only flags and the order's status make a repeated call a refusal, never a second change.
"""

from collections import Counter
from dataclasses import asdict
from typing import Any

from sqlmodel import Session, select

from store_data import order_changes as records
from store_data.clock import utcnow
from store_data.db import session_scope
from store_data.orders import Buyer, Payment
from tools import retail_policy as policy
from tools.deps import ToolDeps
from tools.drivers.marketplace import (BUYER_ADDRESS, EXCHANGE, ITEM_RETURNS, MODIFY_ITEMS, PAYMENT_METHOD,
                                       RemoteOrder)
from tools.errors import NeedsOwner, ToolFailed, ToolRetry
from tools.order_facts import policy_facts, variant_facts
from tools.order_policy import KEY_PREFIX, find_order, idempotency_key
from tools.order_sync import reconcile, require_driver
from tools.orders import flag_failure, reread


def _verdict(deps: ToolDeps, order_id: str, decide) -> tuple[str, policy.Verdict]:
    with Session(deps.engine) as session:
        order = find_order(session, deps, order_id)
        return order.remote_id, decide(session, policy_facts(session, order))


def _facts(number: str, verdict: policy.Verdict) -> dict[str, Any]:
    found = {"order": number, **asdict(verdict)}
    found["amount_cents"] = max(verdict.amount_cents, 0)  # money out of the shop, for the approval gate
    if verdict.needs_owner:
        found["needs_person"] = verdict.needs_owner
    return found


def decide_return(deps: ToolDeps, order_id: str, skus: list[str], refund_method: str) -> tuple[str, policy.Verdict]:
    return _verdict(deps, order_id, lambda _, facts: policy.return_items(
        facts, skus, refund_method, utcnow(), deps.settings.return_days))


def decide_swap(deps: ToolDeps, order_id: str, changes: dict[str, str], payment_method: str,
                exchange: bool) -> tuple[str, policy.Verdict]:
    rule = policy.exchange_items if exchange else policy.modify_items
    return _verdict(deps, order_id, lambda session, facts: rule(
        facts, changes, variant_facts(session, list(changes.values())), payment_method))


def decide_cancel(deps: ToolDeps, order_id: str, reason: str) -> tuple[str, policy.Verdict]:
    return _verdict(deps, order_id, lambda _, facts: policy.cancel(facts, reason))


def decide_payment(deps: ToolDeps, order_id: str, payment_method: str) -> tuple[str, policy.Verdict]:
    return _verdict(deps, order_id, lambda _, facts: policy.modify_payment(facts, payment_method))


def preview_return_items(deps: ToolDeps, order_id: str, skus: list[str], refund_method: str) -> dict:
    """Facts: the refund the items' prices make, and whether the owner must decide (window)."""
    return _facts(*decide_return(deps, order_id, skus, refund_method))


def return_items(deps: ToolDeps, order_id: str, skus: list[str], refund_method: str) -> dict:
    """Take back chosen items of a delivered order: `skus` lists each unit coming back (a SKU twice
    for two units). The refund is the items' price, to `refund_method`: the order's original
    payment method or one of the buyer's gift cards. The order becomes return_requested."""
    driver = require_driver(deps, ITEM_RETURNS)
    units = dict(Counter(sku.strip() for sku in skus))
    key = idempotency_key(deps, "return_items", f"{order_id.strip()}:" + ",".join(
        f"{sku}x{count}" for sku, count in sorted(units.items())))
    with Session(deps.engine) as session:
        done = session.exec(select(Payment).where(Payment.idempotency_key == key)).first()
        if done is not None:
            order = find_order(session, deps, order_id)
            return {"order": order.remote_id, "status": order.status, "refunded_cents": order.refunded_cents,
                    "already_done": True, "moved_cents": 0}
    number, verdict = decide_return(deps, order_id, skus, refund_method)
    try:
        remote = driver.return_items(number, dict(verdict.returned), verdict.method, KEY_PREFIX + key)
    except NeedsOwner:
        raise
    except ToolFailed as problem:
        found = reread(deps, driver, number)
        if found is None:
            flag_failure(deps, number, "return", problem)
            raise
        remote = found
    made = next((p for p in remote.payments if p.kind == "refund" and p.note == KEY_PREFIX + key), None)
    if made is None:
        missing = ToolFailed(f"the marketplace shows no refund for the items taken back on order {number}; "
                             "check it in the back-office")
        flag_failure(deps, number, "return", missing)
        raise missing
    with session_scope(deps.engine) as session:
        order = find_order(session, deps, number)
        records.record_return(session, order, dict(verdict.returned), made.amount_cents, verdict.method, key)
    with session_scope(deps.engine) as session:
        order = reconcile(session, deps, remote, {"new": 0, "updated": 0, "changed_outside": [], "flagged": []})
        return {"order": number, "status": order.status, "refunded_cents": order.refunded_cents,
                "returned": dict(verdict.returned), "moved_cents": made.amount_cents}


def preview_exchange_items(deps: ToolDeps, order_id: str, changes: dict[str, str], payment_method: str) -> dict:
    """Facts: the price difference an exchange moves (amount_cents: paid to the buyer)."""
    return _facts(*decide_swap(deps, order_id, changes, payment_method, exchange=True))


def exchange_items(deps: ToolDeps, order_id: str, changes: dict[str, str], payment_method: str) -> dict:
    """Exchange delivered items, once per order: `changes` maps each item's SKU to an available
    SKU of the same product. The price difference is charged to, or refunded on, `payment_method`
    (one of the buyer's; a gift card must cover a charge). The order becomes exchange_requested."""
    driver = require_driver(deps, EXCHANGE)
    done = _changed_once(deps, order_id, "exchanged")
    if done:
        return done
    number, verdict = decide_swap(deps, order_id, changes, payment_method, exchange=True)
    key = idempotency_key(deps, "exchange", number)  # once per order
    remote = _on_platform(deps, driver, number, "exchange",
                          lambda: driver.exchange_items(number, dict(verdict.swaps), verdict.method, KEY_PREFIX + key),
                          lambda r: any(line.exchange_sku for line in r.lines))
    return _settle(deps, remote, "exchange", verdict, key)


def preview_modify_items(deps: ToolDeps, order_id: str, changes: dict[str, str], payment_method: str) -> dict:
    """Facts: the price difference modifying the items moves (amount_cents: paid to the buyer)."""
    return _facts(*decide_swap(deps, order_id, changes, payment_method, exchange=False))


def modify_items(deps: ToolDeps, order_id: str, changes: dict[str, str], payment_method: str) -> dict:
    """Change the items of an order not yet shipped, once (afterwards it can be neither modified nor
    cancelled): `changes` maps each item's SKU to an available SKU of the same product; the price
    difference moves on `payment_method` (one of the buyer's; a gift card must cover a charge)."""
    driver = require_driver(deps, MODIFY_ITEMS)
    done = _changed_once(deps, order_id, "items_modified")
    if done:
        return done
    number, verdict = decide_swap(deps, order_id, changes, payment_method, exchange=False)
    key = idempotency_key(deps, "modify_items", number)  # once per order
    remote = _on_platform(deps, driver, number, "modify_items",
                          lambda: driver.modify_items(number, dict(verdict.swaps), verdict.method, KEY_PREFIX + key),
                          lambda r: r.items_changed)
    return _settle(deps, remote, "modify_items", verdict, key)


def preview_modify_payment(deps: ToolDeps, order_id: str, payment_method: str) -> dict:
    """Facts: the payment that moves to the new method (and back to the old one)."""
    return _facts(*decide_payment(deps, order_id, payment_method))


def modify_payment(deps: ToolDeps, order_id: str, payment_method: str) -> dict:
    """Pay an order not yet shipped with another of the buyer's payment methods (a gift card must
    cover the whole total); the old method gets its payment back."""
    driver = require_driver(deps, PAYMENT_METHOD)
    number, verdict = decide_payment(deps, order_id, payment_method)
    key = idempotency_key(deps, "payment_method", f"{number}:{verdict.method}")
    note = KEY_PREFIX + key
    remote = _on_platform(deps, driver, number, "payment_method",
                          lambda: driver.change_payment(number, verdict.method, note),
                          lambda r: any(p.kind == "payment" and p.note == note for p in r.payments))
    return _settle(deps, remote, "payment", verdict, key)


def _changed_once(deps: ToolDeps, order_id: str, flag: str) -> dict | None:
    """A once-only change the records show made already: what a retried call answers."""
    with Session(deps.engine) as session:
        order = find_order(session, deps, order_id)
        if not getattr(order, flag):
            return None
        word = "exchanged" if flag == "exchanged" else "had its items modified"
        return {"order": order.remote_id, "status": order.status, "already_done": True, "moved_cents": 0,
                "note": f"order {order.remote_id} {word} already; that is done only once per order"}


def _on_platform(deps: ToolDeps, driver, number: str, action: str, call, made) -> RemoteOrder:
    """Make the change on the platform; after a failure read the order again: a change the
    platform made though its answer was lost counts, anything else flags the order."""
    try:
        remote = call()
    except NeedsOwner:
        raise
    except ToolFailed as problem:
        remote = reread(deps, driver, number)
        if remote is None or not made(remote):
            flag_failure(deps, number, action, problem)
            raise
    if not made(remote):
        missing = ToolFailed(f"the marketplace does not show the {action.replace('_', ' ')} on order {number}; "
                             "check it in the back-office")
        flag_failure(deps, number, action, missing)
        raise missing
    return remote


def _settle(deps: ToolDeps, remote: RemoteOrder, kind: str, verdict: policy.Verdict, key: str) -> dict:
    """The platform made the change: write it into the records, then take in what the platform shows."""
    result = apply_verdict(deps, remote.number, kind, verdict, key)
    with session_scope(deps.engine) as session:
        order = reconcile(session, deps, remote, {"new": 0, "updated": 0, "changed_outside": [], "flagged": []})
        return {**result, "status": order.status, "paid_cents": order.paid_cents,
                "refunded_cents": order.refunded_cents}


def apply_verdict(deps: ToolDeps, number: str, kind: str, verdict: policy.Verdict, key: str | None = None) -> dict:
    """Write an allowed change into the shop's records, once the platform has made it; `key`
    marks its money so the order sync recognises the platform's record of it."""
    with session_scope(deps.engine) as session:
        order = find_order(session, deps, number)
        if kind == "cancel":
            records.record_cancel(session, order, verdict.reason, verdict.method)
        elif kind == "return":
            records.record_return(session, order, dict(verdict.returned), verdict.amount_cents, verdict.method)
        elif kind == "exchange":
            records.record_exchange(session, order, dict(verdict.swaps), verdict.amount_cents, verdict.method, key)
        elif kind == "modify_items":
            records.record_item_change(session, order, dict(verdict.swaps), verdict.amount_cents, verdict.method,
                                       key)
        elif kind == "payment":
            original = policy_facts(session, order).original_method
            records.record_payment_change(session, order, original, verdict.method, key)
        else:
            raise ValueError(f"unknown order change {kind}")
        return {"order": order.remote_id, "status": order.status, "total_cents": order.total_cents,
                "paid_cents": order.paid_cents, "refunded_cents": order.refunded_cents,
                "moved_cents": max(verdict.amount_cents, 0)}


def _buyer(session: Session, deps: ToolDeps, email: str) -> Buyer:
    buyer = session.exec(select(Buyer).where(Buyer.email == email.strip().lower())).first()
    if buyer is None:
        raise ToolRetry(f"no buyer with the e-mail '{email}' in the shop's records")
    return buyer


def preview_modify_buyer_address(deps: ToolDeps, email: str, address1: str, city: str, postcode: str,
                                 country: str, region: str = "", address2: str = "") -> dict:
    """Facts: the buyer's default address now and the one it would become."""
    new = {"address1": address1, "address2": address2, "city": city, "region": region, "postcode": postcode,
           "country": country}
    policy.check_address(new)
    with Session(deps.engine) as session:
        return {"buyer": email, "address_now": dict(_buyer(session, deps, email).address), "address_new": new}


def modify_buyer_address(deps: ToolDeps, email: str, address1: str, city: str, postcode: str, country: str,
                         region: str = "", address2: str = "") -> dict:
    """Change a buyer's default address (their orders keep the address they were placed with)."""
    facts = preview_modify_buyer_address(deps, email, address1, city, postcode, country, region, address2)
    require_driver(deps, BUYER_ADDRESS).change_buyer_address(email.strip().lower(), facts["address_new"])
    return apply_buyer_address(deps, email, facts["address_new"])


def apply_buyer_address(deps: ToolDeps, email: str, address: dict[str, str]) -> dict:
    with session_scope(deps.engine) as session:
        buyer = _buyer(session, deps, email)
        records.record_buyer_address(buyer, address)
        session.add(buyer)
        return {"buyer": buyer.email, "address": dict(buyer.address)}

