"""`shopagent ask`: the owner's free-form request, answered or turned into a plan by the model,
or, when the model cannot, by the code's rules for the common requests (agent/intents.py).

The plan runs under the same approval policy as every other run, so a request like "refund
every late order" still waits for the owner where the policy says so. A call of the plan on
an order the owner's own words do not name is refused (`scope`): text the request quotes,
or the model was led by, cannot point the shop at other buyers' orders. Orders a stage
hands on (the paid orders `fulfil_orders` ships) are the stage's to choose.
"""

import json
import re

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from agent.executor import PlanStep, RunContext, RunPlan
from agent.intents import intent_plan, named_orders, owner_words
from agent.planner import Plan, make_plan
from store_data.orders import BuyerMessage, Order
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


def scope(goal: str, step: PlanStep, engine: Engine | None = None) -> str:
    """Why a planned call is outside the owner's request ("" when inside): it acts on an order,
    or writes in a buyer's thread, that the owner's own words (quotes and pasted text left out)
    do not name. A thread about an order is named by naming the order."""
    named = named_orders(goal)
    order = step.arguments.get("order_id")
    if order is not None and str(order).strip().lower().lstrip("#") not in named:
        return (f"{step.tool} on order {order}: the request does not name that order (quoted or pasted text "
                "does not count); name it, or use `shopagent orders`")
    thread = step.arguments.get("thread_id")
    if thread is not None and not _says(goal, str(thread).strip().lstrip("#")):
        about = _thread_order(engine, str(thread)) if engine is not None else None
        if about is None or about.lower() not in named:
            return (f"{step.tool} in buyer thread {thread}: the request names neither that thread nor its order "
                    "(quoted or pasted text does not count); name the order, or answer in `shopagent approvals`")
    return ""


def _says(goal: str, word: str) -> bool:
    """Whether the owner's own words contain `word` as a whole word."""
    return bool(word) and re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", owner_words(goal), re.I) is not None


def _thread_order(engine: Engine, thread: str) -> str | None:
    """The marketplace number of the order a buyer thread is about, if any."""
    with Session(engine) as session:
        return session.exec(select(Order.remote_id).join(BuyerMessage, col(BuyerMessage.order_id) == col(Order.id))
                            .where(BuyerMessage.thread_id == thread)).first()
