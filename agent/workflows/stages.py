"""Plans built from stages: the named tools of a workflow, in order, those installed."""

from agent.executor import PlanStep, RunContext, RunPlan


Stage = tuple[str, dict, str] | tuple[str, dict, str, str]  # tool, arguments, why[, platform]


def staged_plan(ctx: RunContext, stages: list[Stage]) -> RunPlan:
    """Steps for the stages whose tool is registered; the answer names those that are not.
    A stage's fourth item names the platform it acts on (default: the main one)."""
    steps = [PlanStep(tool=stage[0], arguments=stage[1], why=stage[2], platform=stage[3] if len(stage) > 3 else "")
             for stage in stages if stage[0] in ctx.tools]
    missing = sorted({stage[0] for stage in stages if stage[0] not in ctx.tools})
    note = f"stages not available in this installation: {', '.join(missing)}" if missing else ""
    return RunPlan(steps, "workflow", note)


def other_platforms(ctx: RunContext) -> list[str]:
    """The platforms the run is connected to besides the main one."""
    main = ctx.deps.driver.name if ctx.deps.driver is not None else ""
    return [name for name in ctx.deps.drivers if name != main]
