"""`shopagent ask`: the owner's free-form request, answered or turned into a plan by the model,
or, when the model cannot, by the code's rules for the common requests (agent/intents.py).

The plan runs under the same approval policy as every other run, so a request like "refund
every late order" still waits for the owner where the policy says so.
"""

import json

from sqlmodel import Session

from agent.executor import PlanStep, RunContext
from agent.intents import intent_plan
from agent.planner import Plan, make_plan
from store_data.overview import shop_overview


def plan(ctx: RunContext, goal: str) -> tuple[list[PlanStep], str, str]:
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
            return steps, "rules", answer
    return result.value.steps, result.made_by, result.value.answer
