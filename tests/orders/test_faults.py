"""Each fault switch of the sandbox, against the real browser driver."""

import threading
import time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from agent.approvals import decide, list_approvals
from agent.runner import resume_run, start_run
from agent.workflows.orders import goal_for
from store_data.orders import Order, Shipment
from tools.errors import ToolFailed
from tools.order_sync import sync_orders
from tools.order_stages import handle_requests
from tools.orders import handle_return, refund_order, ship_order


def order_of(workspace, number) -> Order:
    with Session(workspace.engine) as session:
        return session.exec(select(Order).where(Order.remote_id == number)).one()


def shipments(workspace, number) -> list[Shipment]:
    with Session(workspace.engine) as session:
        order = session.exec(select(Order).where(Order.remote_id == number)).one()
        return list(session.exec(select(Shipment).where(Shipment.order_id == order.id)).all())


def test_latency_is_only_slower(workspace, driver, market, items):
    number, _ = market.buy(items.MUG)
    market.faults(latency_ms=150)
    deps = workspace.tool_deps(driver=driver)
    sync_orders(deps)
    assert ship_order(deps, number)["order"] == number and len(shipments(workspace, number)) == 1


def test_server_errors_are_retried_with_backoff(workspace, driver, market, items):
    number, _ = market.buy(items.MUG)
    deps = workspace.tool_deps(driver=driver)
    sync_orders(deps)
    market.faults(error_rate=1.0)
    threading.Timer(0.6, lambda: market.faults(error_rate=0)).start()  # the platform recovers
    driver.backoff_s, driver.retries = 0.2, 6
    assert ship_order(deps, number)["order"] == number
    assert driver.get_order(number).status == "shipped" and len(driver.get_order(number).shipments) == 1


def test_a_server_error_on_the_login_form_is_retried_not_called_wrong_credentials(driver, market):
    market.faults(fail_posts=2)  # the login form answers 500 twice, then works
    driver.login()
    assert driver.logins == 1 and market.faults()["fail_posts"] == 0


def test_a_wrong_password_is_the_owners_to_fix_and_not_retried(driver, market):
    driver.password = "not-the-seller-password"
    with pytest.raises(ToolFailed, match="refused the seller login .*check marketplace_user and marketplace_password"):
        driver.login()
    driver.password = "sandbox-seller"
    driver.login()  # a right password still works: one refusal locks nothing


def test_unrecoverable_failure_leaves_evidence_and_a_flag(workspace, driver, market, items):
    number, _ = market.buy(items.MUG)
    deps = workspace.tool_deps(driver=driver)
    sync_orders(deps)
    market.faults(error_rate=1.0)
    driver.retries = 1
    with pytest.raises(ToolFailed, match="after 2 tries") as failure:
        ship_order(deps, number)
    market.faults(error_rate=0)
    shot = Path(str(failure.value).split("screenshot ")[1].split(" and page ")[0])
    assert shot.exists() and shot.parent == workspace.runs and shot.with_suffix(".html").exists()
    with Session(workspace.engine) as session:
        order = session.exec(select(Order).where(Order.remote_id == number)).one()
    assert order.status == "paid" and order.flag.startswith("platform action failed")
    assert driver.get_order(number).status == "pending"  # untouched on the platform too


def test_expired_session_logs_in_again(workspace, driver, market, items):
    number, _ = market.buy(items.MUG)
    deps = workspace.tool_deps(driver=driver)
    sync_orders(deps)
    assert driver.logins == 1 and driver.state_path.exists()
    market.faults(session_minutes=0.03)  # sessions last 1.8 s
    time.sleep(2.0)
    ship_order(deps, number)
    assert driver.logins >= 2 and driver.get_order(number).status == "shipped"


def test_human_check_waits_for_the_owner_with_a_screenshot(workspace, driver, market, items):
    number, _ = market.buy(items.MUG)
    sync_orders(workspace.tool_deps(driver=driver))
    market.faults(human_check=True)
    goal = goal_for([{"tool": "ship_order", "arguments": {"order_id": number}, "why": "test"}])
    outcome = start_run(workspace, "orders", goal, driver=driver)
    assert outcome.status == "paused"
    [approval] = list_approvals(workspace)
    assert "human check" in approval.reason and Path(approval.preview["facts"]["screenshot"]).exists()
    assert shipments(workspace, number) == []
    market.faults(human_check=False)  # the owner passed the check in the back-office
    decide(workspace, approval.id, "approve")
    assert resume_run(workspace, outcome.run_id, driver=driver).status == "completed"
    assert len(shipments(workspace, number)) == 1


def test_a_human_check_that_returns_after_the_owner_cleared_it_gets_a_new_approval(workspace, driver, market,
                                                                                   items):
    number, _ = market.buy(items.MUG)
    sync_orders(workspace.tool_deps(driver=driver))
    market.faults(human_check=True)
    goal = goal_for([{"tool": "ship_order", "arguments": {"order_id": number}, "why": "test"}])
    outcome = start_run(workspace, "orders", goal, driver=driver)
    [first] = list_approvals(workspace)
    decide(workspace, first.id, "approve")  # the owner says it is cleared; the platform asks again
    again = resume_run(workspace, outcome.run_id, driver=driver)
    assert again.status == "paused" and shipments(workspace, number) == []
    [second] = list_approvals(workspace)
    assert second.id != first.id and "human check" in second.reason
    market.faults(human_check=False)  # passed for real this time
    decide(workspace, second.id, "approve")
    assert resume_run(workspace, outcome.run_id, driver=driver).status == "completed"
    assert len(shipments(workspace, number)) == 1


def test_return_requests_are_found_and_handled_or_flagged_under_faults(workspace, driver, market, items):
    (first, first_buyer), (second, second_buyer) = market.buy(items.MUG), market.buy(items.MUG)
    deps = workspace.tool_deps(driver=driver)
    sync_orders(deps)
    for number, buyer in ((first, first_buyer), (second, second_buyer)):
        ship_order(deps, number)
        market.buyer_act(buyer, number, "received")
    market.buyer_act(first_buyer, first, "request", kind="return", reason="too small")
    sync_orders(deps)
    # The platform takes a decision whose answer the shop never got (lost to a fault), and
    # another buyer asks: the platform's count of open requests is the shop's again.
    driver.decide_request(first, driver.get_order(first).open_request.remote_id, accept=False)
    market.buyer_act(second_buyer, second, "request", kind="return", reason="chipped")
    read, get_order = [], driver.get_order
    driver.get_order = lambda number: read.append(number) or get_order(number)
    sync_orders(deps)
    del driver.get_order
    assert sorted(read) == sorted([first, second])  # only the two whose request moved, of all open orders
    assert order_of(workspace, first).status == "delivered"
    assert order_of(workspace, second).status == "return_requested"

    market.faults(error_rate=1.0)  # the request cannot be read now: flagged, not passed over
    driver.retries = 0
    stage = handle_requests(deps)
    assert second in [f["order"] for f in stage["flagged"]]
    assert order_of(workspace, second).flag.startswith("platform action failed")
    market.faults(error_rate=0)
    stage = handle_requests(deps)
    assert {"tool": "handle_return", "arguments": {"order_id": second, "accept": True},
            "why": "return request: within the shop's policy"} in stage["follow_up"]
    handle_return(deps, second, accept=False)
    after = order_of(workspace, second)
    assert after.status == "delivered" and after.flag == ""


def test_alternate_layout_still_works(workspace, driver, market, items):
    number, _ = market.buy(items.TEE_M)
    market.faults(alt_layout=True)
    deps = workspace.tool_deps(driver=driver)
    assert sync_orders(deps)["new"] >= 1
    ship_order(deps, number)
    refund_order(deps, number, amount_cents=300, reason="scratch")
    remote = driver.get_order(number)
    assert remote.status == "shipped" and remote.refunded_cents == 300 and remote.lines[0].sku == "TEE-01-M"
