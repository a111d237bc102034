"""Plans built from stages: the named tools of a workflow, in order, those installed."""

from agent.executor import PlanStep, RunContext, RunPlan


def staged_plan(ctx: RunContext, stages: list[tuple[str, dict, str]]) -> RunPlan:
    """Steps for the stages whose tool is registered; the answer names those that are not."""
    steps = [PlanStep(tool=tool, arguments=arguments, why=why)
             for tool, arguments, why in stages if tool in ctx.tools]
    missing = sorted({tool for tool, _, _ in stages if tool not in ctx.tools})
    note = f"stages not available in this installation: {', '.join(missing)}" if missing else ""
    return RunPlan(steps, "workflow", note)
