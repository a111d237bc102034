"""The owner's loop through the CLI's entry point: ask -> paused for approval -> approve -> resumed."""

import json

import pytest
from sqlmodel import Session, select

from agent.workspace import load_settings, open_workspace
from store_data.shop import Product, Variant


@pytest.fixture
def run(shopagent):
    def in_shop(workdir, *args, env_extra=None):
        return shopagent(*args, "--workdir", workdir, env=env_extra)
    return in_shop


def test_ask_pause_approve_resume(run, workdir):
    workspace = open_workspace(load_settings(workdir))
    with Session(workspace.engine) as session:
        product = Product(handle="mug", name="Mug")
        session.add(product)
        session.flush()
        session.add(Variant(sku="MUG-1", product_id=product.id, cost_cents=420, price_cents=899))
        session.commit()
    script = workdir / "script.json"
    script.write_text(json.dumps([{"answer": "Repricing the mug.",
                                   "steps": [{"tool": "price_product", "arguments": {"sku": "MUG-1"}}]}]))
    env = {"SHOPAGENT_LLM_PROVIDER": "scripted", "SHOPAGENT_LLM_SCRIPT": str(script)}

    asked = run(workdir, "ask", "reprice the mug by the rules", env_extra=env)
    assert asked.returncode == 3, asked.stderr  # paused for the owner, nothing failed
    assert "Repricing the mug." in asked.stdout and "1 action(s) wait for your approval" in asked.stdout
    assert ": paused (1 waiting;" in asked.stdout and "  price_product: 1 waiting" in asked.stdout

    [approval] = json.loads(run(workdir, "approvals", "list", "--json").stdout)
    assert approval["tool"] == "price_product" and "22.2%" in approval["reason"]  # 8.99 -> 10.99

    approved = run(workdir, "approvals", "approve", str(approval["id"]), env_extra=env)
    assert approved.returncode == 0, approved.stderr
    assert f"Approval {approval['id']} (price_product): approved." in approved.stdout
    assert ": completed (1 done;" in approved.stdout
    with Session(workspace.engine) as session:
        assert session.exec(select(Variant.price_cents)).one() == 1099

    again = run(workdir, "approvals", "approve", str(approval["id"]))
    assert again.returncode == 1 and "is already approved" in again.stderr

    shown = json.loads(run(workdir, "runs", "show", approval["run_id"], "--json").stdout)
    assert [s["status"] for s in shown["steps"]] == ["done"]
    assert shown["steps"][0]["output"]["prices"]["MUG-1"] == {"old_cents": 899, "new_cents": 1099, "cost_cents": 420}


def test_unknown_run_and_approval_are_one_line(run, workdir):
    for args, message in ((["resume", "nope"], "no run 'nope'"), (["approvals", "approve", "99"], "no approval 99")):
        result = run(workdir, *args)
        assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_a_run_that_failed_a_step_and_waits_says_both_and_exits_1(capsys):
    from agent.commands.runs import EXIT_FAILED, EXIT_WAITING, _show_outcome, exit_code
    from agent.runner import Outcome

    summary = {"steps": {"done": 3, "failed": 1, "waiting": 2},
               "stages": {"sync_orders": {"failed": 1}, "ship_order": {"done": 3}, "refund_order": {"waiting": 2}},
               "came_to": {"ship_order": "3 shipped"},
               "failed": [{"position": 0, "tool": "sync_orders", "error": "the back-office did not answer; try later"}]}
    both = Outcome(run_id="daily-1", status="paused", waiting=[7, 8], summary=summary)
    _show_outcome(both, as_json=False)
    out = capsys.readouterr().out
    assert "Run daily-1: paused (3 done, 1 failed, 2 waiting;" in out
    assert "  sync_orders: 1 failed" in out and "  ship_order: 3 done (3 shipped)" in out
    assert "failed step 0 sync_orders: the back-office did not answer; try later" in out
    assert "2 action(s) wait for your approval" in out
    assert exit_code(both) == EXIT_FAILED
    waiting = Outcome(run_id="daily-2", status="paused", waiting=[7], summary={"steps": {"waiting": 1}})
    assert exit_code(waiting) == EXIT_WAITING != EXIT_FAILED
    assert exit_code(Outcome(run_id="daily-3", status="completed", summary={"steps": {"done": 4}})) == 0
    _show_outcome(both, as_json=True)
    assert json.loads(capsys.readouterr().out)["exit_code"] == EXIT_FAILED
