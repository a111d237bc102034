"""`shopagent orders sync|ship|refund`: order actions the owner asks for by command.

The goal is the JSON list of calls the command made (e.g. one ship_order); the planner is
not asked. The calls run like any other run's steps: recorded, resumable, and through the
same approval policy, so `orders refund` in `risky` mode waits in the approval queue.
"""

import json

from agent.executor import PlanStep, RunContext, RunPlan


def goal_for(calls: list[dict]) -> str:
    """The goal text of a run of these calls ({"tool", "arguments", "why"})."""
    return json.dumps(calls, ensure_ascii=False)


def plan(ctx: RunContext, goal: str) -> RunPlan:
    calls = json.loads(goal)
    return RunPlan([PlanStep(**call) for call in calls if call["tool"] in ctx.tools], "command")
