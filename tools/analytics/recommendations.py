"""Recommendations as proposed actions: a tool, its arguments, the reason and the numbers
behind it. Every threshold and amount here is decided by code from the KPIs; the agent
queues the proposals for the owner's approval and a model may only narrate them.
"""

import math
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel

from tools.analytics.kpis import SalesKpis, round_half_up

# Reorder when what is left lasts fewer days than this, enough for TARGET_COVER_DAYS.
REORDER_COVER_DAYS = 14
TARGET_COVER_DAYS = 30
# A slow mover has stock for longer than this (or sold nothing in the period).
SLOW_COVER_DAYS = 90
PRICE_TEST_CUT_PCT = 10
PRICE_TEST_DAYS = 14
MIN_MARGIN_PCT = 15  # a test price never goes below cost plus this
# Rates need enough events to mean anything.
MIN_ORDERS_FOR_REFUND_RATE = 5
HIGH_REFUND_RATE = 0.2
MIN_VISITS_FOR_CONVERSION = 100
LOW_CONVERSION = 0.01
TOP_SELLERS = 3
MIN_ORDERS_FOR_CLIP = 3
MAX_PER_KIND = 5

# The tools that carry out each kind of proposal.
TOOLS = {
    "reorder": "reorder_stock",
    "price_test": "start_price_test",
    "listing_fix": "write_listing_copy",
    "promo_clip": "make_promo_clip",
}


class Proposal(BaseModel):
    """One proposed action for the approval queue."""

    kind: Literal["reorder", "price_test", "listing_fix", "promo_clip"]
    tool: str
    arguments: dict[str, Any]
    reason: str
    numbers: dict[str, int | float | str | None]  # the figures the reason rests on
    # Set when the same action already waits for the owner (e.g. "approval 12"): listed, not queued again.
    waiting_as: str = ""


def recommend(kpis: SalesKpis, testable: set[str] | None = None) -> list[Proposal]:
    """Proposals from the period's KPIs: reorders, price tests, listing fixes, promo clips.

    `testable` holds the SKUs a price test may go on (listed long enough on the platform in
    use, no test running); None: any. One reading of the figures holds for the whole set: a
    product that is a top seller or needs a reorder is never also called slow, and a product
    gets at most one price test, so one stock cover is quoted for it.
    """
    skus = kpis.breakdowns.skus
    products = kpis.breakdowns.products
    reorders = _reorders(skus, kpis.period.days)
    selling = set(_top_sellers(products).index) | {skus.at[p.arguments["sku"], "product"] for p in reorders}
    candidates = skus[~skus["product"].isin(selling)]
    if testable is not None:
        candidates = candidates[candidates.index.isin(list(testable))]
    return [*reorders, *_price_tests(candidates, kpis.currency),
            *_listing_fixes(products), *_promo_clips(products, kpis.currency)]


def _top_sellers(products: pd.DataFrame) -> pd.DataFrame:
    """The products the report calls top sellers, best first."""
    return products[products["in_catalog"] & (products["orders"] >= MIN_ORDERS_FOR_CLIP)].sort_values(
        "gross_cents", ascending=False).head(TOP_SELLERS)


def _money(cents: int, currency: str) -> str:
    return f"{currency} {cents / 100:,.2f}"


def _reorders(skus: pd.DataFrame, days: int) -> list[Proposal]:
    low = skus[skus["in_catalog"] & (skus["units"] > 0) & (skus["cover_days"] < REORDER_COVER_DAYS)]
    proposals = []
    for sku, row in low.sort_values(["cover_days", "units"], ascending=[True, False]).head(MAX_PER_KIND).iterrows():
        quantity = math.ceil(row["units_per_day"] * TARGET_COVER_DAYS) - int(row["available"])
        if quantity <= 0:
            continue
        proposals.append(Proposal(
            kind="reorder", tool=TOOLS["reorder"], arguments={"sku": sku, "quantity": quantity},
            reason=(f"{sku} ({row['name']}): {row['available']} available, selling {row['units_per_day']:.2f} a day "
                    f"({row['units']} in {days} days), so {row['cover_days']:.1f} days of cover; reorder {quantity} "
                    f"for {TARGET_COVER_DAYS} days"),
            numbers={"available": int(row["available"]), "units": int(row["units"]), "days": days,
                     "units_per_day": round(float(row["units_per_day"]), 4),
                     "cover_days": round(float(row["cover_days"]), 2), "target_cover_days": TARGET_COVER_DAYS},
        ))
    return proposals


def _price_tests(skus: pd.DataFrame, currency: str) -> list[Proposal]:
    slow = skus[skus["in_catalog"] & (skus["available"] > 0) & skus["price_cents"].notna()
                & (skus["cover_days"].isna() | (skus["cover_days"] > SLOW_COVER_DAYS))]
    slow = slow.assign(tied=slow["available"] * slow["cost_cents"].fillna(0)).sort_values("tied", ascending=False)
    proposals: list[Proposal] = []
    tested: set[str] = set()
    for sku, row in slow.iterrows():
        if len(proposals) == MAX_PER_KIND:
            break
        if row["product"] in tested:
            continue  # one test per product: its slowest-moving capital
        price, cost = int(row["price_cents"]), int(row["cost_cents"])
        floor = -(-cost * (100 + MIN_MARGIN_PCT) // 100)  # cost plus the minimum margin, rounded up
        test = max(int(round_half_up(price * (100 - PRICE_TEST_CUT_PCT), 100)), floor)
        if test >= price:
            continue  # no room to cut without going under the minimum margin
        cover = "no sales" if pd.isna(row["cover_days"]) else f"{row['cover_days']:.0f} days of cover"
        tested.add(row["product"])
        proposals.append(Proposal(
            kind="price_test", tool=TOOLS["price_test"],
            arguments={"sku": sku, "price_cents": test, "days": PRICE_TEST_DAYS},
            reason=(f"{sku} ({row['name']}) is slow: {row['units']} sold, {row['available']} available ({cover}); "
                    f"test {_money(test, currency)} instead of {_money(price, currency)} for {PRICE_TEST_DAYS} days "
                    f"(cost {_money(cost, currency)}, margin kept at least {MIN_MARGIN_PCT}%)"),
            numbers={"units": int(row["units"]), "available": int(row["available"]),
                     "cover_days": None if pd.isna(row["cover_days"]) else round(float(row["cover_days"]), 2),
                     "price_cents": price, "test_price_cents": test, "cost_cents": cost},
        ))
    return proposals


def _listing_fixes(products: pd.DataFrame) -> list[Proposal]:
    refunds = (products["orders"] >= MIN_ORDERS_FOR_REFUND_RATE) & (products["refund_rate"] >= HIGH_REFUND_RATE)
    converts = (products["visits"] >= MIN_VISITS_FOR_CONVERSION) & (products["conversion"] < LOW_CONVERSION)
    chosen = products[(refunds | converts) & products["in_catalog"]]
    chosen = chosen.assign(_refunds=refunds[chosen.index]).sort_values(
        ["_refunds", "refund_rate", "visits"], ascending=False)
    proposals = []
    for product, row in chosen.head(MAX_PER_KIND).iterrows():
        problems = []
        if refunds[product]:
            problems.append(f"{row['refunded_orders']} of {row['orders']} orders refunded "
                            f"({row['refund_rate']:.0%}, limit {HIGH_REFUND_RATE:.0%})")
        if converts[product]:
            problems.append(f"{row['marketplace_orders']} orders from {row['visits']} visits "
                            f"({row['conversion']:.2%} conversion, floor {LOW_CONVERSION:.0%})")
        proposals.append(Proposal(
            kind="listing_fix", tool=TOOLS["listing_fix"], arguments={"sku": row["lead_sku"]},
            reason=f"{row['name']}: {'; '.join(problems)}; rewrite the listing so it sets the right expectations",
            numbers={"orders": int(row["orders"]), "refunded_orders": int(row["refunded_orders"]),
                     "refund_rate": _rounded(row["refund_rate"]), "visits": int(row["visits"]),
                     "marketplace_orders": int(row["marketplace_orders"]), "conversion": _rounded(row["conversion"])},
        ))
    return proposals


def _promo_clips(products: pd.DataFrame, currency: str) -> list[Proposal]:
    top = _top_sellers(products)
    total = int(products["gross_cents"].sum())
    proposals = []
    for rank, (_, row) in enumerate(top.iterrows(), start=1):
        if row["has_clip"]:
            continue
        share = row["gross_cents"] / total if total else 0.0
        proposals.append(Proposal(
            kind="promo_clip", tool=TOOLS["promo_clip"], arguments={"sku": row["lead_sku"]},
            reason=(f"{row['name']} is top seller #{rank}: {_money(int(row['gross_cents']), currency)} from "
                    f"{row['orders']} orders ({share:.0%} of gross) and has no promo clip yet"),
            numbers={"rank": rank, "gross_cents": int(row["gross_cents"]), "orders": int(row["orders"]),
                     "share": round(float(share), 4)},
        ))
    return proposals


def _rounded(value: Any) -> float | None:
    return None if pd.isna(value) else round(float(value), 4)
