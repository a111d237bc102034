"""Plan -> execute -> pause for approval -> decide -> resume, with a scripted model and
tools whose side effects land in a ledger file (standing in for the platform's state)."""

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlmodel import Session, select

from agent import runs
from agent.approvals import decide, list_approvals
from agent.runner import resume_run, start_run
from agent.runs import steps_of
from agent.workspace import load_settings, open_workspace
from store_data.audit import Run
from tools.errors import ToolRetry
from tools.llm import LLM
from tools.registry import Risk, ToolSpec
from tools.scripted_model import ScriptedChatModel

REPO = Path(__file__).resolve().parents[2]


def ledger(deps) -> list:
    path = deps.workdir / "ledger.json"
    return json.loads(path.read_text()) if path.exists() else []


def note(deps, key: str) -> dict:
    """Record `key` once in the ledger (a repeated call finds it and does nothing)."""
    entries = ledger(deps)
    if key in [e["key"] for e in entries]:
        return {"already": True}
    entries.append({"key": key})
    (deps.workdir / "ledger.json").write_text(json.dumps(entries))
    return {"recorded": key}


def pay(deps, order: str, amount_cents: int) -> dict:
    """Pay money back on an order."""
    if amount_cents <= 0:
        raise ToolRetry("amount_cents must be positive")
    return note(deps, f"pay:{order}:{amount_cents}")


def pay_facts(deps, order: str, amount_cents: int) -> dict:
    return {"amount_cents": amount_cents}


TOOLS = {
    "note": ToolSpec(note, Risk(writes=True)),
    "pay": ToolSpec(pay, Risk(writes=True, moves_money=True), preview=pay_facts),
}


def plan(*steps, answer=""):
    return {"answer": answer, "steps": [{"tool": t, "arguments": a, "why": "test"} for t, a in steps]}


@pytest.fixture
def workspace(workdir):
    return open_workspace(load_settings(workdir))


def llm(*replies):
    return LLM(chat=ScriptedChatModel(list(replies)))


def keys(workspace):
    path = workspace.workdir / "ledger.json"
    return [e["key"] for e in json.loads(path.read_text())] if path.exists() else []


def test_pause_approve_resume(workspace):
    model = llm(plan(("note", {"key": "a"}), ("pay", {"order": "A-1", "amount_cents": 500}), ("note", {"key": "b"})))
    outcome = start_run(workspace, "ask", "refund A-1", llm=model, tools=TOOLS)
    assert outcome.status == "paused" and len(outcome.waiting) == 1
    assert keys(workspace) == ["a", "b"]  # the run went on past the gated step
    [approval] = list_approvals(workspace)
    assert (approval.tool, approval.arguments, approval.preview["facts"]) == (
        "pay", {"order": "A-1", "amount_cents": 500}, {"amount_cents": 500})
    assert "risky" in approval.reason

    decide(workspace, approval.id, "approve")
    done = resume_run(workspace, outcome.run_id, llm=model, tools=TOOLS)
    assert done.status == "completed"
    assert keys(workspace) == ["a", "b", "pay:A-1:500"]
    assert [s.status for s in steps_of(workspace.engine, outcome.run_id)] == ["done", "done", "done"]
    assert done.summary["plan_made_by"] == "model" and done.model_calls == 1

    again = resume_run(workspace, outcome.run_id, llm=model, tools=TOOLS)
    assert again.status == "completed" and keys(workspace) == ["a", "b", "pay:A-1:500"]


def test_reject_and_edit(workspace):
    model = llm(plan(("pay", {"order": "A-1", "amount_cents": 500}), ("pay", {"order": "A-2", "amount_cents": 900})))
    outcome = start_run(workspace, "ask", "refunds", llm=model, tools=TOOLS)
    first, second = list_approvals(workspace)
    decide(workspace, first.id, "reject", note="not eligible")
    middle = resume_run(workspace, outcome.run_id, llm=model, tools=TOOLS)
    assert middle.status == "paused" and middle.waiting == [second.id]  # still waits for the other
    decide(workspace, second.id, "edit", edited_arguments='{"amount_cents": 300}')
    done = resume_run(workspace, outcome.run_id, llm=model, tools=TOOLS)
    assert done.status == "completed"
    assert keys(workspace) == ["pay:A-2:300"]
    statuses = {s.position: (s.status, s.error) for s in steps_of(workspace.engine, outcome.run_id)}
    assert statuses[0] == ("skipped", "rejected by owner") and statuses[1][0] == "done"


def test_auto_mode_runs_small_refunds_without_asking(workdir):
    workspace = open_workspace(load_settings(workdir, approval_mode="auto"))
    model = llm(plan(("pay", {"order": "A-1", "amount_cents": 500}), ("pay", {"order": "A-2", "amount_cents": 9000})))
    outcome = start_run(workspace, "ask", "refunds", llm=model, tools=TOOLS)
    assert keys(workspace) == ["pay:A-1:500"]  # the one above the hard limit waits
    assert outcome.status == "paused" and "limit" in list_approvals(workspace)[0].reason


def test_invalid_plan_is_repaired_then_bad_arguments_fed_back(workspace):
    model = llm(
        plan(("refund_everything", {})),                        # unknown tool -> repair
        plan(("pay", {"order": "A-1", "amount_cents": -5})),    # valid schema; the tool refuses at run time
    )
    outcome = start_run(workspace, "ask", "refund A-1", llm=model, tools=TOOLS)
    assert outcome.summary["plan_made_by"] == "repaired"
    # The money step is gated before it runs; once approved, the tool refuses the amount.
    decide(workspace, list_approvals(workspace)[0].id, "approve")
    done = resume_run(workspace, outcome.run_id, llm=model, tools=TOOLS)
    assert done.summary["failed"][0]["error"] == "amount_cents must be positive" and keys(workspace) == []


def test_unusable_plan_falls_back_to_doing_nothing(workspace):
    outcome = start_run(workspace, "ask", "do it", llm=llm("no idea", "still no idea"), tools=TOOLS)
    assert outcome.status == "completed" and outcome.summary["plan_made_by"] == "fallback"
    assert "could not turn this request into a valid plan" in outcome.summary["answer"]
    assert keys(workspace) == []


def test_wrong_arguments_are_repaired_by_the_model(workspace):
    model = llm(plan(("note", {"key": "a"}), ("note", {"name": "b"})),  # second step misses `key`... rejected
                plan(("note", {"key": "a"}), ("note", {"key": "b"})))
    outcome = start_run(workspace, "ask", "notes", llm=model, tools=TOOLS)
    assert outcome.summary["plan_made_by"] == "repaired" and keys(workspace) == ["a", "b"]


def test_budget_stops_the_run_cleanly(workdir):
    workspace = open_workspace(load_settings(workdir, budget_steps={"ask": 2}))
    model = llm(plan(*[("note", {"key": str(i)}) for i in range(5)]))
    outcome = start_run(workspace, "ask", "many", llm=model, tools=TOOLS)
    assert outcome.status == "stopped" and keys(workspace) == ["0", "1"]
    assert outcome.summary["stopped"] == "budget reached (2 steps); 3 planned steps not run"


def test_interrupted_between_steps_resumes_without_repeating(workspace):
    model = llm(plan(*[("note", {"key": k}) for k in "abcd"]))

    def crash_at_third(position, steps):
        if position == 2 and not (workspace.workdir / "crashed").exists():
            (workspace.workdir / "crashed").touch()
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        start_run(workspace, "ask", "notes", llm=model, tools=TOOLS, progress=crash_at_third)
    done = resume_run(workspace, _only_run(workspace), llm=model, tools=TOOLS, progress=crash_at_third)
    assert done.status == "completed" and keys(workspace) == ["a", "b", "c", "d"]


def _only_run(workspace):
    with Session(workspace.engine) as session:
        return session.exec(select(Run.id)).one()


KILLED_RUN = textwrap.dedent('''
    import json, os, signal, sys
    sys.path.insert(0, {tests!r})
    from test_executor import TOOLS, note, llm, plan
    from tools.registry import Risk, ToolSpec
    from agent.runner import start_run
    from agent.workspace import load_settings, open_workspace

    def note_then_die(deps, key: str) -> dict:
        """Record, then the process is killed before the step is marked done."""
        result = note(deps, key)
        if key == "c":
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    tools = dict(TOOLS, note=ToolSpec(note_then_die, Risk(writes=True)))
    workspace = open_workspace(load_settings({workdir!r}))
    start_run(workspace, "ask", "notes", llm=llm(plan(*[("note", {{"key": k}}) for k in "abcd"])), tools=tools)
''')


def test_killed_process_resumes_without_duplicate_side_effects(workspace):
    script = KILLED_RUN.format(tests=str(Path(__file__).parent), workdir=str(workspace.workdir))
    process = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert process.returncode == -9, process.stderr  # SIGKILL, mid-step
    assert keys(workspace) == ["a", "b", "c"]
    run_id = _only_run(workspace)
    assert [s.status for s in steps_of(workspace.engine, run_id)] == ["done", "done", "running"]
    done = resume_run(workspace, run_id, llm=llm(), tools=TOOLS)
    assert done.status == "completed"
    assert keys(workspace) == ["a", "b", "c", "d"]  # "c" was re-run, found done, and not recorded twice
    assert [s.status for s in steps_of(workspace.engine, run_id)] == ["done"] * 4


def fan_out(deps, count: int) -> dict:
    """Ask for `count` notes, run as follow-up steps (as a sync asks for one ship_order per order)."""
    return {"follow_up": [{"tool": "note", "arguments": {"key": str(i)}} for i in range(count)]}


def test_a_long_run_keeps_one_checkpoint_and_reads_its_trail_once(workdir, monkeypatch):
    workspace = open_workspace(load_settings(workdir, budget_steps={"ask": 1000}))
    trail_reads = []
    whole_trail = runs.steps_of
    monkeypatch.setattr(runs, "steps_of", lambda *a: trail_reads.append(a) or whole_trail(*a))
    tools = dict(TOOLS, fan_out=ToolSpec(fan_out, Risk()))
    outcome = start_run(workspace, "ask", "many", llm=llm(plan(("fan_out", {"count": 300}))), tools=tools)
    assert outcome.status == "completed" and outcome.summary["steps"] == {"done": 301}
    with sqlite3.connect(workspace.runs / "checkpoints.sqlite") as connection:
        rows, stored = connection.execute("SELECT count(*), sum(length(checkpoint)) FROM checkpoints").fetchone()
        writes = connection.execute("SELECT count(*) FROM writes").fetchone()[0]
    # Every checkpoint kept would hold the plan so far: about 4.5 MB over 300 steps.
    assert rows == 1 and writes == 0 and stored < 50_000
    assert (workspace.runs / "checkpoints.sqlite").stat().st_size < 1_000_000
    # Each step reads its own row; the whole trail is read for the summary, not per step.
    assert len(trail_reads) <= 3


def test_an_explicit_command_is_not_mended_by_the_model(workspace):
    """`orders ...` runs the owner's own call: a refused call fails at once, the model unasked."""
    from agent.workflows.orders import goal_for

    model = llm()  # no replies: asking it would fail the run
    done = start_run(workspace, "orders", goal_for([{"tool": "pay", "arguments": {"order": "7", "amount_cents": "lots"},
                                                     "why": "orders refund"}]), llm=model, tools=TOOLS)
    assert model.calls == 0 and ledger_of(workspace) == []
    [failed] = done.summary["failed"]
    assert failed["tool"] == "pay" and "amount_cents" in failed["error"]


def ledger_of(workspace) -> list:
    path = workspace.workdir / "ledger.json"
    return json.loads(path.read_text()) if path.exists() else []


def test_a_call_already_waiting_is_not_queued_again(workspace):
    """Passes repeated while the owner has not decided queue one approval per tool and target;
    the repeats end as skipped steps that name the approval already waiting."""
    tools = dict(TOOLS, pay=ToolSpec(pay, Risk(writes=True, moves_money=True), preview=pay_facts, target=("order",)))
    first = start_run(workspace, "ask", "refunds", tools=tools,
                      llm=llm(plan(("pay", {"order": "A-1", "amount_cents": 500}),
                                   ("pay", {"order": "A-2", "amount_cents": 900}))))
    waiting = {a.arguments["order"]: a for a in list_approvals(workspace)}
    for _ in range(2):
        again = start_run(workspace, "ask", "refunds", tools=tools,
                          llm=llm(plan(("pay", {"order": "A-1", "amount_cents": 700}),  # same order, new amount
                                       ("pay", {"order": "A-3", "amount_cents": 100}))))
        skipped = steps_of(workspace.engine, again.run_id)[0]
        assert skipped.status == "skipped"
        assert skipped.error == f"already waiting for the owner as approval {waiting['A-1'].id} (run {first.run_id})"
        waiting.update({a.arguments["order"]: a for a in list_approvals(workspace)})
    pending = [a.arguments["order"] for a in list_approvals(workspace)]
    assert sorted(pending) == ["A-1", "A-2", "A-3"]

    decide(workspace, waiting["A-1"].id, "reject", note="no")
    last = start_run(workspace, "ask", "refunds", tools=tools,
                     llm=llm(plan(("pay", {"order": "A-1", "amount_cents": 700}))))
    # Decided, it no longer holds the next call back (only a proposal waits out a rejection).
    assert last.status == "paused" and steps_of(workspace.engine, last.run_id)[0].status == "waiting"


def test_the_target_of_a_call_is_what_it_acts_on():
    from tools.registry import BY_NAME

    assert BY_NAME["reply_message"].target_of({"thread_id": "T-9", "text": "Hello", "owner_note": ""}) == {
        "thread_id": "T-9"}
    assert BY_NAME["resolve_stockout"].target_of({"order_id": "1042", "action": "refund"}) == {"order_id": "1042"}
    assert BY_NAME["start_price_test"].target_of({"sku": "MUG-1", "price_cents": 900, "days": 14}) == {"sku": "MUG-1"}
    # A tool with no declared target: only the identical call is the same.
    assert BY_NAME["build_live_room"].target_of({}) == {}
