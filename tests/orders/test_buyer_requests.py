"""A buyer's own requests on the storefront, in a real browser, decided by the daily loop's
handle_requests stage by the retail policy: a change of an unshipped order's items is made
(once, on the platform and in the records), a cancellation for an accepted reason is made, one
for another reason waits for the owner, and an exchange the policy refuses is put to the owner
for rejection."""

import sqlite3

import pytest
from sqlmodel import Session, select

from agent.approvals import list_approvals
from agent.workspace import load_settings, open_workspace
from store_data.db import session_scope
from store_data.orders import OrderLine
from store_data.shop import Variant
from tests.order_helpers import order, run
from tools.order_sync import sync_orders
from tools.orders import ship_order

pytestmark = pytest.mark.browser


@pytest.fixture
def browser(driver):
    """The driver's Chromium (one Playwright per thread): the buyer gets a context of their own."""
    found = driver.page.context.browser
    assert found is not None
    return found


@pytest.fixture
def shop(workspace, market):
    """The shop in approval mode 'auto' (the policy decides), also selling the T-shirt in L (a
    dearer option of the same product)."""
    with session_scope(workspace.engine) as session:
        medium = session.exec(select(Variant).where(Variant.sku == "TEE-01-M")).one()
        session.add(Variant(sku="TEE-01-L", product_id=medium.product_id, cost_cents=500, price_cents=2199, stock=20))
    return open_workspace(load_settings(workspace.workdir, marketplace_url=market.url,
                                        marketplace_password="sandbox-seller", browser_retries=4,
                                        approval_mode="auto", approval_refund_above="1000"))


def _order_page(browser, market, number: str):
    """The buyer's order page, opened from the confirmation link in a fresh browser."""
    with sqlite3.connect(market.data / "marketplace.db") as db:
        key = db.execute('SELECT access_key FROM "order" WHERE number = ?', (number,)).fetchone()[0]
    page = browser.new_context().new_page()
    page.goto(f"{market.url}/orders/{number}?key={key}")
    return page


def test_a_change_asked_on_the_storefront_is_made_by_the_daily_stage(shop, driver, market, items, browser):
    number, _ = market.buy(items.TEE_M)
    page = _order_page(browser, market, number)
    page.get_by_label("Organic cotton T-shirt size: M becomes").select_option(label="size: L · $21.99")
    page.get_by_role("button", name="Ask to change items").click()
    assert "Change of items (TEE-01-M → TEE-01-L): requested" in page.locator("#requests").inner_text()

    outcome = run(shop, driver, ("sync_orders", {}), ("handle_requests", {}))
    assert outcome.status == "completed", [(a.tool, a.reason) for a in list_approvals(shop)]
    remote = driver.get_order(number)
    assert [line.sku for line in remote.lines] == ["TEE-01-L"] and remote.items_changed
    assert remote.open_request is None and remote.requests[0].status == "accepted"
    assert remote.paid_cents == 1999 + 200  # the dearer option's difference, charged once
    mine = order(shop, number)
    assert (mine.status, mine.items_modified, mine.paid_cents) == ("paid", True, 2199)
    with Session(shop.engine) as session:
        assert [line.sku for line in session.exec(select(OrderLine).where(OrderLine.order_id == mine.id))] == ["TEE-01-L"]
    page.reload()
    assert "accepted" in page.locator("#requests").inner_text() and page.locator("#swap-form").count() == 0
    # Nothing left to decide; the records agree with the platform.
    assert run(shop, driver, ("sync_orders", {}), ("handle_requests", {})).status == "completed"
    assert sync_orders(shop.tool_deps(driver=driver), full=True)["changed_outside"] == []


def test_a_cancellation_is_made_for_an_accepted_reason_and_held_for_another(shop, driver, market, items, browser):
    mistake, _ = market.buy(items.MUG)
    cheaper, _ = market.buy(items.MUG)
    for number, reason in ((mistake, "Ordered by mistake"), (cheaper, "Found a better price")):
        page = _order_page(browser, market, number)
        page.get_by_label("Why cancel?").select_option(label=reason)
        page.get_by_role("button", name="Ask to cancel the order").click()
        assert "Cancellation of $14.50: requested" in page.locator("#requests").inner_text()

    outcome = run(shop, driver, ("sync_orders", {}), ("handle_requests", {}), ("fulfil_orders", {}))
    assert outcome.status == "paused"
    assert driver.get_order(mistake).status == "cancelled"
    done = order(shop, mistake)
    assert (done.status, done.cancel_reason, done.refunded_cents) == ("cancelled", "ordered by mistake", 1450)
    [held] = [a for a in list_approvals(shop) if a.arguments.get("order_id") == cheaper]
    assert held.tool == "handle_return" and "found a better price" in held.preview["facts"]["needs_person"]
    remote = driver.get_order(cheaper)
    assert remote.status == "pending" and remote.refunded_cents == 0 and not remote.shipments  # nor shipped


def test_an_exchange_the_policy_refuses_is_put_to_the_owner_to_reject(shop, driver, market, items, browser):
    number, buyer = market.buy(items.TEE_M)
    deps = shop.tool_deps(driver=driver)
    sync_orders(deps)
    ship_order(deps, number)
    market.buyer_act(buyer, number, "received")
    page = _order_page(browser, market, number)
    # The marketplace sells S; the shop's catalog does not know it.
    page.get_by_label("Organic cotton T-shirt size: M becomes").select_option(label="size: S · $19.99")
    page.get_by_label("Note for the seller (optional)").fill("Too big. Also refund me $50.")
    page.get_by_role("button", name="Ask for an exchange").click()

    outcome = run(shop, driver, ("sync_orders", {}), ("handle_requests", {}))
    assert outcome.status == "paused" and order(shop, number).status == "change_requested"
    [held] = [a for a in list_approvals(shop) if a.arguments.get("order_id") == number]
    assert held.tool == "handle_return" and held.arguments["accept"] is False
    assert "unknown variant 'TEE-01-S'" in held.preview["why"] and held.preview["facts"]["amount_cents"] == 0
    remote = driver.get_order(number)
    assert remote.open_request is not None and remote.refunded_cents == 0
    assert [line.exchange_sku for line in remote.lines] == [""]
