"""A django-oscar shop's staff dashboard, driven in a real headless Chromium.

Oscar is a third-party platform: the driver works only through the pages a staff member
uses (/dashboard/). What the dashboard offers maps onto the marketplace interface:
- orders: the order list (its CSV download, all pages at once) and each order's page;
- shipping: a shipping event of the shop's "shipped" type on every line, with the
  tracking number as its reference, then the order status along the shop's pipeline;
- refunds: Oscar has no refund button, so a refund is a payment event of the shop's
  "refunded" type with the amount, claimed by an order note that carries the shop's
  idempotency key (the dashboard cannot put a reference on a payment event); the note is
  written first, so a retry finds the claim and adds the event only if it is missing;
- cancellation: the refund of what was paid and not refunded, then the cancelled status;
- a new delivery address: the order's shipping address form, before it ships;
- stock: a product's or variant's stock record, in stock written as the units to sell plus
  those Oscar has allocated to its orders (Oscar sells in stock less allocated);
- a return of chosen items: a refund payment event on those lines with their quantities
  (Oscar allows each event type once per unit of a line), claimed by a note like a refund;
  the lines' refunded units are read back from the payment events.
Oscar has no buyer messages, refund or return requests, shop profile or per-listing
stats, nor a way to exchange or change an order's items or payment method: those
capabilities are left out and the tools say so. Oscar places an order only
after its payment step, so an order's total counts as paid unless payment events say
otherwise. Every read and write is retried like the sandbox driver's; a session that
expired signs in again.

Shops differ: the dashboard may speak any language Django ships (dates and money are read
in it by page_locale.py, tables found by their place in Oscar's templates), and the order
pipeline is the shop's own (its statuses placed by oscar_status_map or by their words).
"""

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from store_data.status import OrderStatus
from tools.drivers import oscar_selectors as sel
from tools.drivers.marketplace import (ADDRESS, CANCEL, ITEM_RETURNS, LISTINGS, ORDERS, REFUND, SHIP, OrderRow,
                                       RemoteLine, RemoteOrder, RemotePayment, RemoteShipment, STOCK, Transient)
from tools.drivers.oscar_listings import OscarListingsMixin
from tools.drivers.browser import STATE_FILE, BrowserDriver, PlatformRefused
from tools.drivers.automation import Automation
from tools.drivers.page_locale import read_cents, read_datetime
from tools.drivers.sandbox_browser import parse_cents
from tools.errors import ToolFailed

# Oscar's order statuses are the shop's own words (OSCAR_ORDER_STATUS_PIPELINE). Without
# an oscar_status_map setting, a word is placed on the shop's state machine by what it says;
# the first rule whose stem the word contains wins, so "Cancelled after shipping" is cancelled.
STATUS_STEMS: tuple[tuple[OrderStatus, tuple[str, ...]], ...] = (
    (OrderStatus.CANCELLED, ("cancel", "void", "abort")),
    (OrderStatus.RETURNED, ("return",)),
    (OrderStatus.DELIVERED, ("deliver", "received")),
    (OrderStatus.SHIPPED, ("ship", "dispatch", "sent", "transit", "posted")),
    (OrderStatus.CLOSED, ("complete", "closed", "finish", "done", "archived")),
    # Oscar places an order once it is paid; words such as 'awaiting' or 'on hold' say too
    # little to be placed without the owner (an error names the setting).
    (OrderStatus.PAID, ("pending", "process", "new", "paid")),
)
STATUS_SETTING = "oscar_status_map"


def discovered_status(word: str) -> OrderStatus | None:
    """The shop status an Oscar status word names by itself ('Being processed' -> paid), or None."""
    folded = word.casefold()
    return next((status for status, stems in STATUS_STEMS if any(stem in folded for stem in stems)), None)


def _address(parts: list[str]) -> dict[str, str]:
    """Oscar's address block (name, street lines, city, state, postcode, country) as the shop's fields."""
    if len(parts) < 6:  # a shop asking for fewer fields: keep the name and the rest as one street
        return {"name": parts[0] if parts else "", "street": ", ".join(parts[1:]), "city": "", "country": ""}
    return {"name": parts[0], "street": ", ".join(parts[1:-4]), "city": parts[-4], "region": parts[-3],
            "postcode": parts[-2], "country": parts[-1]}


def _column(headers: list[str], *words: str, place: int | None = None) -> int:
    """The index of the first header containing one of `words` (lower case); in a dashboard
    in another language, `place`, the column's place in Oscar's default template."""
    for number, header in enumerate(headers):
        if any(word in header.lower() for word in words):
            return number
    if place is not None and place < len(headers):
        return place
    raise Transient(f"the dashboard table has no column {words[0]!r} (columns: {headers})")


def _order_number(heading: str) -> str:
    """'#100042' (the breadcrumb), or 'Order #100042' in English: the number after the '#'."""
    found = re.search(r"#\s*(\S+)", heading)
    return found.group(1) if found else heading.replace("Order", "").strip()


class OscarBrowserDriver(OscarListingsMixin, BrowserDriver):
    """The Oscar dashboard at `base_url`, signed in as the staff user `email`."""

    name = "oscar"
    state_name = f"oscar-{STATE_FILE}"
    page_state_script = sel.READ_PAGE_STATE
    capabilities = frozenset({ORDERS, SHIP, CANCEL, REFUND, LISTINGS, ADDRESS, ITEM_RETURNS, STOCK})
    # The dashboard's scripts only dress its forms (TinyMCE, select2, date pickers); the
    # driver sets the fields under them itself, and pages load without them about twice as fast.
    page_scripts = False

    def __init__(self, base_url: str, email: str, password: str, runs_dir: Path,
                 browser_executable: Path | str = "/usr/bin/chromium", timeout_s: float = 15.0,
                 retries: int = 3, backoff_s: float = 0.25, shop_timezone: str = "UTC",
                 status_map: Mapping[str, str] | None = None, shipped_event: str = "shipped",
                 refund_event: str = "refunded", partner: str | None = None, product_class: str | None = None,
                 locale: str | None = None, automation: Automation | None = None):
        super().__init__(runs_dir, browser_executable, timeout_s, retries, backoff_s, automation)
        self.base_url = base_url.rstrip("/")
        self.email, self.password = email, password
        self.zone = ZoneInfo(shop_timezone)
        self.status_map = {word: OrderStatus(status) for word, status in (status_map or {}).items()}
        self.locale = locale  # None: the dashboard's <html lang>, read from its pages
        self._page_lang = ""
        self._pipeline: list[str] | None = None
        # Read once per driver (the catalogue mixin's): the create page of the chosen product
        # type, and the category paths the shop has (lower case).
        self._create_path: str | None = None
        self._categories: set[str] | None = None
        self.shipped_event, self.refund_event = shipped_event, refund_event
        # (order, note) of refund events the dashboard accepted: one it then does not show is
        # never submitted again (a wrong oscar_refund_event would otherwise refund without end).
        self._refunds_sent: set[tuple[str, str]] = set()
        self.partner, self.product_class = partner, product_class  # None: the dashboard's first

    def login(self) -> None:
        page = self.page
        self._load_raw(sel.LOGIN_PATH)
        page.fill(f"{sel.LOGIN_FORM} [name=username]", self.email)
        page.fill(f"{sel.LOGIN_FORM} [name=password]", self.password)
        self._submit(lambda: page.click(f"{sel.LOGIN_FORM} [type=submit]"), "log in", allow_login_page=True)
        if self._state()["path"].startswith(sel.LOGIN_PATHS):
            raise ToolFailed(f"the Oscar dashboard refused the staff login for {self.email}; check marketplace_user "
                             "(the staff e-mail) and marketplace_password")
        self._remember_login()

    # --- loading pages with retries ------------------------------------------------------

    def _load_raw(self, path: str):
        response = self._goto(path)
        if response is not None and response.status == 404:
            raise ToolFailed(f"the Oscar dashboard has no page {path}")
        return response

    def _open(self, path: str) -> None:
        """Load a dashboard page as the signed-in staff user (signing in again if needed)."""
        self._load_raw(path)
        state = self._state()
        if state["path"].startswith(sel.LOGIN_PATHS):
            self.login()
            self._load_raw(path)
            state = self._state()
            if state["path"].startswith(sel.LOGIN_PATHS):
                raise Transient(f"{path}: still asked to log in")
        self._page_lang = state.get("lang") or self._page_lang

    @property
    def page_locale(self) -> str:
        """The language dates and money are read in: the setting, else the dashboard's own."""
        return self.locale or self._page_lang or "en"

    def _submit(self, click: Callable[[], None], what: str, allow_login_page: bool = False) -> None:
        """Click a form's button and check the page that comes back for Oscar's error messages."""
        self._click_and_wait(click, what)
        state = self._state()
        if not allow_login_page and state["path"].startswith(sel.LOGIN_PATHS):
            raise Transient(f"{what}: the session expired")
        if state["alert"]:
            raise PlatformRefused(f"the Oscar dashboard refused to {what}: {state['alert']}")

    def _send(self, form: str, button: str, what: str, files: dict[str, Path] | None = None) -> str | None:
        """A form sent without loading the page Oscar redirects to (see BrowserDriver._send_form):
        that page's address, or None with Oscar's answer (the form and its errors) in the page.
        A redirect to the login page is an expired session (Transient)."""
        location = self._send_form(form, button, what, files)
        if location is not None and urlparse(location).path.startswith(sel.LOGIN_PATHS):
            raise Transient(f"{what}: the session expired")
        return location

    def _press(self, button: str) -> None:
        """Click `button` in the page itself. Playwright's click would wait for the button to be
        visible, and without the dashboard's scripts a form on another tab (the notes) never
        is. The driver filled the form; only its submit is wanted."""
        self.page.eval_on_selector(button, "b => b.click()")

    def _set_fields(self, form: str, values: dict[str, str]) -> None:
        missing = self.page.evaluate(sel.SET_FIELDS, [form, values])
        if missing:
            raise ToolFailed(f"the Oscar dashboard form {form} has no {', '.join(missing)}; "
                             "create it in the dashboard (event types, partner, category) or fix the settings")

    # --- orders ----------------------------------------------------------------------------

    def status_of_or_none(self, word: str) -> OrderStatus | None:
        """Oscar's status word on the shop's state machine: the setting, else what the word says."""
        return self.status_map.get(word) or discovered_status(word)

    def status_of(self, word: str) -> OrderStatus:
        """The same, or an error naming the setting for a word that says nothing shopagent knows."""
        status = self.status_of_or_none(word)
        if status is None:
            raise ToolFailed(f"the Oscar shop uses the order status {word!r}, which shopagent cannot place; add it "
                             f"to {STATUS_SETTING} in shopagent.toml, e.g. {STATUS_SETTING} = {{ \"{word}\" = "
                             "\"paid\" }} (paid, shipped, delivered, returned, closed or cancelled)")
        return status

    def shop_status(self, word: str, paid: int, refunded: int, returned: bool = False) -> OrderStatus:
        """Oscar's status word on the shop's state machine; a full refund reads as refunded, a
        delivered order with refunded lines (items on their way back) as return requested."""
        base = self.status_of(word)
        if base not in (OrderStatus.CANCELLED, OrderStatus.CLOSED) and paid > 0 and refunded >= paid:
            return OrderStatus.REFUNDED
        if base == OrderStatus.DELIVERED and returned:
            return OrderStatus.RETURN_REQUESTED
        return base

    def pipeline(self) -> list[str]:
        """Every order status the shop offers (its order list's status filter), read once."""
        if self._pipeline is None:
            def read() -> list[str]:
                self._open(sel.ORDERS_PATH)
                return self.page.eval_on_selector_all(sel.ORDER_STATUS_FILTER, "os => os.map(o => o.value)")
            self._pipeline = [w for w in self._with_retries("read the order statuses", read) if w]
        return self._pipeline

    @property
    def open_statuses(self) -> tuple[str, ...]:  # type: ignore[override]
        """The pipeline's statuses of orders that may still move (paid, shipped, delivered)."""
        moving = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED)
        return tuple(w for w in self.pipeline() if self.status_of_or_none(w) in moving)

    def shipping_problem(self) -> str | None:
        """Why this shop cannot mark an order shipped (no status of its pipeline means shipped)."""
        words = self.pipeline()
        if any(self.status_of_or_none(w) == OrderStatus.SHIPPED for w in words):
            return None
        # The example names the pipeline's last status that is neither cancelled nor returned.
        example = next((w for w in reversed(words) if self.status_of_or_none(w) not in
                        (OrderStatus.CANCELLED, OrderStatus.RETURNED)), "Complete")
        return (f"the Oscar shop's order pipeline has no status that means shipped (statuses: {', '.join(words)}); "
                f"name the one orders take when they leave in {STATUS_SETTING} in shopagent.toml, e.g. "
                f"{STATUS_SETTING} = {{ \"{example}\" = \"shipped\" }}")

    def list_orders(self, since: date | None = None, status: str | None = None) -> Iterator[OrderRow]:
        query = "&".join(f"{k}={v}" for k, v in {"status": status or "", "date_from": since.isoformat() if since else "",
                                                   "response_format": "csv"}.items() if v)
        yield from self._with_retries("list orders", lambda: self._order_rows(query))

    def _order_rows(self, query: str) -> list[OrderRow]:
        self._open(sel.HOME_PATH)  # signs in first if needed; the download shares the cookies
        self.automation.pace()
        response = self.page.request.get(f"{self.base_url}{sel.ORDERS_PATH}?{query}")
        self._check_stop(response, "reading the order list", response.text)
        if response.status >= 500 or "csv" not in response.headers.get("content-type", ""):
            raise Transient(f"order list: HTTP {response.status} {response.headers.get('content-type', '')}")
        reader = csv.reader(io.StringIO(response.text().lstrip("\ufeff")))
        headers = next(reader, [])
        # Oscar's CSV columns (its CSV_COLUMNS): number, value, date, items, status, e-mail, ...
        number, value, placed, status = (_column(headers, *w, place=p) for w, p in (
            (("number",), 0), (("value", "total"), 1), (("date",), 2), (("status",), 4)))
        rows = []
        for cells in reader:
            total = parse_cents(cells[value])  # the CSV writes the amount as a plain decimal
            rows.append(OrderRow(number=cells[number], status=cells[status],
                                 shop_status=self.shop_status(cells[status], total, 0),
                                 placed_at=read_datetime(cells[placed], self.page_locale, self.zone),
                                 total_cents=total,
                                 refunded_cents=0))  # the list shows no refunds: the order page does
        return rows

    def open_request_count(self) -> int:
        return 0  # Oscar has no buyer refund or return requests

    def get_order(self, number: str) -> RemoteOrder:
        return self._with_retries(f"read order {number}", lambda: self._load_order(number))

    def _load_order(self, number: str) -> RemoteOrder:
        self._open(sel.ORDER_PATH.format(number=number))
        order, _ = self._read_order()
        if order.number != number:
            raise ToolFailed(f"order {number} is not on the Oscar shop")
        return order

    def _read_order(self) -> tuple[RemoteOrder, dict]:
        raw = self.page.evaluate(sel.READ_ORDER)
        if not raw["info"]:
            raise Transient(f"{self.page.url} shows no order information")
        keys, values = [k.lower() for k in raw["info"]["keys"]], raw["info"]["values"]
        # Oscar's order information: total, date of purchase, time of purchase, status.
        total, day, moment, word = (values[_column(keys, w, place=p)] for w, p in (
            ("order total", 0), ("date of purchase", 1), ("time of purchase", 2), ("status", 3)))
        locale = self.page_locale
        total = read_cents(total, locale)
        placed = read_datetime(day, locale, self.zone, moment)
        number = _order_number(raw["crumb"] if raw["crumb"].startswith("#") else raw["heading"])
        heads = raw["paymentHeaders"]
        payments, refunded, paid_events = [], 0, 0
        returned: dict[str, int] = {}  # line title -> units refunded by line-level refund events
        if raw["payments"]:
            kind_at, amount_at = _column(heads, "event", place=1), _column(heads, "amount", place=2)
            claims = self._refund_claims(raw)
            refund_name = (raw.get("paymentTypes") or {}).get(self.refund_event) or self.refund_event.replace("_", " ")
            # Newest first on the page; numbered oldest first so an id never moves.
            for position, cells in enumerate(reversed(raw["payments"]), 1):
                amount = read_cents(cells[amount_at], locale)
                is_refund = cells[kind_at].strip().lower() == refund_name.strip().lower()
                note = claims.get(amount, []).pop(0) if is_refund and claims.get(amount) else ""
                payments.append(RemotePayment(remote_id=f"{number}#{position}",
                                              kind="refund" if is_refund else "payment", amount_cents=amount,
                                              method=cells[kind_at], note=note))
                refunded += amount if is_refund else 0
                paid_events += 0 if is_refund else amount
            lines_at = _column(heads, "lines", place=3)
            for cells, cell_lines in zip(raw["payments"], raw.get("paymentLines") or []):
                if cells[kind_at].strip().lower() != refund_name.strip().lower() or len(cell_lines) <= lines_at:
                    continue
                for event_line in filter(None, map(sel.EVENT_LINE_TEXT.match, cell_lines[lines_at])):
                    title = event_line["title"].strip()
                    returned[title] = returned.get(title, 0) + int(event_line["quantity"])
        if not paid_events:  # Oscar took the money at checkout, before it placed the order
            payments.insert(0, RemotePayment(remote_id=f"{number}#checkout", kind="payment", amount_cents=total,
                                             method="checkout"))
        paid = paid_events or total
        shipments = []
        if raw["shipping"]:
            reference_at = _column(raw["shippingHeaders"], "reference", place=3)
            for cells in reversed(raw["shipping"]):
                found = sel.SHIPMENT_TEXT.match(cells[reference_at])
                shipments.append(RemoteShipment(carrier=found["carrier"] if found else "",
                                                tracking=found["tracking"] if found else cells[reference_at]))
        lines = []
        if raw["lines"]:
            heads = raw["lineHeaders"]
            quantity, title, sku, price = (_column(heads, "quantity", place=3), _column(heads, "product", place=4),
                                           _column(heads, "sku", "upc", place=5),
                                           _column(heads, "price inc", "price", place=10))
            for cells in raw["lines"]:
                count = int(cells[quantity])
                lines.append(RemoteLine(sku=cells[sku], title=cells[title], options="", quantity=count,
                                        unit_cents=read_cents(cells[price], locale) // max(count, 1),
                                        returned=returned.get(cells[title].strip(), 0)))
        address = [part.strip() for part in raw["address"].splitlines() if part.strip() and part.strip() != "Update"]
        buyer_email = raw["customer"][1] if len(raw["customer"]) > 1 else ""
        # A guest's row says so in a sentence ('Customer checked out as a guest.', translated).
        guest = not raw["customer"] or "guest" in raw["customer"][0].lower() or raw["customer"][0].endswith(".")
        order = RemoteOrder(
            number=number, status=word, placed_at=placed,
            shop_status=self.shop_status(word, paid, refunded, any(line.returned for line in lines)),
            buyer_name=(address[0] if address else buyer_email) if guest else raw["customer"][0],
            buyer_email=buyer_email,
            address=_address(address),
            total_cents=total, paid_cents=paid, refunded_cents=refunded, lines=lines, payments=payments,
            shipments=shipments)
        return order, raw

    def _refund_claims(self, raw: dict) -> dict[int, list[str]]:
        """amount -> the shop's notes claiming a refund event of that amount, oldest first."""
        claims: dict[int, list[str]] = {}
        if not raw["notes"]:
            return claims
        message_at = _column(raw["noteHeaders"], "message", place=3)
        for cells in reversed(raw["notes"]):
            found = sel.REFUND_NOTE_TEXT.match(cells[message_at].strip())
            if found:
                claims.setdefault(parse_cents(found["amount"]), []).append(found["note"].strip())
        return claims

    # --- order actions ---------------------------------------------------------------------

    def _act(self, number: str, what: str, steps: Callable[[RemoteOrder, dict], bool]) -> RemoteOrder:
        """Read the order, let `steps` submit what is still needed (True when it did), read again."""
        def attempt() -> RemoteOrder:
            order = self._load_order(number)
            while steps(order, self.page.evaluate(sel.READ_ORDER)):
                # Oscar answers every order form with the order's page: read it as it comes.
                on_page = self._state()["path"] == sel.ORDER_PATH.format(number=number)
                order = self._read_order()[0] if on_page else self._load_order(number)
            return order
        return self._with_retries(what, attempt)

    def _change_status(self, number: str, to_shop: OrderStatus, raw: dict, passed: set[str] | None = None) -> None:
        """Move the order to a status meaning `to_shop`; where the pipeline reaches one only
        through statuses of the order's current kind ('Being processed'), through the first
        of those not yet `passed`."""
        nexts = raw["nextStatuses"]
        word = next((w for w in nexts if self.status_of_or_none(w) == to_shop), None)
        if word is None and passed is not None:
            here = next((self.status_of_or_none(w) for w in [raw.get("status", "")] if w), None)
            word = next((w for w in nexts if w not in passed and self.status_of_or_none(w) == here), None)
        if word is None:
            raise PlatformRefused(f"the Oscar shop's pipeline offers no move to {to_shop} for order {number} "
                                  f"(next statuses: {', '.join(nexts) or 'none'}); if one of them means "
                                  f"{to_shop}, say so in {STATUS_SETTING} in shopagent.toml")
        if passed is not None:
            passed.add(word)
        self._set_fields(sel.ORDER_STATUS_FORM, {"new_status": word})
        self._submit(lambda: self._press(f"{sel.ORDER_STATUS_FORM} [type=submit]"),
                     f"set order {number} to {word}")

    def ship(self, number: str, carrier: str, tracking: str) -> RemoteOrder:
        """A shipping event with the tracking reference on every line, then the shipped status."""
        def steps(order: RemoteOrder, raw: dict) -> bool:
            if order.shop_status == OrderStatus.CANCELLED:
                return False
            if not order.shipments:
                self._ship_event(number, carrier, tracking)
                return True
            if order.shop_status == OrderStatus.PAID:
                self._change_status(number, OrderStatus.SHIPPED, {**raw, "status": order.status}, passed)
                return True
            return False
        passed: set[str] = set()  # intermediate statuses taken on the way, never twice
        return self._act(number, f"ship order {number}", steps)

    def _ship_event(self, number: str, carrier: str, tracking: str) -> None:
        if not self.page.evaluate(sel.SELECT_ALL_LINES):
            raise ToolFailed(f"order {number} has no lines to ship")
        self._set_fields(sel.ORDER_LINES_FORM, {
            "shipping_event_type": self.shipped_event,
            "reference": sel.SHIPMENT_REFERENCE.format(tracking=tracking, carrier=carrier)})
        self.page.check("#shipping_event_check", force=True)
        self._submit(lambda: self._press(f"{sel.ORDER_LINES_FORM} [type=submit]"), f"ship order {number}")

    def _refund_steps(self, number: str, amount_cents: int, note: str,
                      units: Mapping[str, int] | None = None) -> Callable[[RemoteOrder, dict], bool]:
        """The two submissions of a refund: the claiming note, then the payment event (on the
        order, or on the lines of `units`, SKU -> how many)."""
        amount = f"{amount_cents // 100}.{amount_cents % 100:02d}"

        def steps(order: RemoteOrder, raw: dict) -> bool:
            claimed = [c for c in self._all_claims(raw) if c == note]
            if not claimed:
                self._set_fields(sel.ORDER_NOTE_FORM, {"message": sel.REFUND_NOTE.format(note=note, amount=amount)})
                self._submit(lambda: self._press(f"{sel.ORDER_NOTE_FORM} [type=submit]"),
                             f"note the refund on order {number}")
                return True
            if not any(p.kind == "refund" and p.note == note for p in order.payments):
                if (number, note) in self._refunds_sent:
                    raise ToolFailed(f"the Oscar dashboard took the refund event on order {number} but the order "
                                     f"shows no refund event named as the payment event type "
                                     f"{self.refund_event!r} is; check the order's payment events and the "
                                     "setting oscar_refund_event before refunding again")
                # The order-level payment event of Oscar's order view: a line-level one is
                # refused once the lines carry an event of that type (a second refund).
                event = ([sel.LINE_PAYMENT_EVENT, [self.refund_event, amount, self._line_ids(number, raw, units)]]
                         if units else [sel.ORDER_PAYMENT_EVENT, [self.refund_event, amount]])
                if not self.page.evaluate(*event):
                    raise ToolFailed(f"the Oscar shop has no payment event type {self.refund_event!r}; "
                                     "create it in the Django admin (order > payment event types)")
                self._submit(lambda: self._press(f"{sel.ORDER_LINES_FORM} [type=submit]"),
                             f"refund order {number}")
                self._refunds_sent.add((number, note))
                return True
            return False
        return steps

    def _all_claims(self, raw: dict) -> list[str]:
        return [note for notes in self._refund_claims(raw).values() for note in notes]

    def _line_ids(self, number: str, raw: dict, units: Mapping[str, int]) -> dict[str, int]:
        """Oscar's line id -> how many units, for `units` (SKU -> how many)."""
        sku_at = _column(raw["lineHeaders"], "sku", "upc", place=5)
        ids = {cells[sku_at]: line_id for cells, line_id in zip(raw["lines"], raw["lineIds"])}
        missing = sorted(set(units) - set(ids))
        if missing:
            raise PlatformRefused(f"order {number} on the Oscar shop has no line of {', '.join(missing)}")
        return {ids[sku]: count for sku, count in units.items()}

    def return_items(self, number: str, units: dict[str, int], method: str, note: str) -> RemoteOrder:
        """Refund the price of `units` (SKU -> how many) of the delivered order as a payment
        event on those lines, claimed by `note`, unless a refund with that note exists. Oscar
        pays a refund back the way the order was paid: another `method` is refused."""
        units = {sku: count for sku, count in units.items() if count > 0}

        def steps(order: RemoteOrder, raw: dict) -> bool:
            if any(p.kind == "refund" and p.note == note for p in order.payments):
                return False
            if method and order.payments and method != order.payments[0].method:
                raise PlatformRefused(f"the Oscar shop refunds order {number} only as it was paid "
                                      f"({order.payments[0].method}), not to {method}")
            if order.shop_status not in (OrderStatus.DELIVERED, OrderStatus.RETURN_REQUESTED):
                raise PlatformRefused(f"order {number} is {order.status} on the Oscar shop; only a delivered "
                                      "order's items are taken back")
            prices = {line.sku: line.unit_cents for line in order.lines}
            amount = min(sum(prices.get(sku, 0) * count for sku, count in units.items()),
                         order.paid_cents - order.refunded_cents)
            return self._refund_steps(number, amount, note, units)(order, raw)
        return self._act(number, f"take back items of order {number}", steps)

    def refund(self, number: str, amount_cents: int, note: str) -> RemoteOrder:
        """Refund `amount_cents` as a payment event, unless a refund claimed by `note` exists."""
        return self._act(number, f"refund order {number}", self._refund_steps(number, amount_cents, note))

    def cancel(self, number: str) -> RemoteOrder:
        """Refund what was paid and not yet refunded, then move the order to its cancelled status."""
        note = f"cancellation of order {number}"  # not a shop key: the cancel is keyed by its status

        def steps(order: RemoteOrder, raw: dict) -> bool:
            if order.shop_status == OrderStatus.CANCELLED:
                return False
            if order.shipments:
                raise PlatformRefused(f"order {number} has shipped on the Oscar shop and cannot be cancelled")
            owed = order.paid_cents - order.refunded_cents
            if owed > 0 or note in self._all_claims(raw):
                if self._refund_steps(number, owed, note)(order, raw):
                    return True
            self._change_status(number, OrderStatus.CANCELLED, raw)
            return True
        return self._act(number, f"cancel order {number}", steps)

    def decide_request(self, number: str, request_id: str, accept: bool) -> RemoteOrder:
        raise ToolFailed("the Oscar shop has no buyer refund or return requests to decide")

    def change_address(self, number: str, address: dict[str, str]) -> RemoteOrder:
        """Edit the order's shipping address in the dashboard, unless it already goes to that street."""
        def steps(order: RemoteOrder, raw: dict) -> bool:
            if address["address1"] in order.address.get("street", ""):
                return False
            if order.shipments:
                raise PlatformRefused(f"order {number} has shipped on the Oscar shop; its address can no longer change")
            self._open(sel.SHIPPING_ADDRESS_PATH.format(number=number))
            self._set_fields(sel.SHIPPING_ADDRESS_FORM, {field: address[key] for key, field in
                                                         sel.SHIPPING_ADDRESS_FIELDS.items() if address.get(key)})
            self._submit(lambda: self._press(f"{sel.SHIPPING_ADDRESS_FORM} [type=submit]"),
                         f"change the address of order {number}")
            return True
        return self._act(number, f"change the address of order {number}", steps)

    def add_note(self, number: str, text: str) -> RemoteOrder:
        """Add a staff note to the order unless one with exactly this text exists."""
        def steps(order: RemoteOrder, raw: dict) -> bool:
            if raw["notes"]:
                message_at = _column(raw["noteHeaders"], "message", place=3)
                if any(cells[message_at].strip() == text.strip() for cells in raw["notes"]):
                    return False
            self._set_fields(sel.ORDER_NOTE_FORM, {"message": text})
            self._submit(lambda: self._press(f"{sel.ORDER_NOTE_FORM} [type=submit]"), f"note order {number}")
            return True
        return self._act(number, f"note order {number}", steps)
