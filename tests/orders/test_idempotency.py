"""Side effects happen once: the same ship twice, a ship made outside, and a process killed
in the middle of a batch and resumed."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlmodel import Session, select

from agent.runner import resume_run, start_run
from agent.runs import steps_of
from agent.workflows.orders import goal_for
from store_data.audit import Run
from store_data.orders import Order, Shipment
from tools.order_sync import sync_orders
from tools.orders import ship_order

REPO = Path(__file__).resolve().parents[2]


def count_shipments(workspace, number) -> int:
    with Session(workspace.engine) as session:
        order = session.exec(select(Order).where(Order.remote_id == number)).one()
        return len(session.exec(select(Shipment).where(Shipment.order_id == order.id)).all())


def test_the_same_ship_run_twice_gives_one_shipment(workspace, driver, market, items):
    number, _ = market.buy(items.MUG)
    calls = [{"tool": "sync_orders", "arguments": {}, "why": "t"},
             {"tool": "ship_order", "arguments": {"order_id": number}, "why": "t"}]
    first = start_run(workspace, "orders", goal_for(calls), driver=driver)
    second = start_run(workspace, "orders", goal_for(calls), driver=driver)
    assert first.status == second.status == "completed"
    out = [s.output for s in steps_of(workspace.engine, second.run_id) if s.tool == "ship_order"][0]
    assert out["already_done"] is True
    assert count_shipments(workspace, number) == 1 and len(driver.get_order(number).shipments) == 1


def test_a_ship_made_outside_is_recorded_not_repeated(workspace, driver, market, items):
    number, _ = market.buy(items.MUG)
    deps = workspace.tool_deps(driver=driver)
    sync_orders(deps)
    driver.ship(number, "Other Carrier", "OUTSIDE-1")  # the seller shipped it by hand
    result = ship_order(deps, number)
    assert result["shipped_outside"] and result["tracking"] == "OUTSIDE-1"
    assert count_shipments(workspace, number) == 1 and len(driver.get_order(number).shipments) == 1


KILLED = textwrap.dedent('''
    import os, signal
    from agent.runner import start_run
    from agent.workflows.orders import goal_for
    from agent.workspace import load_settings, open_workspace
    from tools.drivers.sandbox_browser import SandboxBrowserDriver

    shipped = []
    real_ship = SandboxBrowserDriver.ship

    def ship_then_die(self, number, carrier, tracking):
        """The platform ships; the process dies before the shop records it."""
        remote = real_ship(self, number, carrier, tracking)
        shipped.append(number)
        if len(shipped) == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return remote

    SandboxBrowserDriver.ship = ship_then_die
    workspace = open_workspace(load_settings({workdir!r}, marketplace_url={url!r}))
    driver = SandboxBrowserDriver({url!r}, "seller@example.com", "sandbox-seller", workspace.runs)
    start_run(workspace, "orders", goal_for([{{"tool": "sync_orders", "arguments": {{}}, "why": "t"}},
                                            {{"tool": "fulfil_orders", "arguments": {{}}, "why": "t"}}]), driver=driver)
''')


def test_killed_mid_batch_and_resumed_ships_each_order_once(workspace, driver, market, items):
    numbers = [market.buy(items.MUG)[0] for _ in range(3)]
    script = KILLED.format(workdir=str(workspace.workdir), url=market.url)
    process = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=180)
    assert process.returncode == -9, process.stderr[-2000:]
    with Session(workspace.engine) as session:
        run_id = session.exec(select(Run.id)).one()
    assert "running" in [s.status for s in steps_of(workspace.engine, run_id)]  # cut off half-way
    done = resume_run(workspace, run_id, driver=driver)
    assert done.status == "completed", json.dumps(done.summary)
    for number in numbers:
        assert count_shipments(workspace, number) == 1, number
        assert len(driver.get_order(number).shipments) == 1
    with Session(workspace.engine) as session:
        assert {o.remote_id for o in session.exec(select(Order))} >= set(numbers)  # none lost
