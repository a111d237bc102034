"""`shopagent desk`: one pass of the service desk. New orders come in first, so a question
about an order placed minutes ago is answered from its records; then every waiting buyer
thread is answered or handed to the owner (tools/messages.py). `shopagent serve` runs it
every `desk_interval` seconds between daily passes."""

from agent.executor import RunContext, RunPlan
from agent.workflows.stages import staged_plan


def plan(ctx: RunContext, goal: str) -> RunPlan:
    # A pass gives the model about desk_interval seconds for its drafts; threads left over are
    # drafted by the next pass, so a slow model never holds back the code's answers for long.
    model_seconds = ctx.settings.desk_interval
    return staged_plan(ctx, [
        ("sync_orders", {}, "bring new and changed orders in, so questions about them are answered from records"),
        ("answer_messages", {"model_seconds": model_seconds},
         "answer buyer messages from the shop's records; hand the rest to the owner"),
    ])
