"""The executor: runs a typed plan of tool calls as a LangGraph graph, checkpointed after
every step, pausing at approval gates with an interrupt.

Graph:  plan -> step (once per planned call) -> gate <-> decided -> finish
- `step` validates the call, asks the policy whether it needs the owner (queued and left
  waiting, the run goes on with the other steps; skipped when the same tool on the same
  target already waits, or is a proposal the owner just rejected), else runs it and
  records the Step.
- `gate` pauses the run (interrupt) while approvals are pending; `decided` runs one
  approved (or edited) call, or records a rejection, then goes back to `gate`.
- Every step's outcome is on its Step row before the checkpoint moves on, so a run killed
  at any point and resumed skips finished steps; the tools' idempotency keys cover a call
  cut off half-way.
- A failed step records who can fix it (ErrorKind): the model (a wrong call: ToolRetry,
  mended once by `repair` where the workflow allows), the owner (ToolFailed: the message says
  what to do) or nobody but a developer (any other exception: a bug, its traceback written
  to runs/<run id>.log).
"""

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt
from pydantic import BaseModel

from agent import runs, spending
from agent.masking import redact
from agent.policy import gate_for
from agent.settings import Settings
from store_data.clock import utcnow
from store_data.status import SETTLED_STEPS, ApprovalStatus, ErrorKind, RunStatus, StepStatus
from tools.deps import ToolDeps
from tools.errors import NeedsOwner, PlatformStopped, ToolFailed, ToolRetry
from tools.llm import LLM
from tools.registry import BY_NAME, ToolSpec


class PlanStep(BaseModel):
    """One tool call of a plan."""

    tool: str
    arguments: dict[str, Any] = {}
    why: str = ""
    # Proposed by code (e.g. the sales report's recommendations): always the owner's call.
    proposed: bool = False
    # The stage (tool) whose output asked for this call; empty for the plan's own steps. Set by
    # the executor only: whatever a planner writes here is cleared.
    from_stage: str = ""
    # The platform the call acts on, for a shop that sells on several ("": the main one). Calls
    # a stage hands on act on the stage's platform.
    platform: str = ""


class RunPlan(NamedTuple):
    """What a workflow's planner gives the executor."""

    steps: list[PlanStep]
    made_by: str  # which path made the plan: workflow, rules, model, fallback, command
    answer: str = ""  # a note for the owner


class RunState(TypedDict, total=False):
    run_id: str
    steps: list[dict[str, Any]]
    made_by: str
    answer: str
    position: int
    waiting: list[int]
    stop_reason: str


@dataclass
class Budget:
    steps: int
    tokens: int


@dataclass
class RunContext:
    """What the graph's nodes need that is not state: the dependencies of this process."""

    deps: ToolDeps
    llm: LLM | None
    planner: Callable[["RunContext"], RunPlan]
    budget: Budget
    settings: Settings  # all of them (the tools see theirs through deps.settings)
    tools: dict[str, ToolSpec] = field(default_factory=lambda: dict(BY_NAME))
    repair: Callable[[PlanStep, str], PlanStep | None] | None = None
    progress: Callable[[int, list[dict]], None] | None = None  # (position, planned steps) before each step
    # scope(step) -> why a call of the plan itself is outside what was asked ("" when inside);
    # such a call is refused before any approval. Calls a stage hands on are not checked.
    scope: Callable[[PlanStep], str] | None = None
    _usage_seen: tuple[int, int] = (0, 0)

    def __post_init__(self):
        # The model object may outlive one run (resume in the same process): count from here.
        if self.llm is not None:
            self._usage_seen = (self.llm.calls, self.llm.tokens)

    @property
    def engine(self):
        return self.deps.engine

    def log_path(self, run_id: str) -> Path:
        """Where the tracebacks of the run's unexpected faults are written."""
        return self.deps.workdir / "runs" / f"{run_id}.log"


def build_graph(ctx: RunContext, saver: SqliteSaver):
    graph = StateGraph(RunState)
    graph.add_node("plan", lambda state: _plan(ctx, state))
    graph.add_node("step", lambda state: _step(ctx, state))
    graph.add_node("gate", lambda state: _gate(ctx, state))
    graph.add_node("decided", lambda state: _decided(ctx, state))
    graph.add_node("finish", lambda state: _finish(ctx, state))
    graph.add_edge(START, "plan")
    graph.add_conditional_edges("plan", lambda s: "step" if s["steps"] else "finish", ["step", "finish"])
    graph.add_conditional_edges("step", lambda s: _after_step(s), ["step", "gate", "finish"])
    graph.add_conditional_edges("gate", lambda s: _after_gate(ctx, s), ["decided", "gate", "finish"])
    graph.add_conditional_edges("decided", lambda s: "finish" if s.get("stop_reason") else
                                "step" if s["position"] < len(s["steps"]) else "gate", ["step", "gate", "finish"])
    graph.add_edge("finish", END)
    return graph.compile(checkpointer=saver)


def run_graph(ctx: RunContext, saver: SqliteSaver, run_id: str, resume: bool) -> dict[str, Any]:
    """Start or continue the run; returns {"status": "paused"|"completed"|..., "waiting": [...]}."""
    graph = build_graph(ctx, saver)
    config = {"configurable": {"thread_id": run_id}, "recursion_limit": 100_000}
    snapshot = graph.get_state(config)
    if not resume:
        payload: Any = {"run_id": run_id, "position": 0, "waiting": [], "steps": [], "stop_reason": ""}
    elif snapshot.interrupts:
        payload = Command(resume={"at": utcnow().isoformat()})
    else:
        payload = None  # continue from the last checkpoint
    runs.update_run(ctx.engine, run_id, status=RunStatus.RUNNING)
    try:
        result = graph.invoke(payload, config)
    except Exception as exc:
        log = _log_bug(ctx, run_id, "the run", exc)
        runs.update_run(ctx.engine, run_id, status=RunStatus.FAILED, ended_at=utcnow(),
                        summary={"error": redact(ctx.settings, f"{exc.__class__.__name__}: {exc}"), "log": log})
        raise
    finally:
        _record_usage(ctx, run_id)
    if result.get("__interrupt__"):
        waiting = result["__interrupt__"][0].value.get("approvals", [])
        runs.update_run(ctx.engine, run_id, status=RunStatus.PAUSED)
        return {"status": RunStatus.PAUSED, "waiting": waiting}
    return {"status": runs.the_run(ctx.engine, run_id).status, "waiting": []}


def _record_usage(ctx: RunContext, run_id: str):
    if ctx.llm is None:
        return runs.get_run(ctx.engine, run_id)
    calls, tokens = ctx.llm.calls - ctx._usage_seen[0], ctx.llm.tokens - ctx._usage_seen[1]
    ctx._usage_seen = (ctx.llm.calls, ctx.llm.tokens)
    return runs.add_usage(ctx.engine, run_id, calls, tokens)


# --- nodes -------------------------------------------------------------------------------

def _plan(ctx: RunContext, state: RunState) -> RunState:
    if state.get("steps"):
        return {}
    steps, made_by, answer = ctx.planner(ctx)
    steps = [s.model_copy(update={"from_stage": ""}) for s in steps]
    _record_usage(ctx, state["run_id"])
    runs.update_run(ctx.engine, state["run_id"], summary={"answer": answer, "planned": len(steps), "plan_made_by": made_by})
    return {"steps": [s.model_dump() for s in steps], "made_by": made_by, "answer": answer, "position": 0}


def _after_step(state: RunState) -> str:
    if state.get("stop_reason"):
        return "finish"
    return "step" if state["position"] < len(state["steps"]) else "gate"


def _step(ctx: RunContext, state: RunState) -> RunState:
    position, planned = state["position"], state["steps"][state["position"]]
    run = _record_usage(ctx, state["run_id"])
    executed = runs.count_steps(ctx.engine, run.id, (StepStatus.DONE, StepStatus.FAILED))
    if executed >= ctx.budget.steps or run.tokens >= ctx.budget.tokens:
        spent = f"{executed} steps" if executed >= ctx.budget.steps else f"{run.tokens} tokens"
        return {"stop_reason": f"budget reached ({spent}); {len(state['steps']) - position} planned steps not run"}
    if ctx.progress:
        ctx.progress(position, state["steps"])
    step = runs.step_row(ctx.engine, run.id, position, planned["tool"], planned["arguments"], state.get("made_by", ""),
                         planned.get("platform", ""))
    # A step already settled was run before a crash; it is not run again.
    status = step.status if step.status in SETTLED_STEPS else _prepare(ctx, step, PlanStep(**planned))
    waiting = list(state.get("waiting", []))
    if status == StepStatus.WAITING and position not in waiting:
        waiting.append(position)
    update: RunState = {"position": position + 1, "waiting": waiting, **_stopped(ctx, run.id, position, status)}
    follow_up = _follow_up(ctx, run.id, position, planned.get("platform", ""))
    if follow_up:
        steps = list(state["steps"])
        steps[position + 1:position + 1] = follow_up
        update["steps"] = steps
    return update


STOPPED = "stopped"  # what _execute returns when the platform said automated access must stop


def _stopped(ctx: RunContext, run_id: str, position: int, status: str) -> RunState:
    """The run's stop reason when its step at `position` was told to stop by the platform."""
    if status != STOPPED:
        return {}
    return {"stop_reason": runs.step_at(ctx.engine, run_id, position).error}


def _follow_up(ctx: RunContext, run_id: str, position: int, platform: str) -> list[dict[str, Any]]:
    """Calls a finished stage asks for (e.g. one ship_order per paid order), decided by code;
    they act on the stage's platform."""
    step = runs.step_at(ctx.engine, run_id, position)
    if step.status != StepStatus.DONE or not isinstance(step.output, dict):
        return []
    return [PlanStep(**{**call, "from_stage": step.tool, "platform": platform}).model_dump()
            for call in step.output.get("follow_up", [])]


def _deps(ctx: RunContext, platform: str) -> ToolDeps:
    """The tools' dependencies for a call on `platform` ("": the main one)."""
    if not platform:
        return ctx.deps
    try:
        return ctx.deps.on_platform(platform)
    except KeyError:
        connected = ", ".join(ctx.deps.drivers) or "none"
        raise ToolFailed(f"this run is not connected to the platform '{platform}' (connected: {connected}); "
                         f"add it to platforms in shopagent.toml and resume the run") from None


def _prepare(ctx: RunContext, step, planned: PlanStep, repaired: bool = False) -> str:
    """Validate, gate, then run one planned call. Returns the Step's new status."""
    outside = ctx.scope(planned) if ctx.scope and not planned.from_stage else ""
    if outside:
        return _fail(ctx, step, ErrorKind.MODEL, f"refused: {outside}")
    try:
        deps = _deps(ctx, planned.platform)
    except ToolFailed as problem:
        return _fail(ctx, step, ErrorKind.OWNER, str(problem))
    try:
        spec = _tool(ctx, planned.tool)
        arguments = spec.validate(planned.arguments)
        facts = spec.facts(deps, arguments)
    except ToolRetry as problem:
        fixed = ctx.repair(planned, str(problem)) if ctx.repair and not repaired else None
        if fixed is None:
            return _fail(ctx, step, ErrorKind.MODEL, str(problem))
        # The model mends the call, not where it came from nor whether it is a proposal.
        fixed = fixed.model_copy(update={"from_stage": planned.from_stage, "proposed": planned.proposed,
                                         "platform": planned.platform})
        runs.save_step(ctx.engine, step, tool=fixed.tool, arguments=fixed.arguments, made_by="repaired")
        return _prepare(ctx, step, fixed, repaired=True)
    except NeedsOwner as owner:
        facts = {"needs_person": str(owner), **owner.evidence}
        spec, arguments = _tool(ctx, planned.tool), planned.arguments
    if planned.platform:  # the owner deciding sees which platform the call acts on
        facts = {**facts, "platform": planned.platform}
    # The policy's caps also read what this run and today's runs moved so far.
    moved = _money_moved(ctx, step.run_id) if spec.risk.moves_money else {}
    gate = gate_for(spec, arguments, {**facts, **moved}, ctx.settings, proposed=planned.proposed)
    if gate:
        held = _held_back(ctx, step, spec, arguments, planned.proposed)
        if held:
            runs.save_step(ctx.engine, step, status=StepStatus.SKIPPED, arguments=arguments, error=held)
            return StepStatus.SKIPPED
        runs.hold_step(ctx.engine, step, gate.reason, {"facts": facts, "why": planned.why},
                       ctx.settings.approval_expire_hours, arguments=arguments)
        return StepStatus.WAITING
    return _execute(ctx, step, spec, arguments, deps)


def _held_back(ctx: RunContext, step, spec: ToolSpec, arguments: dict[str, Any], proposed: bool) -> str:
    """Why a call that would wait for the owner is not queued, or "": one approval per tool and
    target waits at a time (a pass repeated while the owner has not decided adds nothing), and
    a proposal the owner rejected is not put to them again for `proposal_cooldown_days`."""
    target = spec.target_of(arguments)
    twin = runs.pending_twin(ctx.engine, step, spec.name, target)
    if twin is not None:
        return f"already waiting for the owner as approval {twin.id} (run {twin.run_id})"
    days = ctx.settings.proposal_cooldown_days
    rejected = runs.recently_rejected(ctx.engine, spec.name, target, days) if proposed else None
    if rejected is not None and rejected.decided_at is not None:
        again = (rejected.decided_at + timedelta(days=days)).date().isoformat()
        return (f"the owner rejected this as approval {rejected.id} on {rejected.decided_at:%Y-%m-%d}; "
                f"not proposed again before {again}")
    return ""


def _money_moved(ctx: RunContext, run_id: str) -> dict[str, int]:
    """What this run and today's runs moved so far: the sums the policy's caps read."""
    money_tools = {name for name, spec in ctx.tools.items() if spec.risk.moves_money}
    return {"moved_in_run_cents": spending.moved_cents(ctx.engine, money_tools, run_id=run_id),
            "moved_today_cents": spending.moved_cents(ctx.engine, money_tools,
                                                      since=spending.start_of_day(ctx.settings.timezone))}


def _fail(ctx: RunContext, step, kind: ErrorKind, error: str, **values: Any) -> str:
    # An error may quote a URL with its password, or an endpoint's answer: secrets hidden.
    runs.save_step(ctx.engine, step, status=StepStatus.FAILED, error=redact(ctx.settings, error),
                   error_kind=kind, **values)
    return StepStatus.FAILED


def _log_bug(ctx: RunContext, run_id: str, where: str, exc: BaseException) -> str:
    """Append the fault's whole traceback to the run's log; returns the log's path."""
    path = ctx.log_path(run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(traceback.format_exception(exc))
    with path.open("a", encoding="utf-8") as log:
        log.write(f"--- {utcnow().isoformat()} {where}\n{redact(ctx.settings, text)}\n")
    return str(path)


def _execute(ctx: RunContext, step, spec: ToolSpec, arguments: dict[str, Any], deps: ToolDeps) -> str:
    runs.save_step(ctx.engine, step, status=StepStatus.RUNNING, started_at=utcnow(), arguments=arguments)
    started = time.perf_counter()

    def took() -> int:
        return int((time.perf_counter() - started) * 1000)

    try:
        output = spec.func(deps, **arguments)
        if isinstance(output, BaseModel):
            output = output.model_dump(mode="json")
    except NeedsOwner as owner:
        runs.hold_step(ctx.engine, step, f"the platform needs a person: {owner}", {"facts": owner.evidence},
                       ctx.settings.approval_expire_hours, error=str(owner))
        return StepStatus.WAITING
    except PlatformStopped as stop:  # the step fails and the run ends here (see _stopped)
        _fail(ctx, step, ErrorKind.OWNER, str(stop), duration_ms=took())
        return STOPPED
    except ToolRetry as problem:
        return _fail(ctx, step, ErrorKind.MODEL, str(problem), duration_ms=took())
    except ToolFailed as problem:
        return _fail(ctx, step, ErrorKind.OWNER, str(problem), duration_ms=took())
    except Exception as exc:  # a bug: the traceback goes to the run's log, the run goes on
        log = _log_bug(ctx, step.run_id, f"step {step.position} {step.tool}", exc)
        error = "".join(traceback.format_exception_only(exc)).strip()
        return _fail(ctx, step, ErrorKind.BUG, f"{error} (traceback in {log})", duration_ms=took())
    runs.save_step(ctx.engine, step, status=StepStatus.DONE, output=output, error="", duration_ms=took())
    return StepStatus.DONE


def _tool(ctx: RunContext, name: str) -> ToolSpec:
    if name not in ctx.tools:
        raise ToolRetry(f"no tool named '{name}'; available: {', '.join(sorted(ctx.tools))}")
    return ctx.tools[name]


def _waiting_split(ctx: RunContext, state: RunState) -> tuple[list[int], list[int], dict[int, Any]]:
    """Positions whose approval is decided, those still pending, and the approvals."""
    runs.expire_stale(ctx.engine)
    decided: list[int] = []
    pending: list[int] = []
    approvals: dict[int, Any] = {}
    for position in state.get("waiting", []):
        step = runs.step_at(ctx.engine, state["run_id"], position)
        approval = runs.approval_for_step(ctx.engine, step.id) if step.id is not None else None
        if approval is None:  # hold_step writes both at once: only a database edited by hand gets here
            raise LookupError(f"step {position} of run {state['run_id']} waits with no approval")
        approvals[position] = approval
        (pending if approval.status == ApprovalStatus.PENDING else decided).append(position)
    return decided, pending, approvals


def _gate(ctx: RunContext, state: RunState) -> RunState:
    decided, pending, approvals = _waiting_split(ctx, state)
    if pending and not decided:
        # Pauses the run here; `resume` re-enters this node and the routing re-reads the queue.
        interrupt({"run_id": state["run_id"], "approvals": [approvals[p].id for p in pending]})
    return {}


def _copy_changed(ctx: RunContext, deps: ToolDeps, step, spec: ToolSpec, arguments: dict[str, Any], approval) -> bool:
    """Whether a listing's words changed between the owner's approval of its publish and now;
    if so the publish waits again, on the words as they are now (the owner approved what
    they saw, not what came after)."""
    seen = ((approval.preview or {}).get("facts") or {}).get("copy_sha")
    if not seen:
        return False
    facts = spec.facts(deps, arguments)
    if facts.get("copy_sha") == seen:
        return False
    runs.hold_step(ctx.engine, step, "the listing's title or description changed after the owner approved it",
                   {"facts": facts, "why": (approval.preview or {}).get("why", "")},
                   ctx.settings.approval_expire_hours)
    return True


def _after_gate(ctx: RunContext, state: RunState) -> str:
    decided, pending, _ = _waiting_split(ctx, state)
    return "decided" if decided else "gate" if pending else "finish"


def _decided(ctx: RunContext, state: RunState) -> RunState:
    decided, _, approvals = _waiting_split(ctx, state)
    if not decided:  # resumed after this node already queued a new approval: back to the gate
        return {}
    position = decided[0]
    approval = approvals[position]
    step = runs.step_at(ctx.engine, state["run_id"], position)
    platform = state["steps"][position].get("platform", "")
    status = step.status
    if status == StepStatus.WAITING:
        if approval.status in (ApprovalStatus.APPROVED, ApprovalStatus.EDITED):
            arguments = approval.edited_arguments if approval.status == ApprovalStatus.EDITED else approval.arguments
            spec = _tool(ctx, step.tool)
            arguments = spec.validate(arguments)
            try:
                deps = _deps(ctx, platform)
            except ToolFailed as problem:
                status = _fail(ctx, step, ErrorKind.OWNER, str(problem))
            else:
                status = StepStatus.WAITING if _copy_changed(ctx, deps, step, spec, arguments, approval) \
                    else _execute(ctx, step, spec, arguments, deps)
        else:
            status = StepStatus.SKIPPED
            runs.save_step(ctx.engine, step, status=status, error=f"{approval.status} by {approval.decided_by}")
    # Waiting again (a human check that came back): the new approval keeps it at the gate.
    update: RunState = {"waiting": [p for p in state["waiting"] if p != position or status == StepStatus.WAITING],
                        **_stopped(ctx, state["run_id"], position, status)}
    # What an approved call asks for next runs after the plan (the plan's own steps are done).
    follow_up = _follow_up(ctx, state["run_id"], position, platform)
    if follow_up:
        update["steps"] = list(state["steps"]) + follow_up
    return update


def _finish(ctx: RunContext, state: RunState) -> RunState:
    summary = {"answer": state.get("answer", ""), "planned": len(state.get("steps", [])),
               "plan_made_by": state.get("made_by", ""), **runs.tally(ctx.engine, state["run_id"])}
    if state.get("stop_reason"):
        summary["stopped"] = state["stop_reason"]
    status = RunStatus.STOPPED if state.get("stop_reason") else RunStatus.COMPLETED
    # Keep what was noted earlier in the run (e.g. that the owner was told of the report).
    earlier = runs.the_run(ctx.engine, state["run_id"]).summary
    runs.update_run(ctx.engine, state["run_id"], status=status, ended_at=utcnow(), summary={**earlier, **summary})
    return {}
