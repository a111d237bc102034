"""A Vendure shop driven through its Admin GraphQL API (no browser).

Vendure (https://vendure.io, an open-source headless commerce platform) maps onto the
marketplace interface as follows:
- orders: placed orders (not active carts) by `orderPlacedAt`, newest first, 100 a page; a
  list row carries the state and the settled refunds, so a sync reads only orders that moved;
  the order code is the order number;
- shipping: one fulfilment of every unfulfilled line through the shipping method's handler
  (`manual-fulfillment`: the carrier is its method, the tracking number its trackingCode),
  then the fulfilment moves to Shipped, which moves the order to Shipped;
- refunds: `refundOrder` on a settled payment with the shop's note as the refund's reason,
  so a retry finds the refund by its reason and does not refund twice;
- cancellation: what was paid and not refunded is refunded (reason "cancellation of order
  N"), then `cancelOrder` cancels every line and the shipping, which frees the stock;
- a new delivery address: Vendure's order modification (Modifying, `modifyOrder` with the new
  shipping address, then back to the paid state), before the order ships;
- notes: an order's private history note (`addNoteToOrder`), once per text.
Vendure has no buyer messages (order notes are the staff's own), no buyer refund or return
requests, no shop profile, listing videos or per-listing stats here: those capabilities are
left out and the tools say so. Its states AddingItems and ArrangingPayment are carts, not
orders: they are never listed. Catalogue writes live in vendure_catalog.py.
"""

from collections.abc import Iterator
from datetime import date, datetime
from functools import partial

from store_data.status import OrderStatus
from tools.drivers.automation import Automation
from tools.drivers.browser import PlatformRefused
from tools.drivers.marketplace import (ADDRESS, CANCEL, LISTINGS, ORDERS, REFUND, SHIP, STOCK, MarketplaceDriver, OrderRow,
                                       RemoteLine, RemoteOrder, RemotePayment, RemoteShipment)
from tools.drivers.vendure_catalog import VendureCatalogMixin
from tools.drivers.vendure_client import VendureClient, refused
from tools.errors import ToolFailed

# Vendure's default order process, on the shop's state machine. Modifying and
# ArrangingAdditionalPayment are an administrator changing a paid order: still paid.
STATES: dict[str, OrderStatus] = {
    "PaymentAuthorized": OrderStatus.PAID, "PaymentSettled": OrderStatus.PAID,
    "Modifying": OrderStatus.PAID, "ArrangingAdditionalPayment": OrderStatus.PAID,
    "PartiallyShipped": OrderStatus.SHIPPED, "Shipped": OrderStatus.SHIPPED,
    "PartiallyDelivered": OrderStatus.DELIVERED, "Delivered": OrderStatus.DELIVERED,
    "Cancelled": OrderStatus.CANCELLED,
}
PAGE = 100
LIVE_PAYMENTS = ("Authorized", "Settled")
SENT = ("Shipped", "Delivered")  # fulfilment states of a parcel that left

ROW_FIELDS = "code state orderPlacedAt totalWithTax payments { amount state refunds { total state } }"
ORDER_FIELDS = """id code state orderPlacedAt totalWithTax
  customer { firstName lastName emailAddress }
  shippingAddress { fullName streetLine1 streetLine2 city province postalCode countryCode }
  lines { id quantity orderPlacedQuantity unitPriceWithTax productVariant { sku name options { name group { name } } } }
  payments { id method amount state transactionId refunds { id total state reason } }
  fulfillments { id state method trackingCode createdAt }
  history(options: { take: 200, sort: { createdAt: ASC } }) { items { type createdAt data } }"""
ORDERS_QUERY = """query($options: OrderListOptions) { orders(options: $options) {
  totalItems items { %s } } }"""
ERROR = "... on ErrorResult { errorCode message }"


def shop_status(state: str, paid: int, refunded: int) -> OrderStatus:
    """Vendure's order state on the shop's state machine; a full refund reads as refunded."""
    if state not in STATES:
        raise ToolFailed(f"the Vendure shop has an order in the state {state!r}, which shopagent cannot place; "
                         "a custom order process needs its states added to tools/drivers/vendure_api.py STATES")
    base = STATES[state]
    if base not in (OrderStatus.CANCELLED, OrderStatus.CLOSED) and paid > 0 and refunded >= paid:
        return OrderStatus.REFUNDED
    return base


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _total(raw: dict, paid: int) -> int:
    """What the order came to. Cancelling empties a Vendure order's lines and shipping (its
    total falls to 0); what was paid for it is its total then."""
    return raw["totalWithTax"] if raw["state"] != "Cancelled" else max(raw["totalWithTax"], paid)


def _money(payments: list[dict]) -> tuple[int, int]:
    """(paid, refunded) in minor units: live payments, and refunds not failed."""
    paid = sum(p["amount"] for p in payments if p["state"] in LIVE_PAYMENTS)
    refunded = sum(r["total"] for p in payments for r in p["refunds"] if r["state"] != "Failed")
    return paid, refunded


class VendureApiDriver(VendureCatalogMixin, MarketplaceDriver):
    """The Vendure shop at `base_url` (its Admin API at /admin-api), as an administrator."""

    name = "vendure"
    capabilities = frozenset({ORDERS, SHIP, CANCEL, REFUND, LISTINGS, ADDRESS, STOCK})
    open_statuses = ("PaymentAuthorized", "PaymentSettled", "PartiallyShipped", "Shipped", "PartiallyDelivered",
                     "Delivered", "Modifying", "ArrangingAdditionalPayment")

    def __init__(self, base_url: str, user: str, password: str, timeout_s: float = 15.0, retries: int = 3,
                 backoff_s: float = 0.25, language: str = "en", automation: Automation | None = None,
                 currency: str | None = None):
        self.client = VendureClient(base_url, user, password, timeout_s, retries, backoff_s, automation)
        self.currency = currency  # the shop's: the channel must sell in it (None: not checked)
        self.base_url = self.client.base_url
        self.language = language

    @property
    def logins(self) -> int:
        return self.client.logins

    def login(self) -> None:
        self.client.with_retries("sign in", self.client.login)

    def close(self) -> None:
        self.client.close()

    # --- reading orders ----------------------------------------------------------------------

    def list_orders(self, since: date | None = None, status: str | None = None) -> Iterator[OrderRow]:
        wanted: dict = {"active": {"eq": False}}  # placed orders; carts are active
        if since is not None:
            wanted["orderPlacedAt"] = {"after": f"{since.isoformat()}T00:00:00.000Z"}
        if status:
            wanted["state"] = {"eq": status}
        self.client.with_retries("read the channel", self.check_currency)
        skip = 0
        while True:
            page = self.client.with_retries("list orders", partial(self._order_page, wanted, skip))
            for raw in page["items"]:
                if raw["orderPlacedAt"] is None:
                    continue
                paid, refunded = _money(raw["payments"])
                yield OrderRow(number=raw["code"], status=raw["state"],
                               shop_status=shop_status(raw["state"], paid, refunded),
                               placed_at=_when(raw["orderPlacedAt"]), total_cents=_total(raw, paid),
                               refunded_cents=refunded)
            skip += PAGE
            if skip >= page["totalItems"]:
                return

    def _order_page(self, wanted: dict, skip: int) -> dict:
        options = {"filter": wanted, "sort": {"orderPlacedAt": "DESC"}, "take": PAGE, "skip": skip}
        return self.client.query(ORDERS_QUERY % ROW_FIELDS, {"options": options})["orders"]

    def open_request_count(self) -> int:
        return 0  # Vendure has no buyer refund or return requests

    def orders_with_open_requests(self) -> set[str] | None:
        return set()

    def get_order(self, number: str) -> RemoteOrder:
        return self.client.with_retries(f"read order {number}", lambda: self._read(number)[0])

    def _read(self, number: str) -> tuple[RemoteOrder, dict]:
        """The order as the shop's record, and Vendure's own answer (ids the writes need)."""
        options = {"filter": {"code": {"eq": number}}, "take": 1}
        items = self.client.query(ORDERS_QUERY % ORDER_FIELDS, {"options": options})["orders"]["items"]
        if not items or items[0]["orderPlacedAt"] is None:
            raise ToolFailed(f"order {number} is not on the Vendure shop (or is still a buyer's cart)")
        return self._order(items[0]), items[0]

    def _order(self, raw: dict) -> RemoteOrder:
        number = raw["code"]
        paid, refunded = _money(raw["payments"])
        payments = []
        for payment in raw["payments"]:
            if payment["state"] in LIVE_PAYMENTS:
                payments.append(RemotePayment(remote_id=f"{number}#payment-{payment['id']}", kind="payment",
                                              amount_cents=payment["amount"], method=payment["method"]))
            for back in payment["refunds"]:
                if back["state"] != "Failed":
                    payments.append(RemotePayment(remote_id=f"{number}#refund-{back['id']}", kind="refund",
                                                  amount_cents=back["total"], method=payment["method"],
                                                  note=back["reason"] or ""))
        shipped_at = {str(e["data"].get("fulfillmentId")): _when(e["createdAt"]) for e in raw["history"]["items"]
                      if e["type"] == "ORDER_FULFILLMENT_TRANSITION" and e["data"].get("to") == "Shipped"}
        shipments = [RemoteShipment(carrier=f["method"], tracking=f["trackingCode"] or "",
                                    shipped_at=shipped_at.get(str(f["id"])))
                     for f in raw["fulfillments"] or [] if f["state"] in SENT]
        # A cancelled order's lines are down to 0 units: the units placed say what it was.
        count = "orderPlacedQuantity" if raw["state"] == "Cancelled" else "quantity"
        lines = [RemoteLine(sku=line["productVariant"]["sku"], title=line["productVariant"]["name"],
                            options=", ".join(f"{o['group']['name']}={o['name']}"
                                              for o in line["productVariant"]["options"]),
                            quantity=line[count], unit_cents=line["unitPriceWithTax"])
                 for line in raw["lines"] if line[count] > 0]
        customer, where = raw["customer"] or {}, raw["shippingAddress"] or {}
        name = where.get("fullName") or " ".join(filter(None, (customer.get("firstName"), customer.get("lastName"))))
        address = {"name": name or "",
                   "street": ", ".join(filter(None, (where.get("streetLine1"), where.get("streetLine2")))),
                   "city": where.get("city") or "", "region": where.get("province") or "",
                   "postcode": where.get("postalCode") or "", "country": where.get("countryCode") or ""}
        return RemoteOrder(number=number, status=raw["state"], shop_status=shop_status(raw["state"], paid, refunded),
                           placed_at=_when(raw["orderPlacedAt"]), buyer_name=name,
                           buyer_email=customer.get("emailAddress") or "", address=address,
                           total_cents=_total(raw, paid), paid_cents=paid, refunded_cents=refunded, lines=lines,
                           payments=payments, shipments=shipments)

    # --- order actions: each attempt reads the order, then writes only what is missing --------

    def ship(self, number: str, carrier: str, tracking: str) -> RemoteOrder:
        """One fulfilment of the unfulfilled lines with carrier and tracking, then Shipped."""
        def attempt() -> RemoteOrder:
            order, raw = self._read(number)
            if order.shop_status == OrderStatus.CANCELLED:
                return order
            live = [f for f in raw["fulfillments"] or [] if f["state"] != "Cancelled"]
            if not live:
                lines = [{"orderLineId": line["id"], "quantity": line["quantity"]}
                         for line in raw["lines"] if line["quantity"] > 0]
                handler = {"code": "manual-fulfillment", "arguments": [
                    {"name": "method", "value": carrier}, {"name": "trackingCode", "value": tracking}]}
                made = self.client.query(f"""mutation($input: FulfillOrderInput!) {{ addFulfillmentToOrder(input: $input)
                    {{ ... on Fulfillment {{ id state }} {ERROR} }} }}""", {"input": {"lines": lines, "handler": handler}})
                live = [refused(made["addFulfillmentToOrder"], f"ship order {number}")]
            for parcel in live:
                if parcel["state"] not in SENT:
                    moved = self.client.query(f"""mutation($id: ID!) {{ transitionFulfillmentToState(id: $id,
                        state: "Shipped") {{ ... on Fulfillment {{ id state }} {ERROR} }} }}""", {"id": parcel["id"]})
                    refused(moved["transitionFulfillmentToState"], f"mark order {number}'s parcel shipped")
            return self._read(number)[0]
        return self.client.with_retries(f"ship order {number}", attempt)

    def refund(self, number: str, amount_cents: int, note: str) -> RemoteOrder:
        """Refund `amount_cents` from the settled payments (the largest first), with `note` as the
        refund's reason, unless a refund with that reason exists."""
        def attempt() -> RemoteOrder:
            order, raw = self._read(number)
            if not any(p.kind == "refund" and p.note == note for p in order.payments):
                self._refund(number, raw, amount_cents, note)
                order = self._read(number)[0]
            return order
        return self.client.with_retries(f"refund order {number}", attempt)

    def _refund(self, number: str, raw: dict, amount_cents: int, note: str) -> None:
        left = amount_cents
        # What each settled payment can still give back, the largest first.
        payable = sorted(((p["amount"] - sum(r["total"] for r in p["refunds"] if r["state"] != "Failed"), p["id"])
                          for p in raw["payments"] if p["state"] == "Settled"), reverse=True)
        if sum(can for can, _ in payable) < amount_cents:
            raise PlatformRefused(f"order {number} on the Vendure shop has {sum(c for c, _ in payable)} cents left to "
                                  f"refund, less than the {amount_cents} asked")
        for can, payment in payable:
            part = min(can, left)
            if part <= 0:
                break
            answer = self.client.query(f"""mutation($input: RefundOrderInput!) {{ refundOrder(input: $input)
                {{ ... on Refund {{ id state }} {ERROR} }} }}""",
                # shipping and adjustment: the deprecated fields Vendure still stores (NOT NULL columns).
                {"input": {"paymentId": payment, "amount": part, "reason": note, "shipping": 0, "adjustment": 0}})
            made = refused(answer["refundOrder"], f"refund order {number}")
            if made["state"] == "Failed":
                raise PlatformRefused(f"the Vendure shop's payment provider failed the refund of order {number}")
            left -= part

    def cancel(self, number: str) -> RemoteOrder:
        """Refund what was paid and not refunded, then cancel every line and the shipping."""
        note = f"cancellation of order {number}"  # not a shop key: the cancel is keyed by its state

        def attempt() -> RemoteOrder:
            order, raw = self._read(number)
            if order.shop_status == OrderStatus.CANCELLED:
                return order
            if order.shipments:
                raise PlatformRefused(f"order {number} has shipped on the Vendure shop and cannot be cancelled")
            owed = order.paid_cents - order.refunded_cents
            if owed > 0 and not any(p.kind == "refund" and p.note == note for p in order.payments):
                self._refund(number, raw, owed, note)
            answer = self.client.query(f"""mutation($input: CancelOrderInput!) {{ cancelOrder(input: $input)
                {{ ... on Order {{ id state }} {ERROR} }} }}""",
                {"input": {"orderId": raw["id"], "cancelShipping": True, "reason": note}})
            refused(answer["cancelOrder"], f"cancel order {number}")
            return self._read(number)[0]
        return self.client.with_retries(f"cancel order {number}", attempt)

    def change_address(self, number: str, address: dict[str, str]) -> RemoteOrder:
        """Vendure's order modification (Modifying, the new shipping address, back to the paid
        state), unless the order already goes to that street."""
        def attempt() -> RemoteOrder:
            order, raw = self._read(number)
            there = address["address1"] in order.address.get("street", "")
            if there and raw["state"] != "Modifying":
                return order
            if order.shipments or order.shop_status != OrderStatus.PAID:
                raise PlatformRefused(f"order {number} is {raw['state']} on the Vendure shop; only a paid order not "
                                      "yet shipped can go to a new address")
            if raw["state"] != "Modifying":
                self._move(number, raw["id"], "Modifying")
            if not there:
                fields = {"streetLine1": address["address1"], "city": address.get("city", ""),
                          "province": address.get("region", ""), "postalCode": address.get("postcode", "")}
                if len(address.get("country", "")) == 2:  # Vendure names countries by ISO code
                    fields["countryCode"] = address["country"]
                if address.get("name"):
                    fields["fullName"] = address["name"]
                answer = self.client.query(f"""mutation($input: ModifyOrderInput!) {{ modifyOrder(input: $input)
                    {{ ... on Order {{ id }} {ERROR} }} }}""",
                    {"input": {"dryRun": False, "orderId": raw["id"], "updateShippingAddress": fields}})
                refused(answer["modifyOrder"], f"change the address of order {number}")
            settled = all(p["state"] == "Settled" for p in raw["payments"] if p["state"] in LIVE_PAYMENTS)
            self._move(number, raw["id"], "PaymentSettled" if settled else "PaymentAuthorized")
            return self._read(number)[0]
        return self.client.with_retries(f"change the address of order {number}", attempt)

    def _move(self, number: str, order_id: str, state: str) -> None:
        answer = self.client.query(f"""mutation($id: ID!, $state: String!) {{ transitionOrderToState(id: $id,
            state: $state) {{ ... on Order {{ id }} {ERROR} ... on OrderStateTransitionError {{ transitionError }} }}
            }}""", {"id": order_id, "state": state})
        moved = answer["transitionOrderToState"]
        if moved and "errorCode" in moved:
            raise PlatformRefused(f"the Vendure shop refused to move order {number} to {state}: "
                                  f"{moved.get('transitionError') or moved['message']}")

    def decide_request(self, number: str, request_id: str, accept: bool) -> RemoteOrder:
        raise ToolFailed("the Vendure shop has no buyer refund or return requests to decide")

    def add_note(self, number: str, text: str) -> RemoteOrder:
        """A private note on the order (its history), unless one with exactly this text exists."""
        def attempt() -> RemoteOrder:
            order, raw = self._read(number)
            notes = [e["data"].get("note", "") for e in raw["history"]["items"] if e["type"] == "ORDER_NOTE"]
            if text.strip() not in (n.strip() for n in notes):
                answer = self.client.query("""mutation($input: AddNoteToOrderInput!) {
                    addNoteToOrder(input: $input) { id } }""",
                    {"input": {"id": raw["id"], "note": text, "isPublic": False}})
                if not answer["addNoteToOrder"]:
                    raise PlatformRefused(f"the Vendure shop did not note order {number}")
            return order
        return self.client.with_retries(f"note order {number}", attempt)

    def notes(self, number: str) -> list[str]:
        """The order's notes, oldest first."""
        raw = self.client.with_retries(f"read order {number}", lambda: self._read(number)[1])
        return [e["data"].get("note", "") for e in raw["history"]["items"] if e["type"] == "ORDER_NOTE"]
