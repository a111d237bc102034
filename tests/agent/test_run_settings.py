"""A run keeps the settings it started with: resumed from the runner, after an owner's
decision, or from the CLI with default settings, an `--approval all` run still waits."""

import json

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from agent.approvals import decide_and_resume, list_approvals
from agent.cli import app
from agent.llm import make_llm
from agent.run_settings import KEPT, for_run
from agent.runner import resume_run, start_run
from agent.runs import run_settings, steps_of
from agent.workspace import load_settings, open_workspace
from store_data.audit import Run
from store_data.shop import Product, Variant

# Both prices are 4.8% under the pricing rules' 10.99: 'risky' mode lets that through,
# 'all' makes it wait.
PRICE_BEFORE, PRICE_BY_RULES = 1049, 1099


def _shop(workdir):
    workspace = open_workspace(load_settings(workdir))
    with Session(workspace.engine) as session:
        for sku in ("MUG-1", "MUG-2"):
            product = Product(handle=sku.lower(), name=sku)
            session.add(product)
            session.flush()
            session.add(Variant(sku=sku, product_id=product.id, cost_cents=420, price_cents=PRICE_BEFORE))
        session.commit()
    script = workdir / "script.json"
    script.write_text(json.dumps([{"answer": "Repricing both mugs.", "steps": [
        {"tool": "price_product", "arguments": {"sku": "MUG-1"}},
        {"tool": "price_product", "arguments": {"sku": "MUG-2"}}]}]))
    return script


def _prices(workspace) -> dict[str, int | None]:
    with Session(workspace.engine) as session:
        return {v.sku: v.price_cents for v in session.exec(select(Variant))}


@pytest.fixture
def interrupted(workdir):
    """An `ask --approval all` run killed before its second step; returns its id."""
    script = _shop(workdir)
    started = open_workspace(load_settings(workdir, approval_mode="all", llm_provider="scripted", llm_script=script,
                                           budget_steps={"ask": 7}))

    def crash_at_second(position, *_):
        if position == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        start_run(started, "ask", "reprice the mugs", llm=make_llm(started.settings), progress=crash_at_second)
    with Session(started.engine) as session:
        return session.exec(select(Run.id)).one()


def test_resume_with_default_settings_keeps_the_runs_approval_mode(workdir, interrupted):
    now = open_workspace(load_settings(workdir))  # approval_mode: risky
    outcome = resume_run(now, interrupted, llm=make_llm(for_run(now, interrupted).settings))
    assert outcome.status == "paused" and len(outcome.waiting) == 2
    assert _prices(now) == {"MUG-1": PRICE_BEFORE, "MUG-2": PRICE_BEFORE}
    assert [s.status for s in steps_of(now.engine, interrupted)] == ["waiting", "waiting"]
    assert all("approval mode 'all'" in a.reason for a in list_approvals(now))


def test_resume_after_a_decision_keeps_the_runs_approval_mode(workdir, interrupted):
    now = open_workspace(load_settings(workdir))
    [first] = list_approvals(now)
    _, outcome = decide_and_resume(now, first.id, "approve")
    assert outcome.status == "paused" and len(outcome.waiting) == 1
    assert _prices(now) == {"MUG-1": PRICE_BY_RULES, "MUG-2": PRICE_BEFORE}  # only the approved one


def test_cli_resume_keeps_the_runs_settings_and_runs_show_names_them(workdir, interrupted):
    cli = CliRunner()
    resumed = cli.invoke(app, ["resume", interrupted, "--workdir", str(workdir)])
    assert resumed.exit_code == 3, resumed.output  # paused for the owner
    assert "2 action(s) wait for your approval" in resumed.output
    assert _prices(open_workspace(load_settings(workdir))) == {"MUG-1": PRICE_BEFORE, "MUG-2": PRICE_BEFORE}

    shown = cli.invoke(app, ["runs", "show", interrupted, "--workdir", str(workdir)])
    assert "approval_mode=all" in shown.output and "'ask': 7" in shown.output
    as_json = json.loads(cli.invoke(app, ["runs", "show", interrupted, "--workdir", str(workdir), "--json"]).output)
    assert as_json["settings"]["approval_mode"] == "all"


def test_kept_settings_leave_secrets_and_addresses_to_the_current_ones(workdir):
    first = open_workspace(load_settings(workdir, approval_mode="all", platform="oscar", approval_refund_above="5",
                                         llm_base_url="http://u:old-secret@llm.local/v1",
                                         marketplace_password="old-password", console_password="pw"))
    run = start_run(first, "ask", "nothing", llm=make_llm(load_settings(workdir, llm_provider="scripted",
                                                                       llm_script=_empty_plan(workdir))))
    kept = run_settings(first.engine, run.run_id)
    assert kept["approval_mode"] == "all" and kept["platform"] == "oscar" and kept["approval_refund_above"] == "5"
    assert not {"llm_base_url", "marketplace_password", "console_password", "llm_api_key"} & kept.keys()
    assert "old-secret" not in json.dumps(kept) and "old-password" not in json.dumps(kept)
    assert set(kept) == set(KEPT)

    now = open_workspace(load_settings(workdir, marketplace_password="new-password",
                                       llm_base_url="http://llm.moved/v1"))
    resumed = for_run(now, run.run_id).settings
    assert (resumed.approval_mode, resumed.platform, str(resumed.approval_refund_above)) == ("all", "oscar", "5")
    assert resumed.marketplace_password.get_secret_value() == "new-password"
    assert resumed.llm_base_url == "http://llm.moved/v1"


def _empty_plan(workdir):
    script = workdir / "empty.json"
    script.write_text(json.dumps([{"answer": "Nothing to do.", "steps": []}]))
    return script
