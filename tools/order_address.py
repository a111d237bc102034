"""A buyer's new delivery address, applied to an unshipped order on the marketplace.

The desk reads the address from the buyer's own message on their own order's thread (the
platform vouches for who wrote it), holds the order's shipment with a flag until the change
is made, and the change itself is a gated, recorded step like any other write.
"""

import re

from sqlmodel import Session

from store_data.db import session_scope
from store_data.orders import Order
from store_data.rows import stored
from store_data.status import OrderStatus
from tools.deps import ToolDeps
from tools.drivers.marketplace import ADDRESS
from tools.errors import ToolFailed, ToolRetry
from tools.order_facts import policy_facts
from tools.order_policy import find_order
from tools.retail_policy import address_change
from tools.order_sync import require_driver

ADDRESS_HOLD = "address change asked by the buyer"  # a flag that keeps fulfil_orders from shipping
CANCEL_HOLD = "cancellation asked by the buyer"  # held until the buyer's request is decided
HOLDS = (ADDRESS_HOLD, CANCEL_HOLD)
# "... address to 12 Oak Lane, Austin 73301", "send it to 12 Oak Lane, Austin, TX 73301 instead"
NEW_ADDRESS = re.compile(r"(?:address to|send it to|ship it to|deliver it to)\s*:?\s*(?P<street>[^,]+),\s*"
                         r"(?P<city>[^,\d]+?),?\s*(?:(?P<region>(?-i:[A-Z]{2}))\s+)?(?P<postcode>\d{4,6})\b", re.I)


def parse_address(text: str) -> dict[str, str] | None:
    """The street, city, region and postcode a buyer's message asks for, or None when it does
    not give all of street, city and postcode (the owner, or the buyer, then completes it)."""
    found = NEW_ADDRESS.search(text or "")
    if not found:
        return None
    return {"address1": found["street"].strip(), "city": found["city"].strip(" ,"),
            "region": (found["region"] or "").strip(), "postcode": found["postcode"]}


def hold_for_address(deps: ToolDeps, order_id: int, flag: str = ADDRESS_HOLD) -> None:
    """Keep the order from shipping until its address is changed, or the buyer's cancellation is
    decided (`flag`); an order flagged for another reason is held by that flag already."""
    with session_scope(deps.engine) as session:
        order = stored(session, Order, order_id)
        if not order.flag:
            order.flag = flag
            session.add(order)


def preview_change_address(deps: ToolDeps, order_id: str, address1: str, city: str, postcode: str,
                           region: str = "") -> dict:
    """Facts: where the order goes now and where it would go; an order that has left is refused."""
    with Session(deps.engine) as session:
        order = find_order(session, deps, order_id)
        if order.status != OrderStatus.PAID:
            raise ToolRetry(f"order {order.remote_id} is {order.status}: only an order not yet shipped can change "
                            "its address")
        address_change(policy_facts(session, order))
        return {"order": order.remote_id, "address_now": dict(order.address or {}),
                "address_new": {"address1": address1, "city": city, "region": region, "postcode": postcode}}


def change_order_address(deps: ToolDeps, order_id: str, address1: str, city: str, postcode: str,
                         region: str = "") -> dict:
    """Send an order not yet shipped to a new street, city and postcode (the country and the
    recipient's name stay), on the marketplace and in the shop's records; its shipment hold
    ends. `order_id` is the marketplace's order number."""
    driver = require_driver(deps, ADDRESS)
    preview_change_address(deps, order_id, address1, city, postcode, region)
    with Session(deps.engine) as session:
        order = find_order(session, deps, order_id)
        number, current = order.remote_id, dict(order.address or {})
    wanted = {"address1": address1.strip(), "city": city.strip(), "region": region.strip(),
              "postcode": postcode.strip(), "country": current.get("country", "")}
    remote = driver.change_address(number, {k: v for k, v in wanted.items() if v})
    if wanted["address1"] not in remote.address.get("street", ""):
        raise ToolFailed(f"order {number} still goes to {remote.address.get('street', '?')} on the marketplace "
                         f"({remote.status}); change it in the back-office, or tell the buyer it cannot change")
    with session_scope(deps.engine) as session:
        order = find_order(session, deps, number)
        order.address = remote.address
        if order.flag == ADDRESS_HOLD:
            order.flag = ""
        session.add(order)
    return {"order": number, "address": remote.address}
