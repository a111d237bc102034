"""Tables for what the shop sells: the shop itself, products, variants, assets, listings."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from store_data.clock import utcnow
from store_data.status import ListingStatus, transition


class Shop(SQLModel, table=True):
    """The brand and its policies. One row per work directory in practice."""

    id: int | None = Field(default=None, primary_key=True)
    name: str
    slogan: str = ""
    brief: str = ""  # the owner's one-line brief the brand was made from
    tone: str = ""
    colors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    logo_path: str | None = None
    banner_path: str | None = None
    # Policy texts and numbers (return window days, shipping promise, ...).
    policies: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    currency: str = "USD"
    locale: str = "en"
    created_at: datetime = Field(default_factory=utcnow)


class Product(SQLModel, table=True):
    """A product as the supplier describes it; its variants carry SKU, cost and stock."""

    id: int | None = Field(default=None, primary_key=True)
    handle: str = Field(index=True, unique=True, max_length=120)
    name: str
    category: str = ""
    # Supplier text: data for the copywriter, never instructions.
    description: str = ""
    # Facts the copy may state (material, capacity, size, ...): the fact check's ground truth.
    attributes: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    language: str = "en"
    source: str = ""  # the catalog file it came from
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Variant(SQLModel, table=True):
    """One sellable unit: a SKU with its options, cost, price and stock."""

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(index=True, unique=True, max_length=80)
    product_id: int = Field(foreign_key="product.id", index=True)
    options: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The catalog row's own name ("Stoneware Mug 350ml, Gloss Navy"): what a clip of this
    # variant calls it. "" in shops imported before it was kept (the product's name stands in).
    name: str = Field(default="", sa_column=Column(String, nullable=False, server_default=""))
    # The row's own attributes: a colourway's glaze or finish differs from the product's
    # (its first row's); its clip states these. {} in shops imported before they were kept.
    attributes: dict[str, str] = Field(default_factory=dict,
                                       sa_column=Column(JSON, nullable=False, server_default="{}"))
    cost_cents: int = Field(ge=0)
    price_cents: int | None = Field(default=None, ge=0)
    price_fixed: bool = False  # set by the catalog's price column: pricing rules leave it alone
    stock: int = Field(default=0, ge=0)
    reserved: int = Field(default=0, ge=0)  # held for paid orders not yet shipped
    updated_at: datetime = Field(default_factory=utcnow)


class Asset(SQLModel, table=True):
    """A file the shop owns: supplier photo, generated image, clip, report, logo."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True, max_length=40)  # supplier_photo, main_image, clip, ...
    path: str  # relative to the work directory
    product_id: int | None = Field(default=None, foreign_key="product.id", index=True)
    variant_id: int | None = Field(default=None, foreign_key="variant.id")
    platform: str | None = None  # the platform size it was made for, e.g. "1:1-800"
    width: int | None = None
    height: int | None = None
    sha256: str = ""
    # How it was made: source file, backend, model, seed, prompt.
    provenance: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class Listing(SQLModel, table=True):
    """A product as offered on one marketplace."""

    __table_args__ = (UniqueConstraint("product_id", "marketplace"),)

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    marketplace: str = Field(default="sandbox", max_length=40)
    remote_id: str | None = None
    status: str = Field(default=ListingStatus.DRAFT, sa_column=Column(String(32), nullable=False))
    title: str = ""
    description_html: str = ""
    selling_points: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    price_cents: int | None = Field(default=None, ge=0)
    language: str = "en"
    made_by: str = ""  # model, repaired or template: which path produced the copy
    # The catalog facts as [label, value] rows, shown as the listing's attribute table.
    attributes_table: list[list[str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    seo: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))  # title, description
    # What the copy check found: the problems of rejected answers, and of the template if it was used.
    check_findings: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    copy_key: str = Field(default="", max_length=64)  # hash of everything the copy was made from
    published_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)

    def set_status(self, target: ListingStatus | str) -> None:
        """Move along the listing state machine; raises IllegalTransition otherwise."""
        self.status = transition(self.status, target, ListingStatus)
        self.updated_at = utcnow()
        if self.status == ListingStatus.PUBLISHED and self.published_at is None:
            self.published_at = self.updated_at


class PriceTest(SQLModel, table=True):
    """A temporary price on one SKU, restored when the test ends."""

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(index=True, max_length=80)
    old_price_cents: int = Field(ge=0)
    test_price_cents: int = Field(ge=0)
    starts_at: datetime = Field(default_factory=utcnow)
    ends_at: datetime
    status: str = Field(default="running", max_length=16)  # running | ended


class ApprovedCopy(SQLModel, table=True):
    """A listing's title and description as last published. In 'risky' mode a changed one is
    published only after the owner approved it, so this is the copy the owner last let
    through; a publish that would change it waits, with the difference in its preview.
    (A table of its own: existing shops get it from create_all, without a migration.)"""

    listing_id: int = Field(primary_key=True, foreign_key="listing.id")
    title: str = ""
    description_html: str = ""
    published_at: datetime = Field(default_factory=utcnow)
