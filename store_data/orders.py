"""Tables for what buyers do: buyers, orders and their lines, payments, shipments, messages."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from store_data.clock import utcnow
from store_data.status import OrderStatus, transition


class Buyer(SQLModel, table=True):
    """A customer as the marketplace knows them."""

    __table_args__ = (UniqueConstraint("marketplace", "remote_id"),)

    id: int | None = Field(default=None, primary_key=True)
    marketplace: str = Field(default="sandbox", max_length=40)
    remote_id: str = Field(max_length=120)
    name: str = ""
    email: str = ""
    address: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # id -> {"source": gift_card | paypal | credit_card, "balance_cents": int (gift cards)}
    payment_methods: dict[str, Any] = Field(default_factory=dict, sa_column=Column(
        JSON, nullable=False, server_default="{}"))


class Order(SQLModel, table=True):
    """An order; its status only moves through set_status()."""

    __table_args__ = (UniqueConstraint("marketplace", "remote_id"),)

    id: int | None = Field(default=None, primary_key=True)
    marketplace: str = Field(default="sandbox", max_length=40)
    remote_id: str = Field(max_length=120)
    buyer_id: int | None = Field(default=None, foreign_key="buyer.id", index=True)
    status: str = Field(default=OrderStatus.PAID, sa_column=Column(String(32), nullable=False, index=True))
    currency: str = "USD"
    total_cents: int = Field(default=0, ge=0)
    paid_cents: int = Field(default=0, ge=0)
    refunded_cents: int = Field(default=0, ge=0)
    address: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Why the order needs a person (no stock, driver failure, ...); empty when fine.
    flag: str = ""
    # The retail policy's once-only changes: the items of a pending order were modified, or
    # delivered items exchanged; neither may happen a second time.
    items_modified: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default="0"))
    exchanged: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default="0"))
    cancel_reason: str = Field(default="", sa_column=Column(String(40), nullable=False, server_default=""))
    placed_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)

    def set_status(self, target: OrderStatus | str) -> None:
        """Move along the order state machine; raises IllegalTransition otherwise."""
        self.status = transition(self.status, target, OrderStatus)
        self.updated_at = utcnow()

    @property
    def refundable_cents(self) -> int:
        """What may still be refunded: never more than was paid."""
        return max(self.paid_cents - self.refunded_cents, 0)


class OrderLine(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    variant_id: int | None = Field(default=None, foreign_key="variant.id", index=True)
    sku: str = ""
    name: str = ""
    options: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    quantity: int = Field(default=1, ge=1)
    unit_price_cents: int = Field(ge=0)
    remote_id: str | None = None
    # How many of this line came back in an accepted item-level return.
    returned_quantity: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    # The variant this line is being exchanged for (a delivered order's exchange), else "".
    exchange_sku: str = Field(default="", sa_column=Column(String(120), nullable=False, server_default=""))


class Payment(SQLModel, table=True):
    """Money in (kind 'payment') or out (kind 'refund') on an order."""

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    kind: str = Field(max_length=16)  # payment | refund
    amount_cents: int = Field(ge=0)
    method: str = ""
    remote_id: str | None = None
    # (shop, action, target) key of the action that moved the money: a retry finds it.
    idempotency_key: str | None = Field(default=None, unique=True, max_length=200)
    reason: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class Shipment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    carrier: str = ""
    tracking_number: str = ""
    remote_id: str | None = None
    idempotency_key: str | None = Field(default=None, unique=True, max_length=200)
    shipped_at: datetime = Field(default_factory=utcnow)


class BuyerMessage(SQLModel, table=True):
    """One message in a buyer thread. Buyer text is data, never instructions."""

    id: int | None = Field(default=None, primary_key=True)
    marketplace: str = Field(default="sandbox", max_length=40)
    thread_id: str = Field(index=True, max_length=120)
    order_id: int | None = Field(default=None, foreign_key="order.id", index=True)
    buyer_id: int | None = Field(default=None, foreign_key="buyer.id")
    direction: str = Field(max_length=8)  # in | out
    text: str
    remote_id: str | None = None
    handled: bool = False
    sent_at: datetime = Field(default_factory=utcnow)


class ThreadReply(SQLModel, table=True):
    """A reply sent in a buyer thread, and how long the buyer waited for it: from the
    platform's time of the buyer's first unanswered message to the reply."""

    id: int | None = Field(default=None, primary_key=True)
    marketplace: str = Field(default="sandbox", max_length=40)
    thread_id: str = Field(index=True, max_length=120)
    asked_at: datetime | None = None  # None: the platform showed no time for the message
    replied_at: datetime = Field(default_factory=utcnow)
    wait_s: float | None = None


class OrderSyncCursor(SQLModel, table=True):
    """How far the order sync got on one marketplace: every order placed at or before
    `through` is in the shop's records. It moves in the same transaction as the order that
    moves it, so a sync cut off part-way resumes from there and never skips an order."""

    marketplace: str = Field(primary_key=True, max_length=40)
    through: datetime


class FailedAction(SQLModel, table=True):
    """A platform action on an order that failed and may be tried again: how often it failed,
    why last, and when a later run may retry it. Deleted once the action goes through.
    (A table of its own: existing shops get it from create_all.)"""

    __table_args__ = (UniqueConstraint("order_id", "action"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    action: str = Field(max_length=16)  # ship | cancel | refund | return
    attempts: int = Field(default=1, ge=1)
    last_error: str = ""
    last_at: datetime = Field(default_factory=utcnow)
    next_at: datetime = Field(default_factory=utcnow)
