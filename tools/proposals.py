"""The actions the sales report proposes, carried out once the owner approves them:
a purchase order for the supplier, and a time-boxed price test. Amounts come from the
report's code; these tools re-check the limits (never below the minimum margin)."""

import csv
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from store_data.audit import Approval
from store_data.clock import as_utc, utcnow
from store_data.csv_rows import spreadsheet_cell
from store_data.money import MAX_AMOUNT_CENTS
from store_data.shop import Listing, PriceTest, Variant
from store_data.status import ApprovalStatus, ListingStatus
from tools.deps import ToolDeps
from tools.errors import ToolRetry

PO_COLUMNS = ["date", "sku", "quantity", "unit_cost_cents", "total_cost_cents"]


def _variant(session: Session, sku: str) -> Variant:
    variant = session.exec(select(Variant).where(Variant.sku == sku)).first()
    if variant is None:
        raise ToolRetry(f"unknown SKU '{sku}'; call list_products to see the SKUs")
    return variant


def reorder_stock(deps: ToolDeps, sku: str, quantity: int) -> dict:
    """Add a line for `quantity` units of `sku` to today's purchase order for the supplier
    (a CSV in assets/purchase-orders/). A SKU already on today's order is not added twice."""
    if quantity <= 0:
        raise ToolRetry("quantity must be a positive whole number")
    with Session(deps.engine) as session:
        variant = _variant(session, sku)
    today = utcnow().date().isoformat()
    path = deps.assets / "purchase-orders" / f"PO-{today}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = list(csv.DictReader(path.open(encoding="utf-8"))) if path.exists() else []
    if any(row["sku"] == sku for row in rows):
        return {"purchase_order": str(path.relative_to(deps.workdir)), "sku": sku, "already_ordered": True}
    rows.append({"date": today, "sku": sku, "quantity": quantity, "unit_cost_cents": variant.cost_cents,
                 "total_cost_cents": variant.cost_cents * quantity})
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, PO_COLUMNS)
        writer.writeheader()
        writer.writerows({k: spreadsheet_cell(v) for k, v in row.items()} for row in rows)
    return {"purchase_order": str(path.relative_to(deps.workdir)), "sku": sku, "quantity": quantity,
            "total_cost_cents": variant.cost_cents * quantity}


def price_testable(engine: Engine, platform: str, min_age_days: int) -> set[str]:
    """The SKUs a price test may be proposed for: their product's listing on `platform` has
    been published at least `min_age_days` days (a younger one has no sales to compare a
    test with), and no test is running on them (a test is never stacked on another)."""
    published_by = utcnow() - timedelta(days=min_age_days)
    with Session(engine) as session:
        listed = set(session.exec(
            select(Variant.sku).join(Listing, col(Listing.product_id) == col(Variant.product_id))
            .where(Listing.marketplace == platform, Listing.status == ListingStatus.PUBLISHED,
                   col(Listing.published_at).is_not(None), col(Listing.published_at) <= published_by)).all())
        running = set(session.exec(select(PriceTest.sku).where(PriceTest.status == "running")).all())
    return listed - running


def _listed_follow_up(session: Session, variant: Variant, why: str) -> list[dict]:
    """Update the live listing with the new price (through the publishing tool's checks)."""
    listing = session.exec(select(Listing).where(Listing.product_id == variant.product_id)).first()
    if listing is None or listing.status != ListingStatus.PUBLISHED:
        return []
    return [{"tool": "publish_listing", "arguments": {"sku": variant.sku}, "why": why}]


def start_price_test(deps: ToolDeps, sku: str, price_cents: int, days: int = 14) -> dict:
    """Sell `sku` at `price_cents` for `days` days, then go back to the current price. The
    test price may not go below cost x the shop's minimum markup."""
    with Session(deps.engine) as session:
        variant = _variant(session, sku)
        _check_test(deps, variant, price_cents, days)
        if variant.price_cents is None:
            raise ToolRetry(f"{sku} has no price yet; price it with price_product first")
        running = session.exec(select(PriceTest).where(PriceTest.sku == sku, PriceTest.status == "running")).first()
        if running is not None:
            return {"sku": sku, "already_running": True, "test_price_cents": running.test_price_cents,
                    "ends_at": running.ends_at.isoformat()}
        test = PriceTest(sku=sku, old_price_cents=variant.price_cents, test_price_cents=price_cents,
                         ends_at=utcnow() + timedelta(days=days))
        variant.price_cents = price_cents
        session.add_all([test, variant])
        session.commit()
        return {"sku": sku, "old_price_cents": test.old_price_cents, "test_price_cents": price_cents,
                "ends_at": test.ends_at.isoformat(),
                "follow_up": _listed_follow_up(session, variant, "show the test price on the marketplace")}


def _check_test(deps: ToolDeps, variant: Variant, price_cents: int, days: int) -> None:
    """The limits of a price test; the preview checks them too, so an owner's edit that
    breaks one is refused when it is made, not when the run resumes."""
    floor = int(variant.cost_cents * deps.settings.price_min_markup)
    if price_cents < floor:
        raise ToolRetry(f"{price_cents} is below the minimum price {floor} (cost x {deps.settings.price_min_markup})")
    if price_cents > MAX_AMOUNT_CENTS:
        raise ToolRetry(f"{price_cents} cents is over the highest price, {MAX_AMOUNT_CENTS}; check the number")
    if days < 0:
        raise ToolRetry(f"a price test runs 0 days or more, not {days}")


def preview_price_test(deps: ToolDeps, sku: str, price_cents: int, days: int = 14) -> dict:
    with Session(deps.engine) as session:
        variant = _variant(session, sku)
    _check_test(deps, variant, price_cents, days)
    old = variant.price_cents or price_cents
    return {"change_pct": round(abs(price_cents - old) * 100 / old, 2) if old else 0,
            "prices": {sku: {"old_cents": variant.price_cents, "new_cents": price_cents}}}


def end_price_tests(deps: ToolDeps) -> dict:
    """Restore the price of every SKU whose price test has run its time."""
    now = utcnow()
    ended, follow_up = [], []
    with Session(deps.engine) as session:
        for test in session.exec(select(PriceTest).where(PriceTest.status == "running", PriceTest.ends_at <= now)):
            variant = _variant(session, test.sku)
            if variant.price_cents == test.test_price_cents:  # the owner may have repriced it since
                variant.price_cents = test.old_price_cents
                session.add(variant)
                follow_up += _listed_follow_up(session, variant, "restore the price after the test")
            test.status = "ended"
            session.add(test)
            ended.append({"sku": test.sku, "restored_cents": test.old_price_cents})
        session.commit()
    return {"ended": ended, "follow_up": follow_up}


# The arguments that name what a proposal acts on.
TARGET_KEYS = ("sku", "order_id", "product_id")


def earlier_decision(engine: Engine, tool: str, arguments: dict, cooldown_days: int) -> tuple[str, int | None]:
    """What the owner already has of a proposal on the same target: ('waiting', approval id)
    while one waits, ('rejected', approval id) when they rejected one in the last
    `cooldown_days` days, else ('', None). The executor holds back the same calls; the report
    says so instead of proposing them again."""
    target = {key: arguments[key] for key in TARGET_KEYS if key in arguments}
    since = utcnow() - timedelta(days=cooldown_days)
    with Session(engine) as session:
        rows = session.exec(select(Approval).where(Approval.tool == tool, col(Approval.status).in_(
            (ApprovalStatus.PENDING, ApprovalStatus.REJECTED))).order_by(col(Approval.id).desc())).all()
    for approval in rows:
        if any(approval.arguments.get(key) != value for key, value in target.items()):
            continue
        if approval.status == ApprovalStatus.PENDING and (approval.expires_at is None or
                                                          as_utc(approval.expires_at) >= utcnow()):
            return "waiting", approval.id
        if approval.status == ApprovalStatus.REJECTED and cooldown_days > 0 and approval.decided_at \
                and as_utc(approval.decided_at) > since:
            return "rejected", approval.id
    return "", None
