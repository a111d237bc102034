"""Listings as data: the listing state machine, description sanitising, form parsing."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import nh3
from starlette.datastructures import FormData

from marketplace.orders import OrderError, parse_money
from marketplace.security import form_int

# Listing statuses: a draft is published, a live listing paused, any listing deleted
# (kept as a row so past orders and stats still name it).
LISTING_MOVES: dict[str, set[str]] = {
    "draft": {"active", "deleted"},
    "active": {"paused", "deleted"},
    "paused": {"active", "deleted"},
    "deleted": set(),
}

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "h2", "h3", "h4",
                "blockquote", "a", "span", "table", "thead", "tbody", "tr", "td", "th", "hr"}


class ListingError(Exception):
    """A listing form or move the seller must correct; the text is shown on the page."""


def move_listing(listing, new: str) -> None:
    """Set a listing's status or raise ListingError naming the current one."""
    if new not in LISTING_MOVES[listing.status]:
        raise ListingError(f"Listing {listing.sku} is {listing.status}; it cannot become {new}.")
    listing.status = new


def sanitise(html: str) -> str:
    """Keep formatting tags and safe links; drop scripts, handlers, styles and the rest."""
    return nh3.clean(html or "", tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")


def text_length(html: str) -> int:
    """Length of a description's visible text (what a buyer reads)."""
    return len(re.sub(r"\s+", " ", nh3.clean(html or "", tags=set())).strip())


def parse_options(text: str) -> dict[str, str]:
    """'color=blue, size=M' -> {'color': 'blue', 'size': 'M'}."""
    options = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        key, sep, value = part.replace(":", "=", 1).partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ListingError(f"Options must look like 'color=blue, size=M'; got {part.strip()!r}.")
        options[key.strip()[:40]] = value.strip()[:60]
    return options


@dataclass
class VariantRow:
    id: int | None
    sku: str
    options: str  # JSON
    price_cents: int
    stock: int
    delete: bool = False
    picture: int = 0  # the listing picture (1-based) that shows this variant
    video: int = 0  # the listing video (1-based) that shows this variant


@dataclass
class ListingForm:
    """A listing form, parsed and checked; raise ListingError on the first problem."""

    title: str
    sku: str
    description_html: str
    price_cents: int
    stock: int
    category: str
    tags: str
    variants: list[VariantRow] = field(default_factory=list)

    @classmethod
    def parse(cls, form: FormData) -> ListingForm:
        get = lambda key: str(form.get(key, "") or "").strip()  # noqa: E731
        title, sku = get("title"), get("sku")
        if not title:
            raise ListingError("A title is required.")
        if not re.fullmatch(r"[A-Za-z0-9._-]{1,40}", sku):
            raise ListingError("The SKU must be 1-40 letters, digits, dots, dashes or underscores.")
        price = _money(get("price"), "price")
        stock = _count(get("stock"), "stock")
        tags = ", ".join(t.strip()[:30] for t in get("tags").split(",") if t.strip())
        rows = []
        for i in range(form_int(form, "variant_rows")):
            vsku = get(f"variant_sku_{i}")
            vid = get(f"variant_id_{i}")
            if not vsku and not vid:
                continue  # an unused blank row
            if not re.fullmatch(r"[A-Za-z0-9._-]{1,40}", vsku):
                raise ListingError(f"Variant row {i + 1}: the SKU must be 1-40 letters, digits, dots or dashes.")
            rows.append(VariantRow(
                id=int(vid) if vid.isdigit() else None, sku=vsku,
                options=json.dumps(parse_options(get(f"variant_options_{i}"))),
                price_cents=_money(get(f"variant_price_{i}") or get("price"), f"variant {vsku} price"),
                stock=_count(get(f"variant_stock_{i}") or "0", f"variant {vsku} stock"),
                delete=bool(form.get(f"variant_delete_{i}")),
                picture=_count(get(f"variant_picture_{i}") or "0", f"variant {vsku} picture"),
                video=_count(get(f"variant_video_{i}") or "0", f"variant {vsku} video")))
        skus = [sku] + [r.sku for r in rows if not r.delete]
        if len(set(skus)) != len(skus):
            raise ListingError("Each variant needs its own SKU, different from the listing's.")
        kept = [r for r in rows if not r.delete]
        if kept:  # a listing with variants sells as much as its variants hold
            stock = sum(r.stock for r in kept)
        return cls(title=title[:140], sku=sku, description_html=sanitise(get("description"))[:20000],
                   price_cents=price, stock=stock, category=get("category")[:60], tags=tags[:300],
                   variants=rows)


def _money(text: str, what: str) -> int:
    try:
        value = parse_money(text)
    except OrderError:
        raise ListingError(f"The {what} must be an amount like 19.99.") from None
    if value <= 0 or value > 10_000_000:
        raise ListingError(f"The {what} must be between 0.01 and 100,000.00.")
    return value


def _count(text: str, what: str) -> int:
    if not text.isdigit() or int(text) > 1_000_000:
        raise ListingError(f"The {what} must be a whole number from 0.")
    return int(text)
