"""What the owner reads at the CLI: orders in the shop's currency, imported orders found by
number, whole ids on a narrow terminal, an approval as an ordered view."""

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.commands import common
from agent.runs import hold_step, new_run, step_row
from agent.workspace import load_settings, open_workspace
from store_data.db import session_scope
from store_data.orders import BuyerMessage

HISTORY = "order_id,placed_at,sku,quantity,unit_price,buyer,buyer_name\n" \
          "H-7001,2026-10-02 10:00,MUG-01,2,45.90,rita@example.com,Rita Alves\n"


@pytest.fixture
def narrow(monkeypatch):
    """The commands' console as on a 60-column terminal."""
    monkeypatch.setattr(common.console, "_width", 60)


@pytest.fixture
def brl_shop(workdir):
    made = CliRunner().invoke(app, ["init", "--currency", "brl", "-w", str(workdir)])
    assert made.exit_code == 0, made.output
    (workdir / "history.csv").write_text(HISTORY)
    imported = CliRunner().invoke(app, ["orders", "import-history", str(workdir / "history.csv"), "-w", str(workdir)])
    assert imported.exit_code == 0, imported.output


def test_orders_list_and_show_speak_the_shops_currency(brl_shop, workdir):
    listed = CliRunner().invoke(app, ["orders", "list", "-w", str(workdir)])
    assert listed.exit_code == 0, listed.output
    assert "H-7001" in listed.output and "BRL 91.80" in listed.output and "USD" not in listed.output
    shown = CliRunner().invoke(app, ["orders", "show", "H-7001", "-w", str(workdir)])
    assert shown.exit_code == 0, shown.output
    assert "total BRL 91.80" in shown.output and "BRL 45.90" in shown.output and "USD" not in shown.output


def test_orders_show_an_unknown_number_still_names_the_fix(brl_shop, workdir):
    shown = CliRunner().invoke(app, ["orders", "show", "H-9999", "-w", str(workdir)])
    assert "no order 'H-9999'" in str(shown.exception)


def test_runs_and_approvals_list_keep_whole_ids_on_a_narrow_terminal(workdir, narrow):
    workspace = open_workspace(load_settings(workdir))
    run = new_run(workspace.engine, "daily", "daily operations")
    step = step_row(workspace.engine, run.id, 0, "refund_order", {"order_id": "S1000042", "amount_cents": 2500},
                    "model")
    hold_step(workspace.engine, step, "money moves: refund over the threshold", {}, 48)
    runs_listed = CliRunner().invoke(app, ["runs", "list", "-w", str(workdir)])
    approvals_listed = CliRunner().invoke(app, ["approvals", "list", "-w", str(workdir)])
    assert run.id in runs_listed.output, runs_listed.output
    assert run.id in approvals_listed.output, approvals_listed.output


def test_approvals_show_is_an_ordered_readable_view(workdir):
    workspace = open_workspace(load_settings(workdir))
    run = new_run(workspace.engine, "daily", "daily operations")
    step = step_row(workspace.engine, run.id, 0, "refund_order", {"order_id": "S1000042", "amount_cents": 2500},
                    "model")
    approval = hold_step(workspace.engine, step, "refund over the threshold",
                                {"amount_cents": 2500, "order_total_cents": 4590}, 48)
    shown = CliRunner().invoke(app, ["approvals", "show", str(approval.id), "-w", str(workdir)])
    assert shown.exit_code == 0, shown.output
    lines = [line for line in shown.output.splitlines() if line.strip()]
    labels = [line.split(":")[0].strip() for line in lines]
    assert labels == ["Approval", "What", "Why it waits", "Facts", "amount cents", "order total cents", "Status",
                      "Asked", "Expires"]
    assert "refund_order(order_id=S1000042, amount_cents=2500)" in shown.output
    assert "Status: pending" in shown.output and "run_id" not in shown.output


def test_a_held_reply_shows_its_buyer_conversation(workdir):
    workspace = open_workspace(load_settings(workdir))
    with session_scope(workspace.engine) as session:
        session.add(BuyerMessage(thread_id="T-7", direction="in", text="Can you gift wrap it?"))
    run = new_run(workspace.engine, "desk", "service desk")
    step = step_row(workspace.engine, run.id, 0, "reply_message",
                    {"thread_id": "T-7", "text": "We will check.", "owner_note": "a draft by the embedded model"}, "")
    approval = hold_step(workspace.engine, step, "the platform needs a person", {"reply_text": "We will check."}, 48)
    shown = CliRunner().invoke(app, ["approvals", "show", str(approval.id), "-w", str(workdir)])
    assert shown.exit_code == 0, shown.output
    conversation = shown.output.split("Conversation:", 1)[1]
    assert "buyer" in conversation and "Can you gift wrap it?" in conversation
