"""Money and publishing stay inside the policy, tried as a buyer would try to get around it:
a refund-only request on a shipped order, a small request that cancels a large order, a
return on an order shipped long before the shop first saw it, a cancel over an open request,
and a cancel the platform cannot do. The ground truth is the marketplace's own database."""

import re
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from agent.approvals import decide, list_approvals
from agent.runner import resume_run
from agent.runs import steps_of
from agent.workspace import load_settings, open_workspace
from store_data.orders import Shipment
from tests.order_helpers import order, run
from tools.drivers.marketplace import RemoteOrder, RemoteRequest, RemoteShipment
from tools.errors import ToolFailed, ToolRetry
from tools.order_policy import return_verdict
from tools.order_sync import sync_orders
from tools.orders import cancel_order, preview_cancel, ship_order

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(page: str) -> str:
    """The CSRF token in a page's form."""
    found = CSRF.search(page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def platform_order(market, number) -> dict:
    """The marketplace's own row of order `number`, with its requests and shipments."""
    with sqlite3.connect(market.data / "marketplace.db") as db:
        db.row_factory = sqlite3.Row
        row = dict(db.execute('SELECT * FROM "order" WHERE number = ?', (number,)).fetchone())
        row["requests"] = [dict(r) for r in db.execute("SELECT * FROM returnrequest WHERE order_id = ?", (row["id"],))]
        row["shipments"] = [dict(r) for r in db.execute("SELECT * FROM shipment WHERE order_id = ?", (row["id"],))]
    return row


def approvals_for(workspace, tool: str, number: str) -> list:
    """The pending approvals of `tool` on order `number` (other tests' orders share the marketplace)."""
    return [a for a in list_approvals(workspace) if a.tool == tool and a.arguments.get("order_id") == number]


def auto_shop(workspace, market, refund_above: str):
    """The same shop in approval mode 'auto' with its own refund limit."""
    return open_workspace(load_settings(workspace.workdir, marketplace_url=market.url,
                                        marketplace_password="sandbox-seller", browser_retries=4,
                                        approval_mode="auto", approval_refund_above=refund_above))


def seller_ships(market, number: str, at: datetime) -> None:
    """The seller ships by hand in the back-office, at `at` on the marketplace's clock."""
    with market.buyer(at) as seller:
        token = csrf_token(seller.get("/seller/login").text)
        seller.post("/seller/login", data={"csrf_token": token, "email": "seller@example.com",
                                           "password": "sandbox-seller", "next": "/seller/orders"})
        token = csrf_token(seller.get(f"/seller/orders/{number}").text)
        r = seller.post(f"/seller/orders/{number}/ship",
                        data={"csrf_token": token, "carrier": "Old Post", "tracking": f"OLD-{number}"})
        assert r.status_code == 200 and r.url.path == f"/seller/orders/{number}", r.text[:300]


def test_a_refund_request_on_a_shipped_order_waits_for_the_owner(workspace, driver, market, items):
    shop = auto_shop(workspace, market, refund_above="1000")  # only hard limits: the policy must decide
    number, buyer = market.buy(items.MUG)
    deps = shop.tool_deps(driver=driver)
    sync_orders(deps)
    ship_order(deps, number)
    market.buyer_act(buyer, number, "request", kind="refund", reason="changed my mind, keep the parcel")

    outcome = run(shop, driver, ("sync_orders", {}), ("handle_requests", {}))
    assert outcome.status == "paused"
    [waiting] = approvals_for(shop, "handle_return", number)
    assert "already shipped" in waiting.preview["facts"]["needs_person"]
    assert platform_order(market, number)["refunded_cents"] == 0  # nothing moved without the owner


def test_the_gate_reads_the_money_that_accepting_moves_not_the_amount_asked(workspace, driver, market, items):
    shop = auto_shop(workspace, market, refund_above="10")
    number, buyer = market.buy(items.MUG, qty=2)  # 29.00, not shipped
    run(shop, driver, ("sync_orders", {}))
    # Accepting a cancellation request refunds it all, whatever amount the form was sent with.
    market.buyer_act(buyer, number, "request", kind="cancellation", reason="ordered by mistake", amount="1.00")

    outcome = run(shop, driver, ("sync_orders", {}), ("handle_requests", {}))
    assert outcome.status == "paused"
    [waiting] = approvals_for(shop, "handle_return", number)
    assert waiting.preview["facts"]["amount_cents"] == 2900 and "29.00" in waiting.reason
    assert platform_order(market, number)["refunded_cents"] == 0

    for other in list_approvals(shop):  # requests on other tests' orders are not this test's
        decide(shop, other.id, "approve" if other.id == waiting.id else "reject")
    assert resume_run(shop, outcome.run_id, driver=driver).status == "completed"
    after = platform_order(market, number)
    assert after["status"] == "cancelled" and after["refunded_cents"] == 2900
    assert order(shop, number).status == "cancelled" and order(shop, number).refunded_cents == 2900


def test_the_return_window_counts_from_the_platforms_shipment_date(workspace, driver, market, items):
    shop = auto_shop(workspace, market, refund_above="1000")
    long_ago = datetime.now(UTC) - timedelta(days=30)
    number, buyer = market.buy(items.MUG, at=long_ago - timedelta(days=2))
    seller_ships(market, number, at=long_ago)  # shipped a month ago, before the shop first synced
    del buyer.headers["X-Sim-Time"]  # the buyer asks today
    market.buyer_act(buyer, number, "received")
    market.buyer_act(buyer, number, "request", kind="return", reason="does not fit")

    outcome = run(shop, driver, ("sync_orders", {}), ("handle_requests", {}))
    with Session(shop.engine) as session:
        [sent] = session.exec(select(Shipment).where(Shipment.order_id == order(shop, number).id)).all()
    assert sent.shipped_at.replace(tzinfo=UTC) == long_ago.replace(second=0, microsecond=0)
    assert outcome.status == "paused"
    [waiting] = approvals_for(shop, "handle_return", number)
    assert "30 days after shipment" in waiting.preview["facts"]["needs_person"]
    assert platform_order(market, number)["refunded_cents"] == 0


def test_a_return_without_a_readable_shipment_date_is_the_owners_decision():
    now = datetime.now(UTC)
    remote = RemoteOrder(number="S1", status="delivered", shop_status="return_requested", placed_at=now,
                         buyer_name="Ann", buyer_email="", address={}, total_cents=1450, paid_cents=1450,
                         refunded_cents=0, shipments=[RemoteShipment(carrier="Post", tracking="T1")])
    request = RemoteRequest(remote_id="1", kind="return", amount_cents=1450, reason="", status="requested",
                            asked_at=now)
    verdict = return_verdict(remote, request, return_days=7)
    assert not verdict.accept and "no shipment date" in verdict.needs_owner


def test_cancelling_an_order_with_an_open_request_records_what_the_platform_did(workspace, driver, market, items):
    number, buyer = market.buy(items.MUG)
    deps = workspace.tool_deps(driver=driver)
    sync_orders(deps)
    market.buyer_act(buyer, number, "request", kind="cancellation", reason="ordered by mistake")
    sync_orders(deps)
    assert order(workspace, number).status == "refund_requested"

    result = cancel_order(deps, number, reason="no longer needed")
    on_platform = platform_order(market, number)
    assert on_platform["status"] == "cancelled" and on_platform["refunded_cents"] == 1450
    mine = order(workspace, number)
    assert result["refunded_cents"] == 1450 and mine.status == "cancelled" and mine.refunded_cents == 1450


def test_a_cancel_the_platform_cannot_do_is_refused_not_put_to_the_owner(workspace, driver, market, items):
    number, buyer = market.buy(items.MUG)
    deps = workspace.tool_deps(driver=driver)
    sync_orders(deps)
    ship_order(deps, number)
    market.buyer_act(buyer, number, "request", kind="refund", reason="late")  # shipped, with an open request
    sync_orders(deps)
    with pytest.raises(ToolRetry, match="cannot be cancelled"):
        preview_cancel(deps, number)
    market.buyer_act(buyer, number, "received")
    sync_orders(deps)
    assert order(workspace, number).status in ("delivered", "refund_requested")

    outcome = run(workspace, driver, ("cancel_order", {"order_id": number}))
    assert outcome.status == "completed" and not approvals_for(workspace, "cancel_order", number)
    [step] = steps_of(workspace.engine, outcome.run_id)
    assert step.status == "failed" and "cannot be cancelled" in step.error
    assert platform_order(market, number)["refunded_cents"] == 0


def test_a_ship_the_platform_refuses_leaves_the_shops_records_as_the_platform_shows(workspace, driver, market,
                                                                                    items):
    number, _ = market.buy(items.MUG)
    deps = workspace.tool_deps(driver=driver)
    sync_orders(deps)
    driver.cancel(number)  # the seller cancelled it by hand in the back-office
    with pytest.raises(ToolFailed, match="not shipped"):
        ship_order(deps, number)
    on_platform = platform_order(market, number)
    assert on_platform["status"] == "cancelled" and on_platform["shipments"] == []
    mine = order(workspace, number)
    assert mine.status == "cancelled" and mine.refunded_cents == on_platform["refunded_cents"] == 1450
