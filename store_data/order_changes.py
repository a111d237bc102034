"""Record the retail policy's order changes in the shop's records: item returns, exchanges,
a pending order's new items, payment method or address, a buyer's default address.

These write what code already decided (tools/retail_policy.py computes the amounts and checks
the rules); they keep the records whole: status moves through the state machine, each money
movement is a Payment row, a gift card's balance follows the money, stock follows the items.
"""

from typing import Any

from sqlmodel import Session, col, select

from store_data.clock import utcnow
from store_data.orders import Buyer, Order, OrderLine, Payment
from store_data.shop import Variant
from store_data.status import OrderStatus

GIFT_CARD = "gift_card"


def lines_of(session: Session, order: Order) -> list[OrderLine]:
    return list(session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.id))))


def move_money(session: Session, order: Order, amount_cents: int, method: str, reason: str,
               key: str | None = None) -> None:
    """Record money to the buyer (amount > 0, a refund) or from them (< 0, a payment) on `method`,
    and keep the buyer's gift card balance in step with it. `key`: the action's idempotency key,
    by which the order sync recognises the platform's record of the same money."""
    if amount_cents == 0:
        return
    assert order.id is not None, "money moves on a stored order"
    kind = "refund" if amount_cents > 0 else "payment"
    session.add(Payment(order_id=order.id, kind=kind, amount_cents=abs(amount_cents), method=method,
                        reason=reason[:200], idempotency_key=key))
    if kind == "refund":
        order.refunded_cents += amount_cents
    else:
        order.paid_cents += -amount_cents
    buyer = session.get(Buyer, order.buyer_id) if order.buyer_id else None
    if buyer is not None and (buyer.payment_methods.get(method) or {}).get("source") == GIFT_CARD:
        methods = {key: dict(value) for key, value in buyer.payment_methods.items()}
        methods[method]["balance_cents"] = methods[method].get("balance_cents", 0) + amount_cents
        buyer.payment_methods = methods  # a new dict: the JSON column sees the change
        session.add(buyer)
    order.updated_at = utcnow()
    session.add(order)


def record_return(session: Session, order: Order, units: dict[str, int], amount_cents: int, method: str,
                  key: str | None = None) -> None:
    """Delivered items are on their way back: the lines say how many of each, the refund is
    recorded, and the order waits for the goods as 'return requested'."""
    for line in lines_of(session, order):
        if units.get(line.sku):
            line.returned_quantity += units[line.sku]
            session.add(line)
    order.set_status(OrderStatus.RETURN_REQUESTED)
    move_money(session, order, amount_cents, method, f"return of {sum(units.values())} item(s)", key)


def _swap_lines(session: Session, order: Order, swaps: dict[str, str]) -> None:
    """One unit of each old SKU becomes the new variant: a line of one unit is changed in place,
    a line of several gives up one unit to a new line. Stock follows: the old unit back on the
    shelf, the new one taken."""
    assert order.id is not None, "lines change on a stored order"
    for line in lines_of(session, order):
        new_sku = swaps.get(line.sku)
        if new_sku is None:
            continue
        new = session.exec(select(Variant).where(Variant.sku == new_sku)).one()
        price = new.price_cents or 0
        old = session.get(Variant, line.variant_id) if line.variant_id else None
        if line.quantity > 1:
            line.quantity -= 1
            session.add(OrderLine(order_id=order.id, variant_id=new.id, sku=new.sku, name=line.name,
                                  options=dict(new.options or {}), quantity=1, unit_price_cents=price))
        else:
            line.variant_id, line.sku, line.unit_price_cents = new.id, new.sku, price
            line.options = dict(new.options or {})
        session.add(line)
        if old is not None:
            old.stock += 1
            session.add(old)
        new.stock -= 1
        session.add(new)
    order.total_cents = sum(li.unit_price_cents * li.quantity for li in lines_of(session, order))


def record_item_change(session: Session, order: Order, swaps: dict[str, str], amount_cents: int,
                       method: str, key: str | None = None) -> None:
    """A pending order's items became other options, once: the order stays pending, and the
    price difference moves on `method`."""
    session.flush()
    _swap_lines(session, order, swaps)
    order.items_modified = True
    move_money(session, order, amount_cents, method, "items modified: price difference", key)


def record_exchange(session: Session, order: Order, swaps: dict[str, str], amount_cents: int, method: str,
                    key: str | None = None) -> None:
    """Delivered items are to be exchanged, once: the lines name the variant each becomes, the
    new variants' stock is set aside, the price difference moves on `method`."""
    for line in lines_of(session, order):
        if line.sku in swaps:
            line.exchange_sku = swaps[line.sku]
            session.add(line)
            new = session.exec(select(Variant).where(Variant.sku == swaps[line.sku])).one()
            new.stock -= 1
            session.add(new)
    order.exchanged = True
    order.set_status(OrderStatus.EXCHANGE_REQUESTED)
    move_money(session, order, amount_cents, method, "exchange: price difference", key)


def record_payment_change(session: Session, order: Order, old_method: str, new_method: str,
                          key: str | None = None) -> None:
    """A pending order is paid again with `new_method`; the old method gets its payment back
    (its key is `key` + "/back", as the platform notes it)."""
    total = order.paid_cents - order.refunded_cents
    move_money(session, order, total, old_method, f"payment moved to {new_method}", f"{key}/back" if key else None)
    move_money(session, order, -total, new_method, f"payment moved from {old_method}", key)


def record_cancel(session: Session, order: Order, reason: str, method: str) -> None:
    """A pending order is cancelled for `reason`; all that is left of its payment goes back to `method`."""
    order.set_status(OrderStatus.CANCELLED)
    order.cancel_reason = reason[:40]
    move_money(session, order, order.refundable_cents, method, f"cancelled: {reason}")


def record_address(order: Order, address: dict[str, Any]) -> None:
    order.address = {**(order.address or {}), **{k: v for k, v in address.items() if v}}
    order.updated_at = utcnow()


def record_buyer_address(buyer: Buyer, address: dict[str, Any]) -> None:
    buyer.address = {**(buyer.address or {}), **{k: v for k, v in address.items() if v}}
