"""The workflows a run can follow. Each builds its plan; the executor runs it."""

from collections.abc import Callable
from dataclasses import dataclass

from agent.executor import PlanStep, RunContext
from agent.workflows import ask, daily, open_shop, orders


@dataclass(frozen=True)
class Workflow:
    name: str
    # plan(ctx, goal) -> (steps, made_by, answer)
    plan: Callable[[RunContext, str], tuple[list[PlanStep], str, str]]


WORKFLOWS: dict[str, Workflow] = {
    "open": Workflow("open", open_shop.plan),
    "daily": Workflow("daily", daily.plan),
    "ask": Workflow("ask", ask.plan),
    "orders": Workflow("orders", orders.plan),
}
