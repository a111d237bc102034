"""Start and resume runs of a workflow: the one code path the CLI and the console share."""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy.engine import Engine

from agent import run_settings, runs
from agent.notify import notify
from agent.errors import UserError
from agent.checkpoints import checkpointer
from agent.executor import Budget, PlanStep, RunContext, run_graph
from agent.intents import sales_answer
from agent.planner import repair_step
from agent.run_lock import run_lock
from agent.workflows import WORKFLOWS
from agent.workspace import Workspace
from store_data.status import ErrorKind, RunStatus, StepStatus
from tools.llm import LLM
from tools.registry import BY_NAME, ToolSpec


@dataclass
class Outcome:
    run_id: str
    status: str  # completed | paused | stopped | failed
    waiting: list[int] = field(default_factory=list)  # approval ids
    summary: dict[str, Any] = field(default_factory=dict)
    model_calls: int = 0
    tokens: int = 0


def _scoped(check: Callable[[str, PlanStep, Engine], str], goal: str, engine: Engine, step: PlanStep) -> str:
    return check(goal, step, engine)


def _context(workspace: Workspace, workflow: str, goal: str, llm: LLM | None, driver, run_id: str,
             tools: dict[str, ToolSpec] | None, progress, drivers: dict | None = None) -> RunContext:
    flow = WORKFLOWS[workflow]
    settings = workspace.settings
    available = tools if tools is not None else dict(BY_NAME)
    return RunContext(
        deps=workspace.tool_deps(driver=driver, llm=llm, run_id=run_id, drivers=drivers),
        llm=llm,
        planner=lambda ctx: flow.plan(ctx, goal),
        budget=Budget(steps=settings.budget_steps.get(workflow, 500), tokens=settings.budget_tokens.get(workflow, 200_000)),
        settings=settings,
        tools=available,
        repair=(lambda step, problem: repair_step(llm, step, problem, available)) if flow.model_repairs else None,
        progress=progress,
        scope=partial(_scoped, flow.scope, goal, workspace.engine) if flow.scope else None,
    )


def _what_happened(workspace: Workspace, steps: list) -> str:
    """What the run's calls came to, by status, in the approval mode in use: written by code
    from the Step rows, so the answer never claims what did not happen."""
    if not steps:
        return ""
    groups: dict[str, list[str]] = {}
    for step in steps:
        arguments = step.arguments or {}
        target = next((str(arguments[k]) for k in ("order_id", "sku", "thread_id") if arguments.get(k)), "")
        label = f"{step.tool} {target}".strip()
        approval = runs.approval_for_step(workspace.engine, step.id) if step.status == "waiting" else None
        if approval is not None:
            label += f" ({approval.reason})"
        elif step.status in (StepStatus.FAILED, StepStatus.SKIPPED) and step.error:
            label += f" ({step.error[:200]})"
        groups.setdefault(step.status, []).append(label)
    words = {"done": "Done", "waiting": "Waiting for your approval", "failed": "Refused or failed",
             "skipped": "Not done", "running": "Cut off", "planned": "Not run"}
    parts = [f"{words.get(status, status)}: {'; '.join(labels)}." for status, labels in groups.items()]
    return f"In approval mode '{workspace.settings.approval_mode}': " + " ".join(parts)


def _answer(workspace: Workspace, run) -> None:
    """An owner's request answered with what its run really did and, for a question, the
    figures its sales report found, written by code: the plan's answer was written before any
    tool ran."""
    if run.workflow != "ask":
        return
    steps = runs.steps_of(workspace.engine, run.id)
    planned = run.summary.get("plan_answer", run.summary.get("answer", ""))
    reports = [s.output for s in steps
               if s.tool == "sales_report" and s.status == "done" and isinstance(s.output, dict) and "summary" in s.output]
    happened = _what_happened(workspace, steps)
    figures = sales_answer(reports[-1]) if reports else ""
    answer = "\n".join(part for part in (planned, happened, figures) if part)
    run.summary = {**run.summary, "plan_answer": planned, "happened": happened, "answer": answer,
                   **({"figures": figures} if figures else {})}
    runs.update_run(workspace.engine, run.id, summary=run.summary)


def _outcome(workspace: Workspace, run_id: str, result: dict[str, Any]) -> Outcome:
    run = runs.the_run(workspace.engine, run_id)
    if result["status"] == RunStatus.PAUSED:  # the run stopped at the gate: sum up what its steps did so far
        run = runs.update_run(workspace.engine, run_id, summary={**run.summary, **runs.tally(workspace.engine, run_id)})
    _answer(workspace, run)
    outcome = Outcome(run_id=run_id, status=result["status"], waiting=result["waiting"], summary=run.summary,
                      model_calls=run.model_calls, tokens=run.tokens)
    _tell_owner(workspace, outcome)
    return outcome


def _tell_owner(workspace: Workspace, outcome: Outcome) -> None:
    """Notify the owner of what needs them; problems sending are kept in the run's summary."""
    settings, problems = workspace.settings, []
    if outcome.waiting:
        problems += notify(settings, "approvals_waiting", {"count": len(outcome.waiting), "run_id": outcome.run_id})
    # A wrong call of the model is the run's own business; what the owner or a developer must
    # fix is sent once per run.
    needs_someone = [f for f in outcome.summary.get("failed", []) if f.get("kind") in (ErrorKind.OWNER, ErrorKind.BUG)]
    # A run the platform stopped is told once, as stopped (below), with the step's reason.
    if needs_someone and outcome.status != RunStatus.STOPPED and not outcome.summary.get("failures_notified"):
        first = needs_someone[0]
        problems += notify(settings, "steps_failed", {"count": len(needs_someone), "run_id": outcome.run_id,
                                                      "first": f"{first['tool']}: {first['error'][:200]}"})
        outcome.summary["failures_notified"] = True
    if outcome.status == RunStatus.STOPPED:  # a budget reached, or a platform that told automated access to stop
        problems += notify(settings, "run_stopped", {"reason": outcome.summary.get("stopped", ""),
                                                     "run_id": outcome.run_id})
    for step in runs.steps_of(workspace.engine, outcome.run_id):
        if step.tool == "sales_report" and step.status == "done" and isinstance(step.output, dict) \
                and step.output.get("report") and not outcome.summary.get("report_notified"):
            problems += notify(settings, "report_ready", {"path": step.output["report"], "run_id": outcome.run_id})
            outcome.summary["report_notified"] = True
    if problems or outcome.summary.get("report_notified") or outcome.summary.get("failures_notified"):
        outcome.summary["notify_problems"] = problems
        runs.update_run(workspace.engine, outcome.run_id, summary=outcome.summary)


def _run_or_report(workspace: Workspace, ctx: RunContext, run_id: str, resume: bool) -> Outcome:
    with checkpointer(workspace.runs / "checkpoints.sqlite") as saver:
        try:
            result = run_graph(ctx, saver, run_id, resume=resume)
        except Exception as exc:
            notify(workspace.settings, "run_failed", {"error": f"{exc.__class__.__name__}: {exc}", "run_id": run_id})
            raise
    return _outcome(workspace, run_id, result)


def start_run(workspace: Workspace, workflow: str, goal: str, llm: LLM | None = None, driver=None,
              tools: dict[str, ToolSpec] | None = None, progress: Callable | None = None, wait_s: float = 0.0,
              drivers: dict | None = None, run_id: str | None = None) -> Outcome:
    """Plan and run `workflow` for `goal` until it completes or waits for the owner. `drivers`:
    every platform's when the shop sells on several (`driver` is then their first). Another
    run working in the same directory is waited for up to `wait_s` seconds; after that this
    one is not started (RunBusy). `run_id` names the new run (default: a fresh id)."""
    if workflow not in WORKFLOWS:
        raise UserError(f"unknown workflow '{workflow}'; choose one of {', '.join(WORKFLOWS)}")
    with run_lock(workspace.runs, f"(a new {workflow} run)", "start it again", wait_s):
        run = runs.new_run(workspace.engine, workflow, goal, run_id)
        run_settings.keep(workspace, run.id)
        ctx = _context(workspace, workflow, goal, llm, driver, run.id, tools, progress, drivers)
        return _run_or_report(workspace, ctx, run.id, resume=False)


def resume_run(workspace: Workspace, run_id: str, llm: LLM | None = None, driver=None,
               tools: dict[str, ToolSpec] | None = None, progress: Callable | None = None, wait_s: float = 0.0,
               drivers: dict | None = None) -> Outcome:
    """Continue a run where it stopped: after a pause for approvals, a crash or a kill, under
    the settings it started with (callers that build `llm` and `driver` from settings build
    them from `run_settings.for_run(workspace, run_id)`)."""
    if runs.get_run(workspace.engine, run_id) is None:
        raise UserError(f"no run '{run_id}'; see `shopagent runs list`")
    workspace = run_settings.for_run(workspace, run_id)
    with run_lock(workspace.runs, run_id, f"resume it: `shopagent resume {run_id}`", wait_s):
        run = runs.the_run(workspace.engine, run_id)  # read again: the run that held the lock may have been this one
        if run.status in (RunStatus.COMPLETED, RunStatus.STOPPED):
            return Outcome(run_id=run_id, status=run.status, summary=run.summary,
                           model_calls=run.model_calls, tokens=run.tokens)
        ctx = _context(workspace, run.workflow, run.goal, llm, driver, run_id, tools, progress, drivers)
        return _run_or_report(workspace, ctx, run_id, resume=True)
