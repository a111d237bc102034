"""`shopagent desk`: one pass of the service desk. New orders come in first, so a question
about an order placed minutes ago is answered from its records; then every waiting buyer
thread is answered or handed to the owner (tools/messages.py). `shopagent serve` runs it
every `desk_interval` seconds between daily passes."""

from agent.executor import PlanStep, RunContext
from agent.workflows.stages import staged_plan

STAGES = [
    ("sync_orders", {}, "bring new and changed orders in, so questions about them are answered from records"),
    ("answer_messages", {}, "answer buyer messages from the shop's records; hand the rest to the owner"),
]


def plan(ctx: RunContext, goal: str) -> tuple[list[PlanStep], str, str]:
    return staged_plan(ctx, STAGES)
