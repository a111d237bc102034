"""No two products of a shop with the same title: a clash gets a distinguishing catalog fact
(an option value, an attribute, then the product handle), chosen in a fixed order, so the
same shop state always gives the same title."""

from sqlmodel import Session, select

from store_data.shop import Listing, Product
from tools.copy.facts import Facts
from tools.copy.profiles import Profile, byte_count
from tools.copy.template import fit
from tools.errors import ToolFailed


def _normal(title: str) -> str:
    return " ".join(title.lower().split())


def unique_title(session: Session, product: Product, title: str, facts: Facts, profile: Profile, language: str) -> str:
    """`title`, or `title` plus a distinguishing fact when another product's listing has it."""
    taken = {_normal(t) for t in session.exec(select(Listing.title).where(Listing.product_id != product.id)) if t}
    title = title.strip()
    if _normal(title) not in taken:
        return title
    extras = [v for values in facts.options.values() for v in values] + list(facts.attributes.values())
    extras = [e for e in dict.fromkeys(extras) if e and _normal(e) not in _normal(title)] + [product.handle]
    extras += [f"{product.handle} {n}" for n in range(2, 100)]
    separator = " " if language == "zh-CN" else " - "
    limit = profile.title_limit(language)
    for extra in extras:
        tail = separator + extra
        if len(tail) >= limit:
            continue
        max_bytes = None
        if profile.title_max_bytes is not None:
            max_bytes = profile.title_max_bytes - byte_count(tail, profile.byte_encoding)
            if max_bytes <= 0:
                continue
        candidate = fit(title, limit - len(tail), max_bytes, profile.byte_encoding) + tail
        if _normal(candidate) not in taken:
            return candidate
    raise ToolFailed(f"every candidate title for {product.handle} is taken; rename some listings and try again")
