"""A small demo shop for ``serve --seed-demo``: profile and a few listings with pictures."""

from __future__ import annotations

import io
import json
import secrets
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy.engine import Engine
from sqlmodel import select

from marketplace import db
from marketplace.models import Listing, Media, Shop, Variant

PRODUCTS = [
    ("TEE-01", "Organic cotton T-shirt", 1999, "Apparel", (70, 110, 170),
     "<p>Soft <strong>organic cotton</strong>, regular fit.</p><ul><li>180 g/m²</li><li>Machine wash 30°C</li></ul>",
     [("TEE-01-S", {"size": "S"}, 1999, 20), ("TEE-01-M", {"size": "M"}, 1999, 30), ("TEE-01-L", {"size": "L"}, 2199, 15)]),
    ("MUG-01", "Stoneware coffee mug", 1450, "Kitchen", (180, 90, 60),
     "<p>Hand-glazed stoneware mug, 350 ml. Dishwasher safe.</p>", []),
    ("BOTTLE-01", "Insulated water bottle", 2900, "Outdoor", (40, 140, 120),
     "<p>Keeps drinks cold for 24 hours and hot for 12.</p>", []),
    ("LAMP-01", "Desk lamp", 4900, "Home", (200, 170, 60), "<p>Dimmable LED desk lamp.</p>", []),
    ("SOCKS-01", "Wool socks", 900, "Apparel", (120, 80, 140), "", []),
]


def _picture(color: tuple[int, int, int], label: str) -> bytes:
    img = Image.new("RGB", (800, 800), (245, 245, 245))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((160, 160, 640, 640), radius=60, fill=color)
    draw.text((200, 680), label, fill=(40, 40, 40), font_size=48)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def seed_demo(engine: Engine, media_dir: Path) -> None:
    """Fill an empty shop with demo listings; does nothing if listings exist."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with db.session(engine) as s:
        if s.exec(select(Listing)).first():
            return
        shop = s.get(Shop, 1)
        if shop is None:
            raise RuntimeError("the marketplace has no shop: the app creates it when it starts")
        shop.description_html = "<p>Everyday goods, made to last.</p>"
        shop.policies = "Ships in 2 working days. Returns accepted within 30 days of delivery."
        s.add(shop)
        for sku, title, price, category, color, description, variants in PRODUCTS:
            stock = sum(v[3] for v in variants) or 25
            listing = Listing(sku=sku, title=title, description_html=description, price_cents=price, stock=stock,
                              category=category, status="active", created_at=now, updated_at=now)
            s.add(listing)
            s.flush()
            assert listing.id is not None, "the flush gave the listing its id"
            if sku != "SOCKS-01":  # one listing without a picture, so quality differs
                folder = media_dir / f"listings/{listing.id}"
                folder.mkdir(parents=True, exist_ok=True)
                name = secrets.token_hex(12) + ".jpg"
                (folder / name).write_bytes(_picture(color, title))
                s.add(Media(listing_id=listing.id, kind="image", path=f"listings/{listing.id}/{name}"))
            for vsku, options, vprice, vstock in variants:
                s.add(Variant(listing_id=listing.id, sku=vsku, options=json.dumps(options),
                              price_cents=vprice, stock=vstock))
        s.commit()
