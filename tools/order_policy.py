"""The shop's order policy, decided in code from settings and what the platform shows.

- cancel only before shipment; the platform refunds what was paid;
- refunds never above what was paid and not yet refunded;
- a refund-only request is accepted before shipment; once the platform shows a shipment it
  is the owner's decision;
- returns within `return_days`, counted from the platform's earliest shipment date (never
  from when the shop first synced the order); a return outside the window, or one whose
  shipment date the platform does not show, is the owner's decision, never refused silently;
- every action carries an idempotency key (shop, action, target).
The approval gate (money above `approval_refund_above`, every money movement in `risky`
mode) is the agent's policy and reads the amounts the previews compute: the money the
platform will move by its own rules, not the amount a buyer asked.
"""

import csv
import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from store_data.clock import as_utc
from store_data.orders import Order, Shipment
from store_data.status import OrderStatus
from tools.deps import ToolDeps
from tools.drivers.marketplace import RemoteOrder, RemoteRequest
from tools.errors import ToolFailed, ToolRetry
from tools.retail_policy import cancel_reason
from tools.settings import ToolSettings

CANCELLABLE = (OrderStatus.PAID, OrderStatus.REFUND_REQUESTED)
REFUNDABLE = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.REFUND_REQUESTED,
              OrderStatus.RETURN_REQUESTED, OrderStatus.RETURNED)
KEY_PREFIX = "shopagent "  # marks the shop's own actions in notes the platform keeps


def marketplace(deps: ToolDeps) -> str:
    return deps.driver.name if deps.driver is not None else (deps.platform or deps.settings.platform)


def idempotency_key(deps: ToolDeps, action: str, target: str) -> str:
    """The key of one side effect: (shop, action, target)."""
    return f"{marketplace(deps)}/{deps.settings.marketplace_user}:{action}:{target}"


def find_order(session: Session, deps: ToolDeps, order_id: str) -> Order:
    """The shop's order by the marketplace's order number (or the shop's own row id)."""
    order = session.exec(select(Order).where(Order.marketplace == marketplace(deps),
                                             Order.remote_id == order_id.strip())).first()
    if order is None and order_id.strip().isdigit():
        order = session.get(Order, int(order_id))
    if order is None:
        raise ToolRetry(f"no order '{order_id}' in the shop; call sync_orders first, or list_orders to see them")
    return order


def check_cancel(number: str, status: str, shipped: bool) -> None:
    """Refuse (for the model to choose another tool) a cancel the platform cannot do."""
    if shipped:
        raise ToolRetry(f"order {number} has shipped, so it cannot be cancelled: only orders not yet shipped "
                        "can be cancelled; use refund_order or handle_return instead")
    if status not in CANCELLABLE:
        raise ToolRetry(f"order {number} is {status}, so it cannot be cancelled: only orders not yet shipped "
                        "can be cancelled; use refund_order or handle_return instead")


def recorded_shipped(session: Session, order: Order) -> bool:
    """Whether the shop's records show the order shipped (a shipment row, or a later status)."""
    if order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.RETURN_REQUESTED,
                        OrderStatus.RETURNED):
        return True
    return session.exec(select(Shipment.id).where(Shipment.order_id == order.id)).first() is not None


def refund_amount(order: Order, amount_cents: int | None) -> int:
    """What a refund of `amount_cents` (None: all that is left) may move; never above what was paid."""
    if order.status not in REFUNDABLE:
        raise ToolRetry(f"order {order.remote_id} is {order.status}; nothing can be refunded on it")
    left = order.refundable_cents
    amount = left if amount_cents is None else amount_cents
    if left <= 0:
        raise ToolRetry(f"order {order.remote_id} has nothing left to refund")
    if amount <= 0 or amount > left:
        raise ToolRetry(f"a refund on order {order.remote_id} must be between 1 and {left} cents "
                        f"(what was paid and not yet refunded); {amount} was asked")
    return amount


@dataclass(frozen=True)
class ReturnVerdict:
    accept: bool
    needs_owner: str = ""  # why code will not decide alone


def return_verdict(remote: RemoteOrder, request: RemoteRequest, return_days: int) -> ReturnVerdict:
    """Accept a refund request before shipment and a return within the window, both read from
    the shipments the platform shows; the rest goes to the owner."""
    if request.kind == "cancellation":
        if remote.shipments:
            return ReturnVerdict(False, "the order has shipped, so it can no longer be cancelled; reject the request")
        try:
            cancel_reason(request.reason)
        except ToolRetry as refused:
            return ReturnVerdict(False, f"the retail policy does not cancel for this reason: {refused}")
        return ReturnVerdict(True)
    if request.kind == "refund":
        if not remote.shipments:
            return ReturnVerdict(True)
        return ReturnVerdict(False, "a refund without a return on an order already shipped is the owner's decision")
    dates = [sent.shipped_at for sent in remote.shipments if sent.shipped_at is not None]
    if not dates or len(dates) < len(remote.shipments) or request.asked_at is None:
        return ReturnVerdict(False, "the platform shows no shipment date for this order, so the return window "
                                    "is unknown")
    shipped, asked = as_utc(min(dates)), as_utc(request.asked_at)
    if asked - shipped <= timedelta(days=return_days):
        return ReturnVerdict(True)
    return ReturnVerdict(False, f"asked {(asked - shipped).days} days after shipment; the return window is "
                                f"{return_days} days")


def carrier_for(settings: ToolSettings, platform: str | None = None) -> str:
    """The carrier named on shipments on `platform` (default: the main one)."""
    return settings.shipping_carriers.get(platform or settings.platform, settings.shipping_carrier)


def tracking_for(deps: ToolDeps, order_number: str, key: str) -> tuple[str, str]:
    """(carrier, tracking number) for an order from the configured logistics source."""
    settings = deps.settings
    if settings.tracking_source == "generated":
        # Derived from the key: a retried or resumed ship uses the same number.
        return carrier_for(settings, marketplace(deps)), "SP" + hashlib.sha256(key.encode()).hexdigest()[:12].upper()
    path = settings.tracking_file
    if path is None or not path.exists():
        raise ToolFailed(f"tracking_source is 'file' but the tracking file {path} is missing; "
                         "set tracking_file to the logistics provider's CSV (order,carrier,tracking)")
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if (row.get("order") or "").strip() == order_number:
                carrier = (row.get("carrier") or "").strip() or carrier_for(settings, marketplace(deps))
                tracking = (row.get("tracking") or "").strip()
                if tracking:
                    return carrier, tracking
    raise ToolFailed(f"no tracking number for order {order_number} in {path}; add a row order,carrier,tracking")
