"""The sandbox marketplace's seller back-office, driven in a real headless Chromium.

- The browser starts on first use; the login is kept in `<workdir>/runs/browser-state.json`
  and renewed whenever the platform sends the login page (an expired session).
- Every page load and form submission, the login form's included, is retried with backoff on
  5xx answers, timeouts and expired forms (403); only a 401 to the login form means wrong
  credentials.
  Each write first reads the order's page, so a retry never repeats what already happened.
- A human-check page stops the action with NeedsOwner and a screenshot for the owner.
- When retries run out, a screenshot and the page's HTML go to `runs/` and ToolFailed says
  where; the shop's records are left untouched by the driver.
"""

import re
from collections.abc import Callable, Iterator
from functools import partial
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import quote

from store_data.clock import utcnow
from store_data.status import OrderStatus
from tools.drivers import sandbox_selectors as sel
from tools.drivers.automation import Automation
from tools.drivers.browser import BrowserDriver, PlatformRefused
from tools.drivers.sandbox_listings import SandboxListingsMixin
from tools.drivers.page_locale import PageFormatError
from tools.drivers.marketplace import (ADDRESS, BUYER_ADDRESS, CANCEL, EXCHANGE, ITEM_RETURNS, LISTINGS, MODIFY_ITEMS,
                                       PAYMENT_METHOD, LIVE, MESSAGES, ORDERS, PROFILE, REFUND, RETURNS, SHIP, STATS, STOCK,
                                       VIDEO, OrderRow, RemoteLine, RemoteMessage, RemoteOrder,
                                       RemotePayment, RemoteRequest, RemoteShipment, RemoteThread, Transient)
from tools.errors import NeedsOwner, ToolFailed

ORDER_LINK = re.compile(r"^S\d+$")

# The platform's order words on the shop's state machine; open requests and full refunds
# are overlaid by shop_status().
BASE_STATUS = {"pending": OrderStatus.PAID, "shipped": OrderStatus.SHIPPED, "delivered": OrderStatus.DELIVERED,
               "returned": OrderStatus.RETURNED, "cancelled": OrderStatus.CANCELLED}

# An open request's kind on the shop's state machine: money back before or after shipping
# (a cancellation included), goods back, or other options of the items.
REQUEST_STATUS = {"refund": OrderStatus.REFUND_REQUESTED, "cancellation": OrderStatus.REFUND_REQUESTED,
                  "return": OrderStatus.RETURN_REQUESTED, "change": OrderStatus.CHANGE_REQUESTED,
                  "exchange": OrderStatus.CHANGE_REQUESTED}


def shop_status(status: str, open_request: RemoteRequest | None, paid: int, refunded: int,
                returned: bool = False, exchanged: bool = False) -> OrderStatus:
    """The sandbox's order status on the shop's state machine (`returned`: the seller took back
    some of a delivered order's items, which are on their way back)."""
    base = BASE_STATUS[status]
    # A seller's cancel leaves the buyer's request open on the page; the order is settled all the same.
    if open_request is not None and base != OrderStatus.CANCELLED:
        return REQUEST_STATUS.get(open_request.kind, OrderStatus.RETURN_REQUESTED)
    if base != OrderStatus.CANCELLED and paid > 0 and refunded >= paid:
        return OrderStatus.REFUNDED
    if base == OrderStatus.DELIVERED and returned:
        return OrderStatus.RETURN_REQUESTED
    if base == OrderStatus.DELIVERED and exchanged:
        return OrderStatus.EXCHANGE_REQUESTED
    return base


def _swaps(text: str) -> dict[str, str]:
    """'Options asked: A>B, C>D' -> {A: B, C: D}."""
    pairs = (part.split(">", 1) for part in text.partition(":")[2].split(",") if ">" in part)
    return {old.strip(): new.strip() for old, new in pairs}


def parse_cents(text: str) -> int:
    """'$1,012.50' -> 101250."""
    cleaned = text.strip().replace("$", "").replace(",", "")
    whole, _, frac = cleaned.partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole or 0)) * 100 + int((frac + "00")[:2]))


def _when(text: str) -> datetime:
    """A time the pages show: ISO with seconds where a `datetime` attribute gives one (a
    message's), else the minute the text shows."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = datetime.strptime(text, sel.DATE_FORMAT)
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _shipment(text: str, tracking: str) -> RemoteShipment:
    """'Carrier · tracking T · 2026-05-01 10:00' (the date when the page shows one)."""
    found = sel.SHIPPED_AT.search(text)
    return RemoteShipment(carrier=text.split(" · ")[0], tracking=tracking,
                          shipped_at=_when(found["at"]) if found else None)


class SandboxBrowserDriver(SandboxListingsMixin, BrowserDriver):
    """The sandbox back-office at `base_url`, logged in as `email`."""

    name = "sandbox"
    page_state_script = sel.READ_PAGE_STATE
    capabilities = frozenset({ORDERS, SHIP, CANCEL, REFUND, RETURNS, ADDRESS, ITEM_RETURNS, EXCHANGE, MODIFY_ITEMS, STOCK,
                              PAYMENT_METHOD, BUYER_ADDRESS, MESSAGES, LISTINGS, PROFILE, STATS, VIDEO, LIVE})

    def __init__(self, base_url: str | Callable[[], str], email: str, password: str | Callable[[], str],
                 runs_dir: Path,
                 browser_executable: Path | str = "/usr/bin/chromium", timeout_s: float = 15.0,
                 retries: int = 3, backoff_s: float = 0.25, automation: Automation | None = None):
        super().__init__(runs_dir, browser_executable, timeout_s, retries, backoff_s, automation)
        # A callable is asked on first use: the platform may be started only when needed.
        self._base_url = base_url
        self.email, self.password = email, password

    @property
    def base_url(self) -> str:
        if callable(self._base_url):
            self._base_url = self._base_url()
        return self._base_url.rstrip("/")

    @base_url.setter
    def base_url(self, value: str) -> None:
        self._base_url = value

    def login(self) -> None:
        """Sign in as the seller; a 5xx answer or a timeout is retried like any page."""
        self._with_retries("log in", self._sign_in)

    def _sign_in(self) -> None:
        page = self.page
        self._goto(sel.LOGIN_PATH)
        page.get_by_label(sel.EMAIL_LABEL, exact=True).fill(self.email)
        password = self.password() if callable(self.password) else self.password
        page.get_by_label(sel.PASSWORD_LABEL, exact=True).fill(password)
        answer = self._click_and_wait(lambda: page.get_by_role("button", name=sel.LOGIN_BUTTON).click(), "log in")
        state = self._state()
        if state["human"]:
            self._needs_owner("log in")
        if state["login"]:
            reason = state["alert"] or "no reason given"
            if answer == 429:
                raise ToolFailed(f"the sandbox has locked the seller login for {self.email} after failed tries "
                                 f"({reason}); wait, check marketplace_password, then resume the run")
            if answer == 401:
                raise ToolFailed(f"the sandbox refused the seller login for {self.email} ({reason}); "
                                 "check marketplace_user and marketplace_password")
            # Anything else (a form that expired with a 403, no answer) is the platform's fault.
            raise Transient(f"log in: the login page came back (HTTP {answer}, {reason})")
        self._remember_login()

    # --- pages: signed in, human checks, refusals ----------------------------------------

    def _open(self, path: str) -> None:
        """Load a back-office page as the logged-in seller (signing in again if needed)."""
        self._goto(path)
        state = self._state()
        if state["human"]:
            self._needs_owner(f"open {path}")
        if state["login"]:
            self._sign_in()  # already inside the caller's retries
            self._goto(path)
            state = self._state()
            if state["human"]:
                self._needs_owner(f"open {path}")
            if state["login"]:
                raise Transient(f"{path}: still asked to log in")

    def _submit(self, click: Callable[[], None], what: str) -> None:
        """Click a form's button and check the page that comes back."""
        answer = self._click_and_wait(click, what)
        state = self._state()
        if state["human"]:
            self._needs_owner(what)
        if state["login"]:
            raise Transient(f"{what}: the session expired")
        if answer == 403:  # the form's token expired with the session: read the page again
            raise Transient(f"{what}: the form expired ({state['alert'] or 'HTTP 403'})")
        if state["alert"]:
            raise PlatformRefused(f"the platform refused to {what}: {state['alert']}")

    def _needs_owner(self, what: str) -> None:
        found = self.evidence(f"human-check-{what}")
        found.pop("note", None)
        raise NeedsOwner(f"the marketplace shows a human check while trying to {what}; pass it in the "
                         "back-office, then approve to try again", evidence=found)

    # --- orders ----------------------------------------------------------------------------

    def list_orders(self, since: date | None = None, status: str | None = None) -> Iterator[OrderRow]:
        return self._list_orders({"status": status or "", "date_from": since.isoformat() if since else ""})

    def orders_with_open_requests(self) -> set[str]:
        return {row.number for row in self._list_orders({"request": "open"})}

    def _list_orders(self, params: dict[str, str]) -> Iterator[OrderRow]:
        page_number = 1
        while True:
            query = "&".join(f"{k}={v}" for k, v in {**params, "page": page_number}.items() if v)
            rows, more = self._with_retries("list orders", partial(self._order_rows, query))
            yield from rows
            if not more:
                return
            page_number += 1

    def _order_rows(self, query: str) -> tuple[list[OrderRow], bool]:
        self._open(f"{sel.ORDERS_PATH}?{query}")
        raw = self.page.eval_on_selector_all(sel.ORDER_ROWS, sel.READ_ORDER_ROWS)
        rows = []
        for r in raw:
            total, refunded = parse_cents(r["cells"][4]), parse_cents(r["cells"][5])
            rows.append(OrderRow(number=r["number"], status=r["status"],
                                 shop_status=shop_status(r["status"], None, total, refunded),
                                 placed_at=_when(r["cells"][1]), total_cents=total, refunded_cents=refunded))
        return rows, self.page.locator(sel.NEXT_PAGE).count() > 0

    def open_request_count(self) -> int:
        def attempt() -> int:
            self._open(sel.HOME_PATH)
            match = sel.OPEN_REQUESTS_TEXT.search(self.page.locator("body").inner_text())
            return int(match.group(1)) if match else 0
        return self._with_retries("count open requests", attempt)

    def get_order(self, number: str) -> RemoteOrder:
        return self._with_retries(f"read order {number}", lambda: self._load_order(number))

    def _load_order(self, number: str) -> RemoteOrder:
        self._open(sel.ORDER_PATH.format(number=number))
        order = self._read_order()
        if order.number != number:
            raise ToolFailed(f"order {number} is not on the marketplace")
        return order

    def _read_order(self) -> RemoteOrder:
        raw = self.page.evaluate(sel.READ_ORDER)
        if not raw["number"]:
            return RemoteOrder(number="", status="", shop_status=OrderStatus.PAID, placed_at=utcnow(),
                               buyer_name="", buyer_email="", address={}, total_cents=0, paid_cents=0,
                               refunded_cents=0)
        summary = sel.SUMMARY.search(raw["summary"])
        if summary is None:  # without it the order's money is unknown: nothing may be decided on it
            raise PageFormatError(f"the marketplace's page of order {raw['number']} shows no summary shopagent can "
                                  f"read ({raw['summary']!r}); its order page changed: update SUMMARY in "
                                  "tools/drivers/sandbox_selectors.py")
        buyer = sel.BUYER_TEXT.match(raw["buyer"])
        requests = []
        for r in raw["requests"]:
            found = sel.REQUEST_TEXT.match(r["text"])
            if found:
                requests.append(RemoteRequest(remote_id=r["id"], kind=found["kind"].lower(),
                                              amount_cents=parse_cents(found["amount"]), reason=found["reason"],
                                              status=r["status"], asked_at=_when(found["asked"]),
                                              swaps=_swaps(r.get("swaps", ""))))
        paid, refunded = parse_cents(summary["paid"]), parse_cents(summary["refunded"])
        open_request = next((r for r in requests if r.status == "requested"), None)
        lines = [line.strip() for line in raw["address"].splitlines() if line.strip()]
        items = [RemoteLine(sku=c[0], title=c[1], options=c[2], quantity=int(c[3]), unit_cents=parse_cents(c[4]),
                            returned=int(c[5]) if len(c) > 5 and c[5].isdigit() else 0,
                            exchange_sku=c[6] if len(c) > 6 else "") for c in raw["items"]]
        return RemoteOrder(
            number=raw["number"], status=raw["status"],
            shop_status=shop_status(raw["status"], open_request, paid, refunded, any(i.returned for i in items),
                                    any(i.exchange_sku for i in items)),
            placed_at=_when(summary["placed"]),
            buyer_name=buyer["name"] if buyer else raw["buyer"], buyer_email=buyer["email"] if buyer else "",
            address={"name": lines[0] if lines else "", "street": ", ".join(lines[1:-2]),
                     "city": lines[-2] if len(lines) > 2 else "", "country": lines[-1] if len(lines) > 1 else ""},
            total_cents=parse_cents(summary["total"]), paid_cents=paid, refunded_cents=refunded,
            lines=items,
            payments=[RemotePayment(remote_id=f"{raw['number']}#{i}", kind=c[1], amount_cents=parse_cents(c[2]),
                                    method=c[3], note=c[4]) for i, c in enumerate(raw["payments"], 1)],
            shipments=[_shipment(s["text"], s["tracking"]) for s in raw["shipments"]],
            requests=requests, items_changed=" · items changed" in raw["summary"],
        )

    def refund_on_accept(self, order: RemoteOrder, request: RemoteRequest) -> int:
        """Accepting any request on an unshipped order cancels it and refunds all that is left."""
        if order.status == "pending":
            return self.refund_on_cancel(order)
        return super().refund_on_accept(order, request)

    def _act(self, number: str, what: str, needed: Callable[[RemoteOrder], bool],
             fill: Callable[[], None]) -> RemoteOrder:
        """Read the order; if the platform's state says the action is still needed, do it."""
        def attempt() -> RemoteOrder:
            order = self._load_order(number)
            if not needed(order):
                return order
            self._submit(fill, what)
            return self._read_order()
        return self._with_retries(what, attempt)

    def ship(self, number: str, carrier: str, tracking: str) -> RemoteOrder:
        page = self.page

        def fill() -> None:
            page.get_by_label(sel.SHIP_CARRIER_LABEL, exact=True).fill(carrier)
            page.get_by_label(sel.SHIP_TRACKING_LABEL, exact=True).fill(tracking)
            page.get_by_role("button", name=sel.SHIP_BUTTON).click()
        return self._act(number, f"ship order {number}", lambda o: o.status == "pending", fill)

    def cancel(self, number: str) -> RemoteOrder:
        return self._act(number, f"cancel order {number}", lambda o: o.status == "pending",
                         lambda: self.page.get_by_role("button", name=sel.CANCEL_BUTTON).click())

    def refund(self, number: str, amount_cents: int, note: str) -> RemoteOrder:
        """Refund `amount_cents` with `note` unless a refund with this very note exists."""
        page = self.page

        def fill() -> None:
            page.get_by_label(sel.REFUND_AMOUNT_LABEL).fill(f"{amount_cents // 100}.{amount_cents % 100:02d}")
            page.get_by_label(sel.REFUND_NOTE_LABEL, exact=True).fill(note)
            page.get_by_role("button", name=sel.REFUND_BUTTON).click()
        return self._act(number, f"refund order {number}",
                         lambda o: not any(p.kind == "refund" and p.note == note for p in o.payments), fill)

    def decide_request(self, number: str, request_id: str, accept: bool) -> RemoteOrder:
        def waiting(order: RemoteOrder) -> bool:
            return any(r.remote_id == request_id and r.status == "requested" for r in order.requests)

        def fill() -> None:
            box = self.page.locator(sel.REQUEST_BOX.format(request_id=request_id))
            box.get_by_role("button", name=sel.ACCEPT_BUTTON if accept else sel.REJECT_BUTTON).click()
        verb = "accept" if accept else "reject"
        return self._act(number, f"{verb} request {request_id} on order {number}", waiting, fill)

    def return_items(self, number: str, units: dict[str, int], method: str, note: str) -> RemoteOrder:
        """Take back chosen units of a delivered order unless a refund with this very note exists."""
        page = self.page

        def fill() -> None:
            box = page.locator(sel.RETURN_FORM)
            box.evaluate("details => details.open = true")
            for sku, count in units.items():
                box.get_by_label(sel.RETURN_LABEL.format(sku=sku), exact=True).fill(str(count))
            box.get_by_label(sel.RETURN_METHOD_LABEL, exact=True).fill(method)
            box.get_by_label(sel.RETURN_NOTE_LABEL, exact=True).fill(note)
            box.get_by_role("button", name=sel.RETURN_BUTTON).click()
        return self._act(number, f"take back items of order {number}",
                         lambda o: not any(p.kind == "refund" and p.note == note for p in o.payments), fill)

    def _swap(self, number: str, swaps: dict[str, str], method: str, note: str, exchange: bool) -> RemoteOrder:
        page = self.page

        def fill() -> None:
            box = page.locator(sel.CHANGE_ITEMS_FORM)
            box.evaluate("details => details.open = true")
            for old, new in swaps.items():
                box.get_by_label(sel.CHANGE_ITEM_LABEL.format(sku=old), exact=True).fill(new)
            box.get_by_label(sel.CHANGE_METHOD_LABEL, exact=True).fill(method)
            box.get_by_label(sel.CHANGE_NOTE_LABEL, exact=True).fill(note)
            box.get_by_role("button", name=sel.CHANGE_ITEMS_BUTTON).click()

        def needed(order: RemoteOrder) -> bool:
            if exchange:
                return not any(line.exchange_sku for line in order.lines)
            return not order.items_changed
        what = "exchange items of" if exchange else "change the items of"
        return self._act(number, f"{what} order {number}", needed, fill)

    def exchange_items(self, number: str, swaps: dict[str, str], method: str, note: str) -> RemoteOrder:
        return self._swap(number, swaps, method, note, exchange=True)

    def modify_items(self, number: str, swaps: dict[str, str], method: str, note: str) -> RemoteOrder:
        return self._swap(number, swaps, method, note, exchange=False)

    def change_payment(self, number: str, method: str, note: str) -> RemoteOrder:
        page = self.page

        def fill() -> None:
            box = page.locator(sel.PAYMENT_FORM)
            box.evaluate("details => details.open = true")
            box.get_by_label(sel.PAYMENT_METHOD_LABEL, exact=True).fill(method)
            box.get_by_label(sel.PAYMENT_NOTE_LABEL, exact=True).fill(note)
            box.get_by_role("button", name=sel.PAYMENT_BUTTON).click()
        return self._act(number, f"change the payment method of order {number}",
                         lambda o: not any(p.kind == "payment" and p.note == note for p in o.payments), fill)

    def change_address(self, number: str, address: dict[str, str]) -> RemoteOrder:
        page = self.page

        def fill() -> None:
            box = page.locator(sel.ADDRESS_FORM)
            box.evaluate("details => details.open = true")
            for field, label in sel.ADDRESS_LABELS.items():
                if address.get(field):
                    box.get_by_label(label, exact=True).fill(address[field])
            box.get_by_role("button", name=sel.ADDRESS_BUTTON).click()
        return self._act(number, f"change the address of order {number}",
                         lambda o: o.status == "pending" and address["address1"] not in o.address.get("street", ""),
                         fill)

    def buyer_address(self, email: str) -> dict[str, str]:
        """The default address the marketplace keeps for the buyer with this e-mail."""
        def attempt() -> dict[str, str]:
            self._open(sel.BUYER_PATH.format(email=quote(email)))
            found = self.page.evaluate(sel.READ_BUYER)
            if not found["found"]:
                raise PlatformRefused(f"the marketplace has no buyer with the e-mail {email}")
            return found["address"]
        return self._with_retries(f"read the buyer {email}", attempt)

    def change_buyer_address(self, email: str, address: dict[str, str]) -> None:
        """Change the buyer's default address in the back-office, unless it is that already."""
        def attempt() -> None:
            kept = self.buyer_address(email)
            if all(kept.get(k, "") == v for k, v in address.items() if v):
                return
            box = self.page.locator(sel.BUYER_ADDRESS_FORM)
            for field, label in sel.BUYER_ADDRESS_LABELS.items():
                box.get_by_label(label, exact=True).fill(address.get(field, "") or kept.get(field, ""))
            self._submit(lambda: box.get_by_role("button", name=sel.BUYER_ADDRESS_BUTTON).click(),
                         f"change the default address of {email}")
        self._with_retries(f"change the default address of {email}", attempt)
        kept = self.buyer_address(email)
        if not all(kept.get(k, "") == v for k, v in address.items() if v):
            raise ToolFailed(f"the marketplace does not show the new default address of {email}; check it in the "
                             "back-office (Buyers)")

    # --- messages ------------------------------------------------------------------------

    def list_threads(self, waiting_only: bool = True) -> list[RemoteThread]:
        def attempt() -> list[RemoteThread]:
            self._open(f"{sel.THREADS_PATH}?show={'open' if waiting_only else 'all'}")
            raw = self.page.eval_on_selector_all(sel.THREAD_ROWS, sel.READ_THREAD_ROWS)
            return [RemoteThread(remote_id=r["id"], subject=r["cells"][0], buyer_name=r["cells"][1],
                                 order_number=r["cells"][2] or None, needs_reply=r["cells"][4] == "waiting for reply",
                                 last_activity=_when(r["updated"]) if r["updated"] else None)
                    for r in raw]
        return self._with_retries("list messages", attempt)

    def get_thread(self, thread_id: str) -> tuple[RemoteThread, list[RemoteMessage]]:
        def attempt():
            self._open(sel.THREAD_PATH.format(thread_id=thread_id))
            raw = self.page.evaluate(sel.READ_THREAD)
            messages = [RemoteMessage(sender=m["sender"], text=m["text"].strip(),
                                      sent_at=_when(m["at"]) if m["at"] else None) for m in raw["messages"]]
            order = self.page.get_by_role("link", name=ORDER_LINK)
            number = order.first.inner_text() if order.count() else None
            thread = RemoteThread(remote_id=thread_id, subject=raw["subject"], buyer_name="", order_number=number,
                                  needs_reply=bool(messages) and messages[-1].sender == "buyer")
            return thread, messages
        return self._with_retries(f"read thread {thread_id}", attempt)

    def reply(self, thread_id: str, text: str) -> None:
        """Send `text` unless the thread's last seller message already says exactly that."""
        page = self.page

        def attempt() -> None:
            self._open(sel.THREAD_PATH.format(thread_id=thread_id))
            raw = page.evaluate(sel.READ_THREAD)
            if any(m["sender"] == "seller" and m["text"].strip() == text.strip() for m in raw["messages"]):
                return

            def fill() -> None:
                page.get_by_label(sel.REPLY_LABEL).fill(text)
                page.get_by_role("button", name=sel.REPLY_BUTTON).click()
            self._submit(fill, f"reply in thread {thread_id}")
        self._with_retries(f"reply in thread {thread_id}", attempt)
