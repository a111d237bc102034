"""Bad input at the CLI, run in-process through the console script's own entry point (the
`shopagent` fixture: (status, stdout, stderr)): one `Error: ...` line and status 1, or for a
catalog, the bad rows reported and the good ones imported. Never a traceback."""

import json

import pytest
from sqlmodel import Session

from agent.workspace import load_settings, open_workspace
from store_data.audit import Approval
from store_data.orders import Order

HEADER = "sku,product,name,cost,stock"


def one_error_line(result: tuple[int, str, str], message: str) -> None:
    status, _, err = result
    assert status == 1
    assert err.strip().splitlines() == [err.strip()] and err.startswith(f"Error: {message}"), err


def test_unknown_encoding(shopagent, workdir):
    (workdir / "c.csv").write_text(f"{HEADER}\nA-1,a,Lamp,9.00,3\n")
    one_error_line(shopagent("catalog", "import", str(workdir / "c.csv"), "--encoding", "nope", "-w", str(workdir)),
                   "unknown text encoding 'nope'; pass --encoding with a name such as utf-8")


def test_deeply_nested_json(shopagent, workdir):
    (workdir / "c.json").write_text("[" * 100_000 + "]" * 100_000)
    one_error_line(shopagent("catalog", "import", str(workdir / "c.json"), "-w", str(workdir)),
                   "c.json nests lists or objects too deeply to be a catalog")


def test_huge_numbers_and_long_fields_are_their_rows_errors(shopagent, workdir):
    rows = ["A-1,a,Lamp,9.00,3", "B-1,b,Vase,9.00,99999999999999999999999", "C-1,c,Cup,1e999999,3",
            "D-1,d," + "x" * 140_000 + ",9.00,3", "E-1,e,=cmd|' /C calc'!A0,2.00,1"]
    (workdir / "c.csv").write_text("\n".join([HEADER, *rows]) + "\n")
    status, out, err = shopagent("catalog", "import", str(workdir / "c.csv"), "-w", str(workdir), "--json")
    assert status == 1 and err == ""
    report = json.loads(out)
    assert report["created"] == ["A-1", "E-1"]
    assert sorted((e["row"], e["column"]) for e in report["errors"]) == [(3, "stock"), (4, "cost"), (5, "*")]
    status, out, _ = shopagent("catalog", "list", "-w", str(workdir), "--json")
    assert [(r["sku"], r["name"]) for r in json.loads(out)] == [("A-1", "Lamp"), ("E-1", "cmd|' /C calc'!A0")]


def test_malformed_settings_file(shopagent, workdir):
    (workdir / "shopagent.toml").write_text('currency = "USD\n')
    one_error_line(shopagent("config", "show", "-w", str(workdir)),
                   f"{workdir / 'shopagent.toml'} is not valid TOML (")


@pytest.mark.parametrize(("setting", "message"), [
    ('timezone = "Mars/Base"', "bad settings (timezone: unknown time zone 'Mars/Base'"),
    ('daily_at = "25:00"', "bad settings (daily_at: '25:00' is not a time of day"),
])
def test_serve_refuses_bad_schedule_settings_before_starting(shopagent, workdir, monkeypatch, setting, message):
    def started(*args, **kwargs):
        raise AssertionError("serve started with bad settings")
    monkeypatch.setattr("agent.scheduler.serve", started)
    (workdir / "shopagent.toml").write_text(setting + "\n")
    one_error_line(shopagent("serve", "--no-console", "-w", str(workdir)), message)


def test_approvals_edit_refuses_an_amount_the_refund_cannot_move(shopagent, workdir):
    workspace = open_workspace(load_settings(workdir))
    with Session(workspace.engine) as session:
        session.add(Order(remote_id="SO-1", status="shipped", total_cents=2500, paid_cents=2500))  # refunds are for shipped orders
        approval = Approval(tool="refund_order", arguments={"order_id": "SO-1", "amount_cents": 2500, "reason": ""})
        session.add(approval)
        session.commit()
        approval_id = str(approval.id)
    for amount in (-500, 0, 2501, 10**12):
        one_error_line(shopagent("approvals", "edit", approval_id, json.dumps({"amount_cents": amount}), "-w", str(workdir)),
                       "the edited arguments do not fit refund_order: a refund on order SO-1 must be between 1 and 2500 cents")
    status, out, err = shopagent("approvals", "edit", approval_id, '{"amount_cents": 1000}', "--no-resume", "-w", str(workdir))
    assert status == 0, err
    with Session(workspace.engine) as session:
        edited = session.get(Approval, int(approval_id))
        assert (edited.status, edited.edited_arguments["amount_cents"]) == ("edited", 1000)
