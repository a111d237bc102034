"""A shop on several platforms: each step acts on the platform it names (the calls a stage
hands on act on the stage's), a waiting call tells the owner which platform it is for and
acts there once approved, and the daily pass runs the order stages once per platform."""

from agent.approvals import decide, list_approvals
from agent.executor import Budget, RunContext
from agent.runner import resume_run, start_run
from agent.runs import steps_of
from agent.workflows import daily
from agent.workflows.orders import goal_for
from agent.workspace import load_settings, open_workspace
from tools.deps import ToolDeps
from tools.registry import Risk, ToolSpec


class Platform:
    """What the executor needs of a driver: a name (and capabilities for the stages)."""

    capabilities: frozenset[str] = frozenset()

    def __init__(self, name: str):
        self.name = name

    def close(self) -> None:
        pass


def stage(deps) -> dict:
    """A stage that hands on one call."""
    return {"seen": deps.driver.name, "follow_up": [{"tool": "leaf", "arguments": {}, "why": "handed on"}]}


def leaf(deps) -> dict:
    return {"seen": deps.driver.name}


def pay(deps, amount_cents: int) -> dict:
    return {"seen": deps.driver.name, "paid": amount_cents}


TOOLS = {"stage": ToolSpec(stage), "leaf": ToolSpec(leaf),
         "pay": ToolSpec(pay, Risk(writes=True, moves_money=True), preview=lambda deps, amount_cents: {
             "amount_cents": amount_cents})}
DRIVERS = {"sandbox": Platform("sandbox"), "oscar": Platform("oscar")}


def _workspace(workdir):
    return open_workspace(load_settings(workdir, platforms=["sandbox", "oscar"], approval_mode="risky",
                                        llm_provider="scripted"))


def _seen(workspace, run_id) -> list[tuple[str, str, str]]:
    return [(s.tool, s.status, (s.output or {}).get("seen", "")) for s in steps_of(workspace.engine, run_id)]


def test_each_step_acts_on_its_platform_and_handed_on_calls_on_the_stages(workdir):
    workspace = _workspace(workdir)
    calls = [{"tool": "stage", "arguments": {}}, {"tool": "stage", "arguments": {}, "platform": "oscar"},
             {"tool": "leaf", "arguments": {}, "platform": "vendure"}]
    outcome = start_run(workspace, "orders", goal_for(calls), drivers=DRIVERS, tools=TOOLS)
    assert _seen(workspace, outcome.run_id)[:4] == [("stage", "done", "sandbox"), ("leaf", "done", "sandbox"),
                                                    ("stage", "done", "oscar"), ("leaf", "done", "oscar")]
    unconnected = steps_of(workspace.engine, outcome.run_id)[4]
    assert unconnected.status == "failed"
    assert "not connected to the platform 'vendure' (connected: sandbox, oscar)" in unconnected.error


def test_a_waiting_call_names_its_platform_and_acts_there_once_approved(workdir):
    workspace = _workspace(workdir)
    outcome = start_run(workspace, "orders", goal_for([{"tool": "pay", "arguments": {"amount_cents": 500},
                                                         "platform": "oscar"}]), drivers=DRIVERS, tools=TOOLS)
    assert outcome.status == "paused"
    [waiting] = list_approvals(workspace)
    assert waiting.preview["facts"]["platform"] == "oscar"  # the owner sees where the money moves
    decide(workspace, waiting.id, "approve")
    resumed = resume_run(workspace, outcome.run_id, drivers=DRIVERS, tools=TOOLS)
    assert resumed.status == "completed"
    assert _seen(workspace, outcome.run_id) == [("pay", "done", "oscar")]


def test_the_daily_pass_runs_the_order_stages_per_platform_then_shares_the_stock(workdir):
    workspace = _workspace(workdir)
    ctx = RunContext(deps=workspace.tool_deps(drivers=DRIVERS), llm=None, planner=lambda c: daily.plan(c, ""),
                     budget=Budget(steps=100, tokens=100), settings=workspace.settings)
    steps = [(s.tool, s.platform) for s in daily.plan(ctx, "daily operations").steps]
    order_part = steps[:steps.index(("sync_stock", "")) + 1]
    assert order_part == [("sync_orders", ""), ("sync_orders", "oscar"), ("answer_messages", ""),
                          ("answer_messages", "oscar"), ("handle_requests", ""), ("handle_requests", "oscar"),
                          ("fulfil_orders", ""), ("fulfil_orders", "oscar"), ("sync_stock", "")]
    assert all(platform == "" for _, platform in steps[len(order_part):])  # the rest reads the shop's records
    one = RunContext(deps=workspace.tool_deps(drivers={"sandbox": DRIVERS["sandbox"]}), llm=None,
                     planner=lambda c: daily.plan(c, ""), budget=Budget(steps=100, tokens=100),
                     settings=workspace.settings)
    assert [s.tool for s in daily.plan(one, "").steps] == [tool for tool, _, _ in daily.STAGES]  # one platform: as before


def test_the_stock_pass_syncs_every_platform_then_shows_the_pool():
    from agent.workflows import stock

    ctx = RunContext(deps=ToolDeps(engine=None, workdir=None, settings=None, drivers=DRIVERS),  # type: ignore[arg-type]
                     llm=None, planner=lambda c: stock.plan(c, ""), budget=Budget(steps=10, tokens=10), settings=None)  # type: ignore[arg-type]
    assert [(s.tool, s.platform) for s in stock.plan(ctx, "").steps] == [
        ("sync_orders", ""), ("sync_orders", "oscar"), ("sync_stock", "")]


def test_the_runs_record_says_which_platform_each_step_acted_on(workdir):
    workspace = _workspace(workdir)
    calls = [{"tool": "leaf", "arguments": {}}, {"tool": "stage", "arguments": {}, "platform": "oscar"}]
    outcome = start_run(workspace, "orders", goal_for(calls), drivers=DRIVERS, tools=TOOLS)
    assert [(s.tool, s.platform) for s in steps_of(workspace.engine, outcome.run_id)] == [
        ("leaf", ""), ("stage", "oscar"), ("leaf", "oscar")]
