"""The workflows a run can follow. Each builds its plan; the executor runs it."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from agent.executor import PlanStep, RunContext, RunPlan
from agent.workflows import ask, daily, desk, open_shop, orders, stock


@dataclass(frozen=True)
class Workflow:
    name: str
    plan: Callable[[RunContext, str], RunPlan]
    # Whether a call the tools refuse goes back to the model to mend. Not for the owner's
    # explicit commands (`orders refund 12`): they say what was wrong at once instead.
    model_repairs: bool = True
    # scope(goal, step, engine) -> why a call of the plan itself is outside the request ("" inside).
    scope: Callable[[str, PlanStep, Engine], str] | None = None


WORKFLOWS: dict[str, Workflow] = {
    "open": Workflow("open", open_shop.plan),
    "daily": Workflow("daily", daily.plan),
    "desk": Workflow("desk", desk.plan),
    "ask": Workflow("ask", ask.plan, scope=ask.scope),
    "orders": Workflow("orders", orders.plan, model_repairs=False),
    "stock": Workflow("stock", stock.plan, model_repairs=False),
}
