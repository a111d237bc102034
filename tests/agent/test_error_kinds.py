"""Who can fix a failed step: the model (a wrong call), the owner (the message says what to
do), or a developer (a bug, whose traceback goes to runs/<run id>.log). The summary, the CLI
and the owner's notifications say which."""

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from agent import runs
from agent.cli import app
from agent.commands.runs import EXIT_FAILED
from agent.runner import start_run
from agent.workspace import load_settings, open_workspace
from store_data.db import make_engine, sqlite_url
from store_data.errors import IllegalTransition
from store_data.status import ErrorKind, RunStatus
from tools.errors import ToolFailed, ToolRetry
from tools.llm import LLM
from tools.registry import Risk, ToolSpec
from tools.scripted_model import ScriptedChatModel, ScriptExhausted


def broken(deps, sku: str) -> dict:
    """A tool with a fault in it."""
    return {"price": {"cents": 100}["euros"]}


def refused(deps, sku: str) -> dict:
    """A tool the platform refuses."""
    raise ToolFailed(f"the platform refuses {sku}: log in to its back-office and accept the new terms")


def wrong(deps, sku: str) -> dict:
    raise ToolRetry(f"no SKU '{sku}'; see list_products")


def asks_the_model(deps, sku: str) -> dict:
    """A tool that asks the model for something (the script has no reply for it)."""
    deps.llm.chat.invoke("describe " + sku)
    return {"described": sku}


TOOLS = {name: ToolSpec(func, Risk()) for name, func in
         {"broken": broken, "refused": refused, "wrong": wrong, "asks_the_model": asks_the_model}.items()}


def plan(*tools):
    return {"answer": "", "steps": [{"tool": tool, "arguments": {"sku": "MUG-1"}, "why": "test"} for tool in tools]}


def run(workspace, *tools):
    model = LLM(chat=ScriptedChatModel([plan(*tools)]))
    return start_run(workspace, "ask", "do it", llm=model, tools=TOOLS)


@pytest.fixture
def workspace(workdir):
    return open_workspace(load_settings(workdir, notify_webhook_url=None))


def test_each_failure_is_classed_and_a_bug_leaves_its_traceback(workspace):
    outcome = run(workspace, "broken", "refused", "wrong")
    failed = {f["tool"]: f for f in outcome.summary["failed"]}
    assert {tool: f["kind"] for tool, f in failed.items()} == {
        "broken": ErrorKind.BUG, "refused": ErrorKind.OWNER, "wrong": ErrorKind.MODEL}
    assert all(f["to_do"] for f in failed.values())
    log = workspace.runs / f"{outcome.run_id}.log"
    assert str(log) in failed["broken"]["error"]
    text = log.read_text()
    # The whole traceback: the tool's own line, not only the exception's last words.
    assert "Traceback" in text and 'return {"price": {"cents": 100}["euros"]}' in text and "KeyError" in text
    assert [s.error_kind for s in runs.steps_of(workspace.engine, outcome.run_id)] == ["bug", "owner", "model"]


def test_the_cli_names_the_kind_and_what_to_do(workspace, monkeypatch):
    outcome = run(workspace, "refused")
    from agent.commands import runs as run_commands
    monkeypatch.setattr(run_commands, "start_run", lambda *a, **k: outcome)
    monkeypatch.setattr(run_commands, "operator", _no_operator)
    result = CliRunner().invoke(app, ["daily", "--workdir", str(workspace.workdir)])
    assert result.exit_code == EXIT_FAILED
    assert "failed step 0 refused (needs you): the platform refuses MUG-1" in result.output
    assert "what to do: act as the error says" in result.output
    shown = CliRunner().invoke(app, ["daily", "--workdir", str(workspace.workdir), "--json"])
    assert json.loads(shown.output)["summary"]["failed"][0]["kind"] == "owner"


class _no_operator:
    def __init__(self, workspace):
        self.llm = self.driver = None
        self.drivers: dict = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_the_owner_is_told_once_of_what_needs_them(workdir):
    sent = []
    workspace = open_workspace(load_settings(workdir, notify_webhook_url="http://127.0.0.1:9/hook"))
    import agent.runner as runner
    original = runner.notify
    runner.notify = lambda settings, event, details: sent.append((event, details)) or []
    try:
        outcome = run(workspace, "wrong", "refused")
    finally:
        runner.notify = original
    failures = [details for event, details in sent if event == "steps_failed"]
    # The model's wrong call is not the owner's business; the refusal is, once.
    assert len(failures) == 1 and failures[0]["count"] == 1
    assert failures[0]["first"].startswith("refused: the platform refuses MUG-1")
    assert outcome.summary["failures_notified"] is True


def test_a_scripted_model_that_runs_out_ends_the_test(workspace):
    with pytest.raises(ScriptExhausted):
        run(workspace, "asks_the_model")


def test_run_and_step_statuses_move_only_along_their_tables(workspace):
    outcome = run(workspace, "refused")
    assert runs.get_run(workspace.engine, outcome.run_id).status == RunStatus.COMPLETED
    with pytest.raises(IllegalTransition):
        runs.update_run(workspace.engine, outcome.run_id, status=RunStatus.RUNNING)
    step = runs.steps_of(workspace.engine, outcome.run_id)[0]
    with pytest.raises(IllegalTransition):
        runs.save_step(workspace.engine, step, status="done")  # a failed step stays failed


def test_an_older_shop_database_gains_the_new_columns(tmp_path):
    path = tmp_path / "shop.db"
    make_engine(sqlite_url(path)).dispose()
    with sqlite3.connect(path) as db:  # as a database made before the step's error kind existed
        db.execute("INSERT INTO run (id, workflow, goal, status, started_at, summary, model_calls, tokens, cost_usd)"
                   " VALUES ('r1', 'daily', '', 'completed', '2026-11-01 00:00:00', '{}', 0, 0, 0)")
        db.execute("INSERT INTO step (run_id, position, tool, arguments, error, status, made_by)"
                   " VALUES ('r1', 0, 'sync_orders', '{}', 'boom', 'failed', '')")
        db.execute("ALTER TABLE step DROP COLUMN error_kind")
    engine = make_engine(sqlite_url(path))
    [step] = runs.steps_of(engine, "r1")
    assert step.error == "boom" and step.error_kind == ""
    assert runs.tally(engine, "r1")["failed"][0]["kind"] == ErrorKind.OWNER


def test_each_stage_says_what_it_came_to():
    assert runs.came_to_of("refund_order", [{"moved_cents": 1250}, {"moved_cents": 999},
                                            {"already_done": True, "moved_cents": 0}]) == "2 refunded; 22.49 moved"
    assert runs.came_to_of("sync_orders", [{"new": 3, "updated": 1, "flagged": [{"order": "7"}]}]) == \
        "3 new, 1 updated, 1 flagged"
    assert runs.came_to_of("list_orders", [{}]) == ""
