"""`shopagent daily`: one pass of the daily loop.

Each stage is a tool; a stage that finds work (a paid order to ship, a refund request)
returns follow-up calls, which the executor inserts right after it, one step per order, so
each one is gated, recorded and resumable on its own.
"""

from agent.executor import RunContext, RunPlan
from agent.workflows.stages import Stage, other_platforms, staged_plan

# Messages and requests come before shipping: a buyer's new address or cancellation holds
# the order (or cancels it) before fulfil_orders would send it to the old address.
STAGES = [
    ("sync_orders", {}, "bring new and changed orders in from the marketplace"),
    ("answer_messages", {}, "reply to buyer messages, escalate unclear ones"),
    ("handle_requests", {}, "refund, cancel and return requests by the shop's policy"),
    ("fulfil_orders", {}, "ship paid orders that have stock; flag the rest"),
    ("check_stock", {}, "low stock and sold-out SKUs"),
    ("end_price_tests", {}, "restore prices whose test has run its time"),
    ("refresh_promo_clips", {}, "clips for new products and top sellers, and the live room"),
    # 60 days: the report's 30 and the 30 it compares them with; re-pulled days are replaced.
    ("pull_stats", {"days": 60}, "the marketplace's visits and orders per listing, for conversion"),
    # The report's recommendations come back as proposed calls, each queued for the owner.
    ("sales_report", {"days": 30}, "the sales report with charts, and proposals"),
]


# A shop on several platforms runs these once per platform: every platform's orders are in
# (and hold their units of the one stock pool) before any is shipped, and then each platform
# is shown the units left.
PER_PLATFORM = ("sync_orders", "answer_messages", "handle_requests", "fulfil_orders")
STOCK_STAGE: Stage = ("sync_stock", {}, "show the stock pool's free units on every platform")


def plan(ctx: RunContext, goal: str) -> RunPlan:
    others = other_platforms(ctx)
    if not others:
        return staged_plan(ctx, list(STAGES))
    stages: list[Stage] = []
    for tool, arguments, why in STAGES:
        stages.append((tool, arguments, why))
        if tool in PER_PLATFORM:
            stages += [(tool, arguments, f"{why} (on {name})", name) for name in others]
        if tool == PER_PLATFORM[-1]:
            stages.append(STOCK_STAGE)
    return staged_plan(ctx, stages)
