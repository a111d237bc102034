"""What the owner sees beside a queued action: the listing as buyers will see it, the refund
against what was paid, the price change in %, the buyer's message beside the drafted reply,
or the platform's page that needs a person. Read by code from the shop's records and the
facts the executor stored with the approval."""

import html
from dataclasses import dataclass, field
from typing import Any

import nh3
from sqlmodel import Session, col, select

from agent.console.files import file_url, is_image, is_video
from agent.workspace import Workspace
from store_data.audit import Approval
from store_data.orders import BuyerMessage, Order, OrderLine, Payment
from store_data.rows import row_id, stored
from store_data.shop import Asset, Listing, Product, Variant
from tools.listings import listing_pictures, listing_variants, look_clips, look_label, shown_variant

LISTING_TOOLS = {"publish_listing"}
MONEY_TOOLS = {"refund_order", "cancel_order", "handle_return", "resolve_stockout", "return_items", "exchange_items",
               "modify_items", "modify_payment"}
PRICE_TOOLS = {"price_product"}
REPLY_TOOLS = {"reply_message"}


@dataclass
class Preview:
    kind: str  # listing | money | price | reply | plain
    data: dict[str, Any] = field(default_factory=dict)
    person: dict[str, Any] | None = None  # what a platform asks of a person, with its screenshot


def preview_for(workspace: Workspace, approval: Approval) -> Preview:
    """The decision preview of one approval."""
    facts = (approval.preview or {}).get("facts") or {}
    arguments = approval.arguments or {}
    with Session(workspace.engine) as session:
        if approval.tool in LISTING_TOOLS and arguments.get("sku"):
            preview = Preview("listing", listing_view(session, workspace, arguments["sku"], facts) or {})
        elif approval.tool in MONEY_TOOLS:
            preview = Preview("money", _money(session, facts, arguments))
        elif approval.tool in PRICE_TOOLS:
            preview = Preview("price", _prices(facts))
        elif approval.tool in REPLY_TOOLS:
            preview = Preview("reply", _reply(session, facts, arguments))
        else:
            preview = Preview("plain")
    if facts.get("needs_person") or facts.get("screenshot"):
        preview.person = {"message": facts.get("needs_person", ""), "url": facts.get("url", ""),
                          "screenshot": file_url(workspace.workdir, facts.get("screenshot")),
                          "page": file_url(workspace.workdir, facts.get("html"))}
    return preview


def listing_view(session: Session, workspace: Workspace, sku: str, facts: dict | None = None) -> dict | None:
    """A product's listing as buyers will see it: title, pictures, clips, copy, prices."""
    variant = session.exec(select(Variant).where(Variant.sku == sku)).first()
    if variant is None:
        return None
    product = stored(session, Product, variant.product_id)
    return product_view(session, workspace, product, facts)


def product_view(session: Session, workspace: Workspace, product: Product, facts: dict | None = None) -> dict:
    variants = listing_variants(session, row_id(product))
    listings = session.exec(select(Listing).where(Listing.product_id == product.id).order_by(col(Listing.id))).all()
    listing = listings[0] if listings else None
    assets = list(session.exec(select(Asset).where(Asset.product_id == product.id).order_by(col(Asset.kind), col(Asset.id))))
    prices = (facts or {}).get("prices") or {v.sku: v.price_cents for v in variants}
    if listing is not None and listing.description_html:
        # Model-written copy: only the markup a listing may carry reaches the page.
        description = nh3.clean(listing.description_html)
    else:
        description = f"<p>{html.escape(product.description)}</p>" if product.description else ""
    return {
        "product": product, "variants": variants, "listing": listing,
        "elsewhere": [li for li in listings[1:] if li.remote_id],  # the same product on other platforms
        "title": (listing.title if listing and listing.title else product.name),
        "description_html": description,
        "selling_points": listing.selling_points if listing else [],
        "tags": listing.tags if listing else [],
        "prices": prices,
        "first_publish": (facts or {}).get("first_publish"),
        "copy_diff": (facts or {}).get("copy_diff") or [],  # what changed since the owner last approved it
        "pictures": _urls(workspace, [a for a in listing_pictures(session, product, variants)[0] if is_image(a.path)]),
        **_clips(session, workspace, product, listing, assets, variants),
    }


def _clips(session: Session, workspace: Workspace, product: Product, listing: Listing | None, assets: list[Asset],
           variants: list[Variant]) -> dict:
    """The clips, one per look (the option the listing opens on first), each with its poster
    (the thumbnail written beside it, shown until it plays) and the look it shows."""
    looks = look_clips(session, workspace.workdir, product, listing.language if listing else None)
    shown = shown_variant(variants) if variants else None
    looks.sort(key=lambda pair: shown is None or shown.id not in {v.id for v in pair[0]})
    clips = [(look_label(look) if len(looks) > 1 else "", clip) for look, clip in looks] or \
        [("", a) for a in assets if is_video(a.path)]
    clips = [(label, a) for label, a in clips if file_url(workspace.workdir, a.path)]
    return {"clips": [file_url(workspace.workdir, a.path) for _, a in clips],
            "posters": [file_url(workspace.workdir, a.path.rsplit(".", 1)[0] + ".jpg") or "" for _, a in clips],
            "clip_labels": [label for label, _ in clips]}


def _urls(workspace: Workspace, assets: list[Asset]) -> list[str]:
    return [url for url in (file_url(workspace.workdir, a.path) for a in assets) if url]


def _money(session: Session, facts: dict, arguments: dict) -> dict:
    number = str(facts.get("order") or arguments.get("order_id") or "")
    order = session.exec(select(Order).where(Order.remote_id == number)).first() if number else None
    amount = int(facts.get("amount_cents") or 0)
    data: dict[str, Any] = {"number": number, "order": order, "amount_cents": amount, "facts": facts}
    if order is not None:
        paid = order.paid_cents or 0
        data.update(
            paid_cents=paid, refunded_cents=order.refunded_cents, currency=order.currency,
            left_after_cents=paid - order.refunded_cents - amount,
            share_pct=round(amount * 100 / paid, 1) if paid else None,
            lines=list(session.exec(select(OrderLine).where(OrderLine.order_id == order.id))),
            payments=list(session.exec(select(Payment).where(Payment.order_id == order.id).order_by(col(Payment.id)))))
    return data


def _prices(facts: dict) -> dict:
    rows = []
    for sku, change in (facts.get("prices") or {}).items():
        if isinstance(change, dict):
            old, new = change.get("old_cents"), change.get("new_cents")
        else:
            old, new = None, change
        pct = round((new - old) * 100 / old, 1) if old and new is not None else None
        rows.append({"sku": sku, "old_cents": old, "new_cents": new, "pct": pct})
    return {"rows": rows, "change_pct": facts.get("change_pct")}


def _reply(session: Session, facts: dict, arguments: dict) -> dict:
    thread = str(arguments.get("thread_id") or facts.get("thread_id") or "")
    messages = list(session.exec(select(BuyerMessage).where(BuyerMessage.thread_id == thread)
                                 .order_by(col(BuyerMessage.sent_at), col(BuyerMessage.id)))) if thread else []
    return {"thread_id": thread, "messages": messages,
            "draft": arguments.get("text") or facts.get("reply_text") or "",
            "owner_note": arguments.get("owner_note", "")}
