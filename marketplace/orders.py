"""Order state machine and the operations that move orders and money.

Statuses are data (``MOVES``); ``transition`` is the only place an order's status is
set, and it raises ``IllegalMove`` so a repeated or out-of-order action (a second
"ship", cancelling a shipped order) is refused instead of applied twice.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, func, select

from marketplace.models import Buyer, Listing, Order, OrderItem, Payment, ReturnRequest, Shipment, Variant


class Status(StrEnum):
    PENDING = "pending"  # paid, waiting to be shipped
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    RETURNED = "returned"
    CANCELLED = "cancelled"


MOVES: dict[str, set[str]] = {
    Status.PENDING: {Status.SHIPPED, Status.CANCELLED},
    Status.SHIPPED: {Status.DELIVERED, Status.RETURNED},
    Status.DELIVERED: {Status.RETURNED},
    Status.RETURNED: set(),
    Status.CANCELLED: set(),
}

# Which buyer requests each status allows: before shipping, a cancellation (for one of
# CANCEL_REASONS) or a change of items to other options; refund-only once shipped; a return
# of goods, or an exchange for other options, once they have arrived.
REQUEST_KINDS: dict[str, set[str]] = {
    Status.PENDING: {"cancellation", "change"},
    Status.SHIPPED: {"refund"},
    Status.DELIVERED: {"refund", "return", "exchange"},
}
SWAP_KINDS = ("change", "exchange")  # requests that name the options the items become
CANCEL_REASONS = ("no longer needed", "ordered by mistake", "found a better price", "other")


class OrderError(Exception):
    """An action the input makes impossible (bad amount, missing tracking number)."""


class IllegalMove(OrderError):
    """An action the order's current state does not allow."""


def transition(order: Order, new: str, now: datetime) -> None:
    """Move ``order`` to ``new`` or raise IllegalMove naming the current status."""
    if new not in MOVES[order.status]:
        raise IllegalMove(f"Order {order.number} is {order.status}; it cannot become {new}.")
    order.status = new
    order.updated_at = now


@dataclass
class Line:
    """One cart line to order: a listing, optionally a variant of it, and a quantity."""

    listing: Listing
    variant: Variant | None
    qty: int

    @property
    def unit_cents(self) -> int:
        return self.variant.price_cents if self.variant else self.listing.price_cents


@dataclass
class Address:
    name: str
    address1: str
    city: str
    postcode: str
    country: str
    address2: str = ""
    region: str = ""


def next_number(s: Session) -> str:
    """Order numbers follow the row count so a fresh shop is reproducible for a seed."""
    count = s.exec(select(func.count()).select_from(Order)).one()
    return f"S{1000001 + count}"


def place_order(s: Session, buyer: Buyer, lines: list[Line], address: Address, method: str,
                now: datetime) -> Order:
    """Create a paid order from cart lines, taking stock; raise OrderError if short."""
    if not lines:
        raise OrderError("Your cart is empty.")
    for line in lines:
        if line.listing.status != "active":
            raise OrderError(f"{line.listing.title} is no longer for sale.")
        held = line.variant.stock if line.variant else line.listing.stock
        if line.qty < 1 or line.qty > held:
            raise OrderError(f"Only {held} left of {line.listing.title}.")
    total = sum(line.unit_cents * line.qty for line in lines)
    assert buyer.id is not None, "orders are placed by a stored buyer"
    order = Order(number=next_number(s), access_key=secrets.token_urlsafe(12), buyer_id=buyer.id,
                  status=Status.PENDING, created_at=now, updated_at=now, ship_name=address.name,
                  address1=address.address1, address2=address.address2, city=address.city,
                  region=address.region, postcode=address.postcode, country=address.country,
                  total_cents=total, paid_cents=total, payment_method=method)
    s.add(order)
    s.flush()
    assert order.id is not None, "the flush gave the order its id"
    for line in lines:
        if line.variant:
            line.variant.stock -= line.qty
            s.add(line.variant)
        line.listing.stock -= line.qty
        s.add(line.listing)
        s.add(OrderItem(order_id=order.id, listing_id=line.listing.id,
                        variant_id=line.variant.id if line.variant else None,
                        sku=line.variant.sku if line.variant else line.listing.sku,
                        title=line.listing.title,
                        options=line.variant.label() if line.variant else "",
                        unit_cents=line.unit_cents, qty=line.qty))
    s.add(Payment(order_id=order.id, kind="payment", amount_cents=total, method=method, at=now))
    return order


def ship_order(s: Session, order: Order, carrier: str, tracking: str, now: datetime) -> Shipment:
    """Mark a pending order shipped with its carrier and tracking number."""
    carrier, tracking = carrier.strip(), tracking.strip()
    if not carrier or not tracking:
        raise OrderError("Shipping needs both a carrier and a tracking number.")
    transition(order, Status.SHIPPED, now)
    assert order.id is not None, "a stored order is shipped"
    shipment = Shipment(order_id=order.id, carrier=carrier[:60], tracking=tracking[:80], at=now)
    s.add_all([order, shipment])
    return shipment


def refund_order(s: Session, order: Order, amount_cents: int, note: str, now: datetime) -> Payment:
    """Refund part or all of what was paid and not yet refunded."""
    if amount_cents <= 0:
        raise OrderError("A refund must be more than 0.00.")
    if amount_cents > order.refundable_cents:
        raise OrderError(f"A refund of {cents(amount_cents)} is more than the {cents(order.refundable_cents)} "
                         f"still refundable on order {order.number}.")
    order.refunded_cents += amount_cents
    order.updated_at = now
    assert order.id is not None, "a stored order is refunded"
    refund = Payment(order_id=order.id, kind="refund", amount_cents=amount_cents,
                     method=order.payment_method, note=note[:200], at=now)
    s.add_all([order, refund])
    return refund


def cancel_order(s: Session, order: Order, now: datetime) -> None:
    """Cancel an unshipped order: give back the stock and refund what is left."""
    transition(order, Status.CANCELLED, now)
    for item in s.exec(select(OrderItem).where(OrderItem.order_id == order.id)):
        if item.variant_id and (variant := s.get(Variant, item.variant_id)):
            variant.stock += item.qty
            s.add(variant)
        if item.listing_id and (listing := s.get(Listing, item.listing_id)):
            listing.stock += item.qty
            s.add(listing)
    if order.refundable_cents > 0:
        refund_order(s, order, order.refundable_cents, "order cancelled", now)
    s.add(order)


def confirm_delivery(s: Session, order: Order, now: datetime) -> None:
    """The buyer confirms the parcel arrived."""
    transition(order, Status.DELIVERED, now)
    s.add(order)


def open_request(s: Session, order: Order) -> ReturnRequest | None:
    """The buyer's refund or return request still waiting for the seller, if any."""
    return s.exec(select(ReturnRequest).where(ReturnRequest.order_id == order.id,
                                              ReturnRequest.status == "requested")).first()


def _units_price(s: Session, order: Order, units: dict[str, int]) -> int:
    """The price of `units` (SKU -> how many) of the order's items not yet returned."""
    items = {item.sku: item for item in s.exec(select(OrderItem).where(OrderItem.order_id == order.id))}
    total = 0
    for sku, count in units.items():
        item = items.get(sku)
        if item is None or count > item.qty - item.returned_qty:
            left = item.qty - item.returned_qty if item else 0
            raise OrderError(f"Order {order.number} has {left} of {sku} left to return, not {count}.")
        total += item.unit_cents * count
    return total


def units_text(units: dict[str, int]) -> str:
    return ", ".join(f"{sku}:{count}" for sku, count in sorted(units.items()) if count > 0)


def parse_units(text: str) -> dict[str, int]:
    pairs = (part.rsplit(":", 1) for part in text.split(",") if ":" in part)
    return {sku.strip(): int(count) for sku, count in pairs}


def swaps_text(swaps: dict[str, str]) -> str:
    return ", ".join(f"{old}>{new}" for old, new in sorted(swaps.items()))


def parse_swaps(text: str) -> dict[str, str]:
    pairs = (part.split(">", 1) for part in text.split(",") if ">" in part)
    return {old.strip(): new.strip() for old, new in pairs}


def request_return(s: Session, order: Order, kind: str, reason: str, amount_cents: int | None,
                   now: datetime, units: dict[str, int] | None = None,
                   swaps: dict[str, str] | None = None) -> ReturnRequest:
    """A buyer asks for money back (``refund``), to send the goods back (``return``): all of
    them, or the chosen `units`, whose price is then the amount asked; to cancel an unshipped
    order (``cancellation``, for one of CANCEL_REASONS); or for other options of the same
    products (`swaps`, old SKU -> new SKU): an unshipped order's ``change`` or a delivered
    one's ``exchange``, checked by the rules the seller's change follows."""
    if kind not in REQUEST_KINDS.get(order.status, set()):
        raise IllegalMove(f"A {kind} cannot be requested on a {order.status} order.")
    if open_request(s, order):
        raise IllegalMove("A request on this order is already waiting for the seller.")
    reason = " ".join(reason.split())
    if kind == "cancellation" and reason.lower() not in CANCEL_REASONS:
        raise OrderError(f"Choose a reason for cancelling: {', '.join(CANCEL_REASONS)}.")
    swaps = {old: new for old, new in (swaps or {}).items() if new}
    if kind in SWAP_KINDS:
        _, difference = planned_swaps(s, order, swaps)
        reason = reason or f"another option ({kind})"
    elif swaps:
        raise OrderError("Choose other options only to change or exchange items.")
    if not reason:
        raise OrderError("Please give a reason.")
    units = {sku: count for sku, count in (units or {}).items() if count > 0}
    if units and kind != "return":
        raise OrderError("Choose items only to send them back.")
    amount = order.refundable_cents if amount_cents is None or kind == "cancellation" else amount_cents
    if units:
        amount = min(_units_price(s, order, units), order.refundable_cents)
    if kind in SWAP_KINDS:
        amount = max(-difference, 0)  # what cheaper options pay back; a dearer one is charged on accepting
    elif not 0 < amount <= order.refundable_cents:
        raise OrderError(f"You can ask for at most {cents(order.refundable_cents)}.")
    assert order.id is not None, "requests are made on a stored order"
    req = ReturnRequest(order_id=order.id, kind=kind, reason=reason[:1000], amount_cents=amount,
                        created_at=now, items=units_text(units), swaps=swaps_text(swaps))
    s.add(req)
    return req


def decide_request(s: Session, order: Order, req: ReturnRequest, accept: bool, now: datetime) -> None:
    """Accept (refund the amount asked; cancel or mark returned) or reject a request."""
    if req.status != "requested":
        raise IllegalMove(f"This {req.kind} request was already {req.status}.")
    req.status = "accepted" if accept else "rejected"
    req.decided_at = now
    s.add(req)
    if not accept:
        return
    if req.kind in SWAP_KINDS:
        swap_items(s, order, parse_swaps(req.swaps), "", f"{req.kind} accepted", now)
        return
    if req.kind == "cancellation" and order.status != Status.PENDING:
        raise IllegalMove(f"Order {order.number} is {order.status}; its cancellation request can only be rejected.")
    if order.status == Status.PENDING:
        cancel_order(s, order, now)  # refunds everything left
        return
    if req.kind == "return" and req.items:
        return_items(s, order, parse_units(req.items), "", f"{req.kind} accepted", now)
        return
    if req.kind == "return":
        transition(order, Status.RETURNED, now)
    refund_order(s, order, min(req.amount_cents, order.refundable_cents), f"{req.kind} accepted", now)


def return_items(s: Session, order: Order, units: dict[str, int], method: str, note: str, now: datetime) -> Payment:
    """The seller takes back chosen units (SKU -> how many) of a delivered order and refunds
    their price to `method` (the order's own when empty). Only when every unit is back does
    the whole order become returned."""
    if order.status != Status.DELIVERED:
        raise IllegalMove(f"Order {order.number} is {order.status}; only a delivered order's items can be returned.")
    items = {item.sku: item for item in s.exec(select(OrderItem).where(OrderItem.order_id == order.id))}
    units = {sku: count for sku, count in units.items() if count > 0}
    if not units:
        raise OrderError("Choose at least one item to take back.")
    amount = _units_price(s, order, units)
    for sku, count in units.items():
        items[sku].returned_qty += count
        s.add(items[sku])
    refund = refund_order(s, order, min(amount, order.refundable_cents), note, now)
    if method.strip():
        refund.method = method.strip()[:60]
    if all(item.returned_qty >= item.qty for item in items.values()):
        transition(order, Status.RETURNED, now)
    s.add(order)
    return refund


def _move_difference(s: Session, order: Order, difference: int, method: str, note: str, now: datetime) -> None:
    """A price difference: charged to `method` when positive, refunded to it when negative."""
    assert order.id is not None, "money moves on a stored order"
    if difference > 0:
        order.paid_cents += difference
        s.add(Payment(order_id=order.id, kind="payment", amount_cents=difference, method=method[:60],
                      note=note[:200], at=now))
    elif difference < 0:
        refund = refund_order(s, order, min(-difference, order.refundable_cents), note, now)
        refund.method = method[:60] or refund.method


def planned_swaps(s: Session, order: Order, swaps: dict[str, str]) -> tuple[list[tuple[OrderItem, Variant]], int]:
    """Check that each old SKU of the order may become the new one (another option of the same
    listing, in stock; the order pending or delivered and not changed before); return the
    pairs (item, new option) and the price difference (+: the buyer pays more)."""
    exchange = order.status == Status.DELIVERED
    if order.status not in (Status.PENDING, Status.DELIVERED):
        raise IllegalMove(f"Order {order.number} is {order.status}; only a pending order's items can change, "
                          "or a delivered order's be exchanged.")
    items = list(s.exec(select(OrderItem).where(OrderItem.order_id == order.id)))
    if order.items_modified or any(item.exchange_sku for item in items):
        raise IllegalMove(f"Order {order.number} was changed once already; it cannot change again.")
    by_sku = {item.sku: item for item in items}
    if not swaps:
        raise OrderError("Choose at least one item to change" + (" and the option it becomes." if exchange else "."))
    planned, difference = [], 0
    for old_sku, new_sku in swaps.items():
        item = by_sku.get(old_sku)
        new = s.exec(select(Variant).where(Variant.sku == new_sku)).first()
        if item is None:
            raise OrderError(f"Order {order.number} has no {old_sku}.")
        if new is None or new.listing_id != item.listing_id or new.sku == old_sku:
            raise OrderError(f"{new_sku} is not another option of {item.title}.")
        if new.stock < 1:
            raise OrderError(f"{new_sku} is out of stock.")
        difference += new.price_cents - item.unit_cents
        planned.append((item, new))
    return planned, difference


def swap_items(s: Session, order: Order, swaps: dict[str, str], method: str, note: str, now: datetime) -> int:
    """One unit of each old SKU becomes another option of the same listing: the items of an
    unshipped order (once; the order is then changed no more), or an exchange of a delivered
    order's units (once). The price difference moves on `method`; returns it (+: charged).
    A buyer's open request for exactly these changes is then accepted: the seller did it."""
    assert order.id is not None, "a stored order's items change"
    exchange = order.status == Status.DELIVERED
    planned, difference = planned_swaps(s, order, swaps)
    for item, new in planned:
        new.stock -= 1
        s.add(new)
        if exchange:
            item.exchange_sku = new.sku
        else:
            if item.variant_id and (old := s.get(Variant, item.variant_id)):
                old.stock += 1
                s.add(old)
            if item.qty > 1:
                item.qty -= 1
                s.add(OrderItem(order_id=order.id, listing_id=item.listing_id, variant_id=new.id, sku=new.sku,
                                title=item.title, options=new.label(), unit_cents=new.price_cents, qty=1))
            else:
                item.variant_id, item.sku, item.options, item.unit_cents = new.id, new.sku, new.label(), new.price_cents
        s.add(item)
    if not exchange:
        order.items_modified = True
        order.total_cents += difference
    _move_difference(s, order, difference, method or order.payment_method, note, now)
    order.updated_at = now
    s.add(order)
    asked = open_request(s, order)
    if asked is not None and asked.kind in SWAP_KINDS and parse_swaps(asked.swaps) == swaps:
        asked.status, asked.decided_at = "accepted", now
        s.add(asked)
    return difference


def change_payment(s: Session, order: Order, method: str, note: str, now: datetime) -> None:
    """An unshipped order is paid again with `method`; the method it was paid with is refunded."""
    method = method.strip()[:60]
    if order.status != Status.PENDING or order.items_modified:
        raise IllegalMove(f"Order {order.number} is {order.status}; only an unchanged pending order can change "
                          "its payment method.")
    if not method or method == order.payment_method:
        raise OrderError(f"Choose a payment method other than {order.payment_method or 'the one it was paid with'}.")
    assert order.id is not None, "a stored order changes its payment"
    amount = order.refundable_cents
    refund_order(s, order, amount, f"{note}/back" if note else "", now)
    order.paid_cents += amount
    s.add(Payment(order_id=order.id, kind="payment", amount_cents=amount, method=method, note=note[:200], at=now))
    order.payment_method = method
    s.add(order)


def change_address(s: Session, order: Order, address: Address, now: datetime) -> None:
    """Change where an unshipped order goes."""
    if order.status != Status.PENDING:
        raise IllegalMove(f"Order {order.number} is {order.status}; its address can no longer change.")
    if not (address.name and address.address1 and address.city and address.postcode and address.country):
        raise OrderError("Name, street, city, postcode and country are required.")
    for key, value in vars(address).items():
        setattr(order, "ship_name" if key == "name" else key, value[:200])
    order.updated_at = now
    s.add(order)


def cents(amount: int) -> str:
    """Format integer cents as money for pages and messages."""
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount) // 100:,}.{abs(amount) % 100:02d}"


def parse_money(text: str) -> int:
    """Parse '12.5', '$1,012.50' into cents; raise OrderError on anything else."""
    cleaned = (text or "").strip().replace("$", "").replace(",", "")
    try:
        whole, _, frac = cleaned.partition(".")
        if not whole.isdigit() and whole != "" or (frac and (not frac.isdigit() or len(frac) > 2)):
            raise ValueError
        if whole == "" and not frac:
            raise ValueError
        return int(whole or 0) * 100 + int((frac + "00")[:2])
    except ValueError:
        raise OrderError(f"{text!r} is not an amount of money (e.g. 12.50).") from None
