"""The marketplace's own tables. Money is integer cents; times are naive UTC."""

from __future__ import annotations

import json

from pydantic import NaiveDatetime
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class Table(SQLModel, registry=registry()):
    """Base of the marketplace's tables: its own registry and metadata, so the platform's
    schema never mixes with the shop's (both may live in one process, e.g. in tests)."""

    @property
    def saved_id(self) -> int:
        """The row's id, which a row read from the database or flushed has."""
        row_id = getattr(self, "id", None)
        if row_id is None:
            raise RuntimeError(f"a {type(self).__name__} was used before it was saved; flush it first")
        return row_id


class Seller(Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True)
    password_hash: str
    created_at: NaiveDatetime


class Shop(Table, table=True):
    """The one shop this marketplace hosts (row id 1): brand, policies, live room."""

    id: int | None = Field(default=None, primary_key=True)
    name: str
    description_html: str = ""
    policies: str = ""
    logo: str | None = None  # paths relative to the media folder
    banner: str | None = None
    promo_video: str | None = None
    live_schedule: str = "[]"  # JSON list of {sku|listing_id, start_s, end_s}

    def schedule(self) -> list[dict]:
        return json.loads(self.live_schedule or "[]")


class Listing(Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(unique=True, index=True)
    title: str
    description_html: str = ""
    price_cents: int
    stock: int = 0
    category: str = ""
    tags: str = ""  # comma separated
    status: str = Field(default="draft", index=True)
    created_at: NaiveDatetime
    updated_at: NaiveDatetime

    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


class Variant(Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    listing_id: int = Field(foreign_key="listing.id", index=True)
    sku: str = Field(unique=True, index=True)
    options: str = "{}"  # JSON object, e.g. {"color": "blue", "size": "M"}
    price_cents: int
    stock: int = 0
    picture: int = 0  # which of the listing's pictures (1 = the first) shows this variant; 0: none
    video: int = 0  # which of the listing's videos (1 = the first) shows this variant; 0: the first

    def option_dict(self) -> dict:
        return json.loads(self.options or "{}")

    def label(self) -> str:
        return ", ".join(f"{k}: {v}" for k, v in self.option_dict().items()) or self.sku


class Media(Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    listing_id: int = Field(foreign_key="listing.id", index=True)
    kind: str  # image | video
    path: str
    position: int = 0


class Buyer(Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True)
    name: str
    created_at: NaiveDatetime
    address: str = ""  # the default address, JSON (name, address1, address2, city, region, postcode, country)

    def default_address(self) -> dict[str, str]:
        return json.loads(self.address) if self.address else {}


class Order(Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, index=True)
    access_key: str  # lets a guest buyer open the order page from a link
    buyer_id: int = Field(foreign_key="buyer.id", index=True)
    status: str = Field(index=True)
    created_at: NaiveDatetime = Field(index=True)
    updated_at: NaiveDatetime
    ship_name: str
    address1: str
    address2: str = ""
    city: str
    region: str = ""
    postcode: str
    country: str
    total_cents: int
    paid_cents: int = 0
    refunded_cents: int = 0
    payment_method: str = ""
    items_modified: bool = False  # an unshipped order's items were changed (once only)

    @property
    def refundable_cents(self) -> int:
        return self.paid_cents - self.refunded_cents


class OrderItem(Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    listing_id: int | None = Field(default=None, foreign_key="listing.id", index=True)
    variant_id: int | None = Field(default=None, foreign_key="variant.id")
    sku: str
    title: str
    options: str = ""
    unit_cents: int
    qty: int
    returned_qty: int = 0  # units the seller took back (a return of chosen items)
    exchange_sku: str = ""  # the variant a delivered unit is being exchanged for


class Payment(Table, table=True):
    """A money movement on an order: a payment in, or a refund out."""

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    kind: str  # payment | refund
    amount_cents: int
    method: str = ""
    note: str = ""
    at: NaiveDatetime


class Shipment(Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    carrier: str
    tracking: str
    at: NaiveDatetime


class ReturnRequest(Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    kind: str  # refund (money only) | return (send the goods back) | cancellation | change | exchange
    reason: str
    amount_cents: int
    items: str = ""  # a return of chosen units: "SKU:count, SKU:count" (empty: the whole order)
    swaps: str = ""  # a change or exchange: "OLD>NEW, OLD>NEW", one unit each
    status: str = "requested"  # requested | accepted | rejected
    created_at: NaiveDatetime
    decided_at: NaiveDatetime | None = None


class Thread(Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    buyer_id: int = Field(foreign_key="buyer.id", index=True)
    order_id: int | None = Field(default=None, foreign_key="order.id", index=True)
    subject: str
    needs_reply: bool = True
    updated_at: NaiveDatetime = Field(index=True)


class Message(Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    thread_id: int = Field(foreign_key="thread.id", index=True)
    sender: str  # buyer | seller
    body: str
    at: NaiveDatetime


class Review(Table, table=True):
    id: int | None = Field(default=None, primary_key=True)
    listing_id: int = Field(foreign_key="listing.id", index=True)
    buyer_id: int = Field(foreign_key="buyer.id")
    order_id: int = Field(foreign_key="order.id")
    rating: int
    body: str = ""
    at: NaiveDatetime


class Event(Table, table=True):
    """Storefront traffic for the stats page: a product visit or an add-to-cart."""

    id: int | None = Field(default=None, primary_key=True)
    listing_id: int = Field(foreign_key="listing.id", index=True)
    kind: str  # visit | cart
    at: NaiveDatetime = Field(index=True)
