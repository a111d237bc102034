"""`shopagent ask`: the owner's free-form request, answered or turned into a plan by the model,
or, when the model cannot, by the code's rules for the common requests (agent/intents.py).

The plan runs under the same approval policy as every other run, so a request like "refund
every late order" still waits for the owner where the policy says so. A call of the plan on
an order the owner's own words do not name is refused (`scope`): text the request quotes,
or the model was led by, cannot point the shop at other buyers' orders. Orders a stage
hands on (the paid orders `fulfil_orders` ships) are the stage's to choose.
"""

import json

from sqlmodel import Session

from agent.executor import PlanStep, RunContext, RunPlan
from agent.intents import intent_plan, named_orders
from agent.planner import Plan, make_plan
from store_data.overview import shop_overview


def plan(ctx: RunContext, goal: str) -> RunPlan:
    with Session(ctx.engine) as session:
        state = json.dumps(shop_overview(session), ensure_ascii=False)
    result = make_plan(ctx.llm, goal, state, ctx.tools, fallback=lambda: Plan(
        answer="The model could not turn this request into a valid plan; nothing was done. "
               "Rephrase it, or use the commands directly (shopagent --help).",
    ))
    if result.made_by == "fallback":
        # The common requests are recognised by code when the model cannot plan them.
        with Session(ctx.engine) as session:
            recognised = intent_plan(session, goal, ctx.tools)
        if recognised is not None:
            steps, answer = recognised
            return RunPlan(steps, "rules", answer)
    return RunPlan(result.value.steps, result.made_by, result.value.answer)


def scope(goal: str, step: PlanStep) -> str:
    """Why a planned call is outside the owner's request ("" when inside): it acts on an order
    the owner's own words (quotes and pasted text left out) do not name."""
    order = step.arguments.get("order_id")
    if order is None:
        return ""
    if str(order).strip().lower().lstrip("#") in named_orders(goal):
        return ""
    return (f"{step.tool} on order {order}: the request does not name that order (quoted or pasted text "
            "does not count); name it, or use `shopagent orders`")
