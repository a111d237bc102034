"""The τ² retail policy (store_data/samples/tau_retail/policy.md) as code: which order changes
are allowed, and what money each moves. Pure functions over plain facts; the tools read the
facts from the shop's records and apply what these return.

On the shop's state machine τ²'s 'pending' is an order paid and not yet shipped
(OrderStatus.PAID), 'delivered' is DELIVERED. Money is computed here from the order's own
lines and the catalog's prices, never taken from a buyer or the model.

Where the seller's settings say more than policy.md (the return window in `return_days`),
the settings win: the policy has no window, the shop does.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from store_data.clock import as_utc
from store_data.status import OrderStatus
from tools.errors import ToolRetry

CANCEL_REASONS = ("no longer needed", "ordered by mistake")
GIFT_CARD = "gift_card"


@dataclass(frozen=True)
class LineFacts:
    sku: str
    product_id: int | None  # the catalog product the variant belongs to
    quantity: int
    unit_price_cents: int
    returned_quantity: int = 0


@dataclass(frozen=True)
class VariantFacts:
    sku: str
    product_id: int
    price_cents: int
    stock: int


@dataclass(frozen=True)
class OrderFacts:
    number: str
    status: str
    shipped: bool  # the shop's records show a shipment
    total_cents: int
    refundable_cents: int
    payment_methods: tuple[str, ...]  # the methods that paid, first one first
    lines: tuple[LineFacts, ...]
    items_modified: bool = False
    exchanged: bool = False
    delivered_at: datetime | None = None  # the earliest shipment date (the return window's start)
    buyer_methods: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def original_method(self) -> str:
        return self.payment_methods[0] if self.payment_methods else ""


@dataclass(frozen=True)
class Verdict:
    """What an allowed change does: the money it moves and to (or from) which payment method.
    `amount_cents` > 0 is paid to the buyer, < 0 is charged to them."""

    amount_cents: int
    method: str
    swaps: tuple[tuple[str, str], ...] = ()  # (old SKU, new SKU) per unit changed
    returned: tuple[tuple[str, int], ...] = ()  # (SKU, units) coming back
    needs_owner: str = ""  # why code will not decide alone
    reason: str = ""  # a cancellation's accepted reason


def _pending(order: OrderFacts, action: str) -> None:
    """Policy: cancel and modify only a pending order, and none after its items were modified."""
    if order.status != OrderStatus.PAID or order.shipped:
        raise ToolRetry(f"order {order.number} is {order.status}: only a pending order (paid, not shipped) can be "
                        f"{action}")
    if order.items_modified:
        raise ToolRetry(f"order {order.number} had its items modified already, so it can no longer be {action}")


def _delivered(order: OrderFacts, action: str) -> None:
    if order.status != OrderStatus.DELIVERED:
        raise ToolRetry(f"order {order.number} is {order.status}: only a delivered order can be {action}")


def cancel_reason(reason: str) -> str:
    """The buyer's reason for cancelling, if it is one the policy accepts."""
    said = " ".join(reason.lower().split())
    if said not in CANCEL_REASONS:
        raise ToolRetry(f"'{reason}' is not a reason the policy accepts for cancelling; the buyer must confirm "
                        f"one of: {', '.join(CANCEL_REASONS)}")
    return said


def cancel(order: OrderFacts, reason: str) -> Verdict:
    """A pending order is cancelled for one of the two accepted reasons; the whole payment goes
    back to the original method."""
    said = cancel_reason(reason)
    _pending(order, "cancelled")
    return Verdict(order.refundable_cents, order.original_method, reason=said)


def pending_refund(order: OrderFacts) -> None:
    """A pending order's money goes back only by cancelling it."""
    if order.status == OrderStatus.PAID and not order.shipped:
        raise ToolRetry(f"order {order.number} has not shipped: its money goes back only by cancelling it "
                        f"(cancel_order with the buyer's reason: {' or '.join(CANCEL_REASONS)})")


def _method(order: OrderFacts, method_id: str) -> dict[str, Any]:
    found = order.buyer_methods.get(method_id)
    if found is None and method_id and method_id == order.original_method:
        return {"source": GIFT_CARD if method_id.startswith(GIFT_CARD) else ""}  # it paid: the buyer's own
    if found is None:
        raise ToolRetry(f"'{method_id}' is not one of the buyer's payment methods "
                        f"({', '.join(sorted(order.buyer_methods)) or 'none on record'})")
    return found


def _units(order: OrderFacts, skus: list[str], what: str) -> Counter[str]:
    """The units asked for, each in the order (and not already returned)."""
    if not skus:
        raise ToolRetry(f"name the items of order {order.number} to be {what}")
    asked = Counter(sku.strip() for sku in skus)
    held = {line.sku: line.quantity - line.returned_quantity for line in order.lines}
    for sku, count in asked.items():
        if held.get(sku, 0) < count:
            raise ToolRetry(f"{sku} is not in order {order.number} {count} time(s); its items are "
                            f"{', '.join(sorted(held)) or 'none'}")
    return asked


def return_items(order: OrderFacts, skus: list[str], method_id: str, now: datetime, return_days: int) -> Verdict:
    """Delivered items come back; the refund is their price, to the original payment method or
    one of the buyer's gift cards. Past the shop's return window it is the owner's decision."""
    _delivered(order, "returned")
    units = _units(order, skus, "returned")
    if method_id != order.original_method and _method(order, method_id).get("source") != GIFT_CARD:
        raise ToolRetry(f"a refund goes to the original payment method ({order.original_method}) or one of the "
                        f"buyer's gift cards; '{method_id}' is neither")
    prices = {line.sku: line.unit_price_cents for line in order.lines}
    amount = min(sum(prices[sku] * count for sku, count in units.items()), order.refundable_cents)
    held = ""
    if order.delivered_at is None:
        held = "the records show no shipment date for this order, so the return window is unknown"
    elif as_utc(now) - as_utc(order.delivered_at) > timedelta(days=return_days):
        held = f"the return window of {return_days} days has passed"
    return Verdict(amount, method_id, returned=tuple(sorted(units.items())), needs_owner=held)


def _swap(order: OrderFacts, changes: dict[str, str], variants: dict[str, VariantFacts], method_id: str,
          what: str) -> Verdict:
    """Each old item becomes an available variant of the same product; the price difference is
    charged to (or paid to) one of the buyer's methods; a gift card must cover a charge."""
    if not changes:
        raise ToolRetry(f"name the items of order {order.number} to be {what} and the variants they become")
    _units(order, list(changes), what)
    lines = {line.sku: line for line in order.lines}
    difference = 0
    for old, new in changes.items():
        target = variants.get(new.strip())
        if target is None:
            raise ToolRetry(f"unknown variant '{new}'; call show_order and the product's variants to choose one")
        if target.sku == old:
            raise ToolRetry(f"{old} would become itself; choose another option of the same product")
        if target.product_id != lines[old].product_id:
            raise ToolRetry(f"{new} is another product than {old}: an item can only become another option of the "
                            "same product")
        if target.stock <= 0:
            raise ToolRetry(f"{new} is out of stock; choose an available option")
        difference += target.price_cents - lines[old].unit_price_cents
    method = _method(order, method_id)
    if method.get("source") == GIFT_CARD and difference > method.get("balance_cents", 0):
        raise ToolRetry(f"gift card {method_id} holds {method.get('balance_cents', 0)} cents, less than the "
                        f"{difference} cents to pay; choose another payment method")
    return Verdict(-difference, method_id, swaps=tuple(sorted(changes.items())))


def exchange_items(order: OrderFacts, changes: dict[str, str], variants: dict[str, VariantFacts],
                   method_id: str) -> Verdict:
    """Delivered items for other options of the same product, once per order."""
    _delivered(order, "exchanged")
    if order.exchanged:
        raise ToolRetry(f"order {order.number} was exchanged already; an order is exchanged only once")
    return _swap(order, changes, variants, method_id, "exchanged")


def modify_items(order: OrderFacts, changes: dict[str, str], variants: dict[str, VariantFacts],
                 method_id: str) -> Verdict:
    """A pending order's items for other options of the same product, once; after it the order
    can no longer be modified or cancelled."""
    _pending(order, "modified")
    return _swap(order, changes, variants, method_id, "modified")


def modify_payment(order: OrderFacts, method_id: str) -> Verdict:
    """A pending order paid by one method moves to another of the buyer's methods; a gift card
    must cover the whole total. The old method gets its payment back (amount > 0)."""
    _pending(order, "modified")
    if len(order.payment_methods) != 1:
        raise ToolRetry(f"order {order.number} has {len(order.payment_methods)} payments; only an order paid "
                        "once can change its payment method")
    if method_id == order.original_method:
        raise ToolRetry(f"order {order.number} is already paid with {method_id}; choose a different method")
    method = _method(order, method_id)
    if method.get("source") == GIFT_CARD and method.get("balance_cents", 0) < order.total_cents:
        raise ToolRetry(f"gift card {method_id} holds {method.get('balance_cents', 0)} cents, less than the "
                        f"order's {order.total_cents} cents; choose another payment method")
    return Verdict(order.total_cents, method_id)


def address_change(order: OrderFacts) -> None:
    """A pending order may go to another address (not once its items were modified)."""
    _pending(order, "modified")


def check_address(address: dict[str, str]) -> None:
    missing = [key for key in ("address1", "city", "postcode", "country") if not (address.get(key) or "").strip()]
    if missing:
        raise ToolRetry(f"the new address lacks {', '.join(missing)}; give street, city, postcode and country")
