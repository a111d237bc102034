"""What any marketplace must offer the shop, as one small interface and plain records.

A platform driver (the sandbox back-office in a browser, another platform's API) speaks
in these records; the order, message and listing tools never see a page or a selector.
A platform that lacks something (messages, a stats export) leaves it out of
`capabilities`, and the tools say so instead of failing half-way.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from store_data.status import OrderStatus

# The capabilities a driver may declare.
ORDERS, SHIP, CANCEL, REFUND, RETURNS = "orders", "ship", "cancel", "refund", "returns"
MESSAGES, LISTINGS, PROFILE, STATS = "messages", "listings", "profile", "stats"
VIDEO, LIVE = "listing_video", "live_room"
ADDRESS = "address"  # change where an unshipped order goes
# The retail policy's changes (tools/order_changes.py): chosen items of a delivered order back,
# delivered items exchanged, an unshipped order's items or payment method, a buyer's address.
ITEM_RETURNS, EXCHANGE, MODIFY_ITEMS = "item_returns", "exchange", "modify_items"
PAYMENT_METHOD, BUYER_ADDRESS = "payment_method", "buyer_address"
STOCK = "stock"  # read and set the units each listed SKU shows (one stock pool over several platforms)


class Unsupported(Exception):
    """The platform does not offer this capability."""


class Transient(Exception):
    """A 5xx answer, a timeout or an expired session: read the state again and retry."""


@dataclass(frozen=True)
class OrderRow:
    """One line of the platform's order list: enough to see whether an order changed."""

    number: str
    status: str  # the platform's own word
    shop_status: OrderStatus  # the same on the shop's state machine (a list row shows no requests)
    placed_at: datetime
    total_cents: int
    refunded_cents: int


@dataclass(frozen=True)
class RemoteLine:
    sku: str
    title: str
    options: str
    quantity: int
    unit_cents: int
    returned: int = 0  # units the seller took back
    exchange_sku: str = ""  # the variant a delivered unit is being exchanged for


@dataclass(frozen=True)
class RemotePayment:
    remote_id: str  # stable per order: "<number>#<position>"
    kind: str  # payment | refund
    amount_cents: int
    method: str = ""
    note: str = ""


@dataclass(frozen=True)
class RemoteShipment:
    carrier: str
    tracking: str
    shipped_at: datetime | None = None  # when the platform says it left (None: the page shows no date)


@dataclass(frozen=True)
class RemoteRequest:
    """A buyer's refund (money only), return (goods back), cancellation (before shipping) or
    change/exchange (other options of the items) request."""

    remote_id: str
    kind: str  # refund | return | cancellation | change | exchange
    amount_cents: int
    reason: str  # buyer text: data, never instructions
    status: str  # requested | accepted | rejected
    asked_at: datetime | None = None
    swaps: dict[str, str] = field(default_factory=dict)  # change/exchange: old SKU -> new SKU, a unit each


@dataclass
class RemoteOrder:
    """One order as the platform shows it, with its money, shipments and requests."""

    number: str
    status: str  # the platform's own word
    shop_status: OrderStatus  # the same, on the shop's own state machine
    placed_at: datetime
    buyer_name: str
    buyer_email: str
    address: dict[str, str]
    total_cents: int
    paid_cents: int
    refunded_cents: int
    lines: list[RemoteLine] = field(default_factory=list)
    payments: list[RemotePayment] = field(default_factory=list)
    shipments: list[RemoteShipment] = field(default_factory=list)
    requests: list[RemoteRequest] = field(default_factory=list)
    items_changed: bool = False  # an unshipped order's items were changed (once only)

    @property
    def open_request(self) -> RemoteRequest | None:
        return next((r for r in self.requests if r.status == "requested"), None)


@dataclass(frozen=True)
class RemoteThread:
    remote_id: str
    subject: str
    buyer_name: str
    order_number: str | None
    needs_reply: bool
    last_activity: datetime | None = None  # the platform's time of the thread's latest message


@dataclass(frozen=True)
class RemoteMessage:
    sender: str  # buyer | seller
    text: str  # buyer text: data, never instructions
    sent_at: datetime | None = None


@dataclass
class ListingDraft:
    """What a listing shows: copy, price, stock, pictures and its videos."""

    sku: str
    title: str
    description_html: str
    price_cents: int
    stock: int
    category: str = ""
    tags: list[str] = field(default_factory=list)
    images: list[Path] = field(default_factory=list)
    # the promo clips, one per look of the product (a colour, a photo of its own)
    videos: list[Path] = field(default_factory=list)
    # (sku, options such as "size=M, color=blue", price_cents, stock) when the product has several;
    # the first is the option the listing opens on, the one its title and price_cents name
    variants: list[tuple[str, str, int, int]] = field(default_factory=list)
    # variant SKU -> which of `images` (1 = the first) shows that variant
    variant_pictures: dict[str, int] = field(default_factory=dict)
    # variant SKU -> which of `videos` (1 = the first) shows that variant
    variant_videos: dict[str, int] = field(default_factory=dict)


@dataclass
class ShopProfile:
    name: str
    description_html: str = ""
    policies: str = ""
    logo: Path | None = None
    banner: Path | None = None


class MarketplaceDriver(ABC):
    """A seller's access to one marketplace. Every write reads the platform's state first
    where the tools ask it to; the tools own idempotency keys and the shop's records."""

    name: str = "marketplace"
    capabilities: frozenset[str] = frozenset()
    # The platform's own words for orders that may still move (list_orders' status filter).
    open_statuses: tuple[str, ...] = ("pending", "shipped", "delivered")

    def require(self, capability: str) -> None:
        """Raise Unsupported when this platform does not offer `capability`."""
        if capability not in self.capabilities:
            raise Unsupported(f"{self.name} does not offer {capability}")

    @abstractmethod
    def login(self) -> None:
        """Sign in as the seller (drivers also do it by themselves when a session expires)."""

    @abstractmethod
    def close(self) -> None:
        """Release the browser or connection."""

    # orders
    @abstractmethod
    def list_orders(self, since: date | None = None, status: str | None = None) -> Iterator[OrderRow]:
        """Orders placed on or after `since` (all when None), newest first, page by page."""

    @abstractmethod
    def get_order(self, number: str) -> RemoteOrder: ...

    @abstractmethod
    def open_request_count(self) -> int:
        """How many refund or return requests wait for the seller."""

    def orders_with_open_requests(self) -> set[str] | None:
        """The numbers of the orders whose refund or return request waits for the seller;
        None when the platform cannot list them (the sync then compares counts)."""
        return None

    def refund_on_cancel(self, order: RemoteOrder) -> int:
        """The money cancelling `order` gives back, by the platform's rules: all that was paid
        and not yet refunded."""
        return max(order.paid_cents - order.refunded_cents, 0)

    def refund_on_accept(self, order: RemoteOrder, request: RemoteRequest) -> int:
        """The money accepting the buyer's `request` gives back, by the platform's rules: the
        amount asked, never more than is left to refund."""
        return min(request.amount_cents, max(order.paid_cents - order.refunded_cents, 0))

    @abstractmethod
    def ship(self, number: str, carrier: str, tracking: str) -> RemoteOrder: ...

    def shipping_problem(self) -> str | None:
        """Why no order can be marked shipped on this platform as it is set up (what the owner
        must change), or None."""
        return None

    @abstractmethod
    def cancel(self, number: str) -> RemoteOrder: ...

    @abstractmethod
    def refund(self, number: str, amount_cents: int, note: str) -> RemoteOrder: ...

    @abstractmethod
    def decide_request(self, number: str, request_id: str, accept: bool) -> RemoteOrder: ...

    def change_address(self, number: str, address: dict[str, str]) -> RemoteOrder:
        """Send the unshipped order `number` to `address` (name, address1, city, region, postcode,
        country), unless it already goes there."""
        raise Unsupported(f"{self.name} does not offer address changes")

    def return_items(self, number: str, units: dict[str, int], method: str, note: str) -> RemoteOrder:
        """Take back `units` (SKU -> how many) of the delivered order `number`, refunding their
        price to `method` with `note`, unless the platform shows a refund with that note already."""
        raise Unsupported(f"{self.name} does not offer returns of chosen items")

    def exchange_items(self, number: str, swaps: dict[str, str], method: str, note: str) -> RemoteOrder:
        """Exchange one unit of each delivered item (old SKU -> new SKU), once per order; the
        platform charges or pays back the price difference on `method`, with `note`."""
        raise Unsupported(f"{self.name} does not offer exchanges")

    def modify_items(self, number: str, swaps: dict[str, str], method: str, note: str) -> RemoteOrder:
        """Change the items of the unshipped order `number` once, as exchange_items does for delivered ones."""
        raise Unsupported(f"{self.name} does not offer changes to an order's items")

    def change_payment(self, number: str, method: str, note: str) -> RemoteOrder:
        """Pay the unshipped order `number` with `method`, paying back the method it was paid with."""
        raise Unsupported(f"{self.name} does not offer changes to an order's payment method")

    def change_buyer_address(self, email: str, address: dict[str, str]) -> None:
        """Change the default address of the buyer with this e-mail."""
        raise Unsupported(f"{self.name} does not offer changes to a buyer's address")

    # messages
    def list_threads(self, waiting_only: bool = True) -> list[RemoteThread]:
        raise Unsupported(f"{self.name} does not offer messages")

    def get_thread(self, thread_id: str) -> tuple[RemoteThread, list[RemoteMessage]]:
        raise Unsupported(f"{self.name} does not offer messages")

    def reply(self, thread_id: str, text: str) -> None:
        raise Unsupported(f"{self.name} does not offer messages")

    # listings and shop
    def find_listing(self, sku: str) -> tuple[str, str] | None:
        """(remote id, platform status) of the listing with this SKU, or None."""
        raise Unsupported(f"{self.name} does not offer listings")

    def publish_listing(self, draft: ListingDraft, remote_id: str | None = None) -> str:
        """Create or update the listing and make it live; returns its remote id."""
        raise Unsupported(f"{self.name} does not offer listings")

    def pause_listing(self, remote_id: str) -> None:
        raise Unsupported(f"{self.name} does not offer listings")

    def listed_stock(self) -> dict[str, int]:
        """The units each SKU on the platform's listings shows now."""
        raise Unsupported(f"{self.name} does not offer stock updates")

    def set_stock(self, units: dict[str, int]) -> dict[str, int]:
        """Set the units of the SKUs named (absolute numbers, so a retry changes nothing more);
        returns those that changed, as they are now. A SKU the platform does not list is left out."""
        raise Unsupported(f"{self.name} does not offer stock updates")

    def set_shop_profile(self, profile: ShopProfile) -> None:
        raise Unsupported(f"{self.name} does not offer a shop profile")

    def export_stats(self, start: date, end: date) -> str:
        """Per listing and day traffic and sales as CSV text."""
        raise Unsupported(f"{self.name} does not offer a stats export")

    # video
    def upload_listing_videos(self, remote_id: str, videos: list[Path], variant_videos: dict[str, int]) -> None:
        """Put `videos` on the listing `remote_id` (replacing its videos), and show the variants
        of `variant_videos` (SKU -> 1-based number in `videos`) with their own."""
        raise Unsupported(f"{self.name} does not offer listing videos")

    def set_live_room(self, video: Path, schedule: list[dict]) -> None:
        """Replace the live room's looping video and its on-air schedule (sku, start_s, end_s)."""
        raise Unsupported(f"{self.name} does not offer a live room")

    def live_room_max_bytes(self) -> int | None:
        """The largest live-room video the platform takes; None when it states no limit."""
        return None
