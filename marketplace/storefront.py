"""Storefront for buyers: shop home, product pages, cart, checkout, live room, feed."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter
from sqlmodel import Session, col, select
from starlette.requests import Request

from marketplace import orders as ops
from marketplace.buyers import set_default_address
from marketplace.catalog import text_length
from marketplace.models import Buyer, Event, Listing, Media, Review, Shop, Variant
from marketplace.security import form_int, read_form
from marketplace.web import flash, now, redirect, render, session_for

router = APIRouter()
CHECKOUT_FIELDS = ("name", "email", "address1", "address2", "city", "region", "postcode", "country")
DECLINED_CARD = "4000000000000002"  # the simulated bank's "card declined" test number


def _media(s: Session, listing_ids) -> dict[int, list[Media]]:
    found: dict[int, list[Media]] = {}
    for m in s.exec(select(Media).where(col(Media.listing_id).in_(listing_ids)).order_by(col(Media.position))):
        found.setdefault(m.listing_id, []).append(m)
    return found


@router.get("/")
async def home(request: Request, q: str = "", category: str = ""):
    """The shop's home: brand, and its live listings (search and category filter)."""
    query = select(Listing).where(Listing.status == "active")
    if q.strip():
        query = query.where(col(Listing.title).like(f"%{q.strip()}%"))
    if category:
        query = query.where(Listing.category == category)
    with session_for(request) as s:
        listings = s.exec(query.order_by(col(Listing.id)).limit(200)).all()
        media = _media(s, [x.id for x in listings])
        categories = sorted({c for c in s.exec(select(Listing.category).where(Listing.status == "active")) if c})
    return render(request, "shop/home.html", {"listings": listings, "media": media, "q": q,
                                              "category": category, "categories": categories})


@router.get("/products/{listing_id}")
async def product(request: Request, listing_id: int):
    """A product page: images, video, variants, reviews; counts a visit."""
    with session_for(request) as s:
        listing = s.get(Listing, listing_id)
        if listing is None or listing.status != "active":
            return render(request, "error.html", {"title": "Not for sale",
                                                  "text": "This product is not available."}, 404)
        s.add(Event(listing_id=listing_id, kind="visit", at=now(request)))
        s.commit()
        media = _media(s, [listing_id]).get(listing_id, [])
        variants = s.exec(select(Variant).where(Variant.listing_id == listing_id).order_by(col(Variant.id))).all()
        reviews = s.exec(select(Review, Buyer).join(Buyer, col(Buyer.id) == Review.buyer_id)
                         .where(Review.listing_id == listing_id).order_by(col(Review.id).desc()).limit(20)).all()
    shown = shown_variant(variants)
    images = [m for m in media if m.kind == "image"]
    numbered = list(enumerate(images, 1))
    if shown is not None and 0 < shown.picture <= len(images):  # the option on show opens on its own picture
        numbered.insert(0, numbered.pop(shown.picture - 1))
    videos = list(enumerate((m for m in media if m.kind == "video"), 1))
    # The option on show plays its own clip; the menu switches clips with pictures (product.js).
    playing = shown.video if shown is not None and 0 < shown.video <= len(videos) else 1
    return render(request, "shop/product.html", {
        "listing": listing, "variants": variants, "reviews": reviews, "shown": shown,
        "price_cents": shown.price_cents if shown else listing.price_cents, "images": numbered,
        "videos": videos, "playing": playing})


def shown_variant(variants: Sequence[Variant]) -> Variant | None:
    """The option a product page opens on: the first one in stock, in the seller's order."""
    return next((v for v in variants if v.stock > 0), variants[0] if variants else None)


def _cart(request: Request) -> list[list[int]]:
    return request.session.get("cart", [])


def _lines(s: Session, cart: list[list[int]]) -> list[ops.Line]:
    lines = []
    for listing_id, variant_id, qty in cart:
        listing = s.get(Listing, listing_id)
        variant = s.get(Variant, variant_id) if variant_id else None
        if listing and listing.status == "active" and (not variant_id or (variant and variant.listing_id == listing_id)):
            lines.append(ops.Line(listing, variant, qty))
    return lines


@router.post("/cart/add")
async def add_to_cart(request: Request):
    """Put a product (and variant) in the cart; counts an add-to-cart."""
    form = await read_form(request)
    listing_id = form_int(form, "listing_id")
    variant_id = form_int(form, "variant_id")
    qty = max(1, min(99, form_int(form, "qty", 1)))
    with session_for(request) as s:
        listing = s.get(Listing, listing_id)
        has_variants = s.exec(select(Variant.id).where(Variant.listing_id == listing_id)).first() is not None
        if listing is None or listing.status != "active" or (has_variants and not variant_id):
            flash(request, "Choose an option first.", "error")
            return redirect(f"/products/{listing_id}")
        s.add(Event(listing_id=listing_id, kind="cart", at=now(request)))
        s.commit()
    cart = _cart(request)
    for line in cart:
        if line[0] == listing_id and line[1] == variant_id:
            line[2] = min(99, line[2] + qty)
            break
    else:
        cart.append([listing_id, variant_id, qty])
    request.session["cart"] = cart
    flash(request, f"Added {listing.title} to your cart.")
    return redirect("/cart")


@router.get("/cart")
async def cart_page(request: Request):
    """The cart with its total."""
    with session_for(request) as s:
        lines = _lines(s, _cart(request))
    return render(request, "shop/cart.html", {"lines": lines,
                                              "total": sum(x.unit_cents * x.qty for x in lines)})


@router.post("/cart/update")
async def update_cart(request: Request):
    """Change quantities (0 removes a line)."""
    form = await read_form(request)
    cart = []
    for i, (listing_id, variant_id, qty) in enumerate(_cart(request)):
        text = str(form.get(f"qty_{i}", qty))
        new = int(text) if text.isdigit() else qty
        if new > 0:
            cart.append([listing_id, variant_id, min(99, new)])
    request.session["cart"] = cart
    return redirect("/cart")


@router.get("/checkout")
async def checkout_page(request: Request):
    """Address and (simulated) card form."""
    with session_for(request) as s:
        lines = _lines(s, _cart(request))
    if not lines:
        return redirect("/cart")
    return render(request, "shop/checkout.html", {"lines": lines, "error": "", "values": {},
                                                  "total": sum(x.unit_cents * x.qty for x in lines)})


def _luhn(number: str) -> bool:
    digits = [int(c) for c in number][::-1]
    return sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits)) % 10 == 0


@router.post("/checkout")
async def checkout(request: Request):
    """Take the simulated payment and place the order."""
    form = await read_form(request)
    values = {k: str(form.get(k, "")).strip() for k in CHECKOUT_FIELDS}
    card = str(form.get("card_number", "")).replace(" ", "")
    at = now(request)
    with session_for(request) as s:
        lines = _lines(s, _cart(request))
        total = sum(x.unit_cents * x.qty for x in lines)

        def again(error: str, status: int = 400):
            return render(request, "shop/checkout.html", {"lines": lines, "error": error, "values": values,
                                                          "total": total}, status)
        missing = [k for k in CHECKOUT_FIELDS if k not in ("address2", "region") and not values[k]]
        if missing:
            return again("Please fill in: " + ", ".join(missing) + ".")
        if "@" not in values["email"] or len(values["email"]) > 200:
            return again("Please give a valid email address.")
        if not (card.isdigit() and 12 <= len(card) <= 19 and _luhn(card)):
            return again("That card number is not valid.")
        if card == DECLINED_CARD:
            return again("Your card was declined by the bank. Try another card.", 402)
        email = values["email"].lower()
        buyer = s.exec(select(Buyer).where(Buyer.email == email)).first()
        if buyer is None:
            buyer = Buyer(email=email, name=values["name"][:100], created_at=at)
            s.add(buyer)
            s.flush()
        address = ops.Address(**{k: values[k][:200] for k in CHECKOUT_FIELDS if k != "email"})
        if not buyer.address:  # a first order's address becomes the buyer's default
            set_default_address(buyer, vars(address))
            s.add(buyer)
        try:
            order = ops.place_order(s, buyer, lines, address, f"card ending {card[-4:]}", at)
        except ops.OrderError as exc:
            s.rollback()
            return again(str(exc), 409)
        s.commit()
    request.session["cart"] = []
    request.session["buyer_id"] = buyer.id
    request.session["orders"] = (request.session.get("orders", []) + [order.number])[-50:]
    flash(request, f"Thank you! Order {order.number} is placed and paid.")
    return redirect(f"/orders/{order.number}?key={order.access_key}")


@router.get("/products.json")
async def products_feed(request: Request):
    """Live listings as JSON, like a platform's public product feed."""
    with session_for(request) as s:
        listings = s.exec(select(Listing).where(Listing.status == "active").order_by(col(Listing.id))).all()
        media = _media(s, [x.id for x in listings])
        variants: dict[int, list[Variant]] = {}
        for v in s.exec(select(Variant).where(col(Variant.listing_id).in_([x.id for x in listings]))
                        .order_by(col(Variant.id))):
            variants.setdefault(v.listing_id, []).append(v)
    return {"products": [{
        "id": x.id, "sku": x.sku, "title": x.title, "price_cents": x.price_cents, "stock": x.stock,
        "category": x.category, "url": f"/products/{x.id}",
        "images": sum(m.kind == "image" for m in media.get(x.saved_id, [])),
        "has_video": any(m.kind == "video" for m in media.get(x.saved_id, [])),
        "description_chars": text_length(x.description_html),
        "variants": [{"id": v.id, "sku": v.sku, "price_cents": v.price_cents, "stock": v.stock,
                      "options": v.option_dict(), "picture": v.picture, "video": v.video}
                     for v in variants.get(x.saved_id, [])],
        "videos": sum(m.kind == "video" for m in media.get(x.saved_id, [])),
    } for x in listings]}


@router.get("/live")
async def live_room(request: Request):
    """The live room: the looping promo video and the card of what is on air."""
    with session_for(request) as s:
        shop = s.get(Shop, 1)
        if shop is None:  # the app makes it on start; a database without it is not this marketplace's
            return render(request, "error.html", {"title": "No live room", "text": "This shop has no live room."}, 404)
        schedule = shop.schedule()
        ids = {item["listing_id"] for item in schedule}
        listings = {x.id: x for x in s.exec(select(Listing).where(col(Listing.id).in_(ids)))}
        media = _media(s, list(ids))
    slots = [{**item, "listing": listings[item["listing_id"]],
              "image": next((m.path for m in media.get(item["listing_id"], []) if m.kind == "image"), None)}
             for item in schedule if item["listing_id"] in listings]
    return render(request, "shop/live.html", {"slots": slots})
