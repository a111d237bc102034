"""`shopagent stock`: the stock pool kept in step on every platform between daily passes.

Every platform's new orders come in (and hold their units of the pool), then every platform
is shown the units left: the short pass `serve` runs every `stock_interval` seconds for a
shop on several platforms, so a sale on one lowers the others within minutes, not a day.
"""

from agent.executor import RunContext, RunPlan
from agent.workflows.stages import Stage, other_platforms, staged_plan


def plan(ctx: RunContext, goal: str) -> RunPlan:
    stages: list[Stage] = [("sync_orders", {}, "bring new and changed orders in from the marketplace")]
    stages += [("sync_orders", {}, f"bring new and changed orders in from {name}", name) for name in other_platforms(ctx)]
    stages.append(("sync_stock", {}, "show the stock pool's free units on every platform"))
    return staged_plan(ctx, stages)
