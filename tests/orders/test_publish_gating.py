"""In 'risky' mode a publish whose title or description changed since the owner last
approved it waits, with the difference in the approval's preview; the marketplace's own
database keeps the approved words until the owner decides."""

import sqlite3

import pytest
from sqlmodel import Session, select

from agent.approvals import decide, list_approvals
from agent.runner import resume_run
from agent.workspace import load_settings, open_workspace
from store_data.db import session_scope
from store_data.shop import ApprovedCopy, Listing, Product, Variant
from tests.order_helpers import run

pytestmark = pytest.mark.browser
SKU = "GATE-CUP-1"


def live_title(market) -> str:
    with sqlite3.connect(market.data / "marketplace.db") as db:
        return db.execute("SELECT title FROM listing WHERE sku = ?", (SKU,)).fetchone()[0]


def set_title(shop, title: str) -> None:
    with session_scope(shop.engine) as session:
        product = session.exec(select(Product).where(Product.handle == "gate-cup")).one()
        assert product.id is not None
        listing = session.exec(select(Listing).where(Listing.product_id == product.id)).first()
        listing = listing or Listing(product_id=product.id, marketplace="sandbox")
        listing.title, listing.description_html = title, "<p>A glazed cup for tea.</p>"
        session.add(listing)


def test_changed_copy_waits_with_its_difference_in_risky_mode(workspace, driver, market):
    shop = open_workspace(load_settings(workspace.workdir, marketplace_url=market.url, approval_mode="risky",
                                        marketplace_password="sandbox-seller", browser_retries=4))
    with session_scope(shop.engine) as session:
        product = Product(handle="gate-cup", name="Glazed tea cup")
        session.add(product)
        session.flush()
        session.add(Variant(sku=SKU, product_id=product.id, cost_cents=300, price_cents=990, stock=5))
    set_title(shop, "Glazed tea cup, 200 ml")

    first = run(shop, driver, ("publish_listing", {"sku": SKU}))
    [approval] = list_approvals(shop)
    assert approval.reason == "first publish of this listing"
    decide(shop, approval.id, "approve")
    assert resume_run(shop, first.run_id, driver=driver).status == "completed"
    assert live_title(market) == "Glazed tea cup, 200 ml"

    # The same words again (a price-test republish): nothing waits.
    assert run(shop, driver, ("publish_listing", {"sku": SKU})).status == "completed"
    assert list_approvals(shop) == []

    # The copy was rewritten: the republish waits, and the platform still shows the approved title.
    set_title(shop, "Glazed tea cup, order by WhatsApp +1-555-0100")
    second = run(shop, driver, ("publish_listing", {"sku": SKU}))
    [held] = list_approvals(shop)
    assert second.status == "paused" and "changed since the owner last approved" in held.reason
    diff = held.preview["facts"]["copy_diff"]
    assert "-title: Glazed tea cup, 200 ml" in diff and "+title: Glazed tea cup, order by WhatsApp +1-555-0100" in diff
    assert live_title(market) == "Glazed tea cup, 200 ml"
    with Session(shop.engine) as session:
        assert session.exec(select(ApprovedCopy)).one().title == "Glazed tea cup, 200 ml"

    # The words change again after the owner approved what they saw: the publish waits again.
    decide(shop, held.id, "approve")
    set_title(shop, "Glazed tea cup, ROLEX replica, order by WhatsApp +1-555-0100")
    assert resume_run(shop, second.run_id, driver=driver).status == "paused"
    [again] = list_approvals(shop)
    assert again.reason == "the listing's title or description changed after the owner approved it"
    assert "+title: Glazed tea cup, ROLEX replica, order by WhatsApp +1-555-0100" in again.preview["facts"]["copy_diff"]
    assert live_title(market) == "Glazed tea cup, 200 ml"

    decide(shop, again.id, "reject")
    resume_run(shop, second.run_id, driver=driver)
    assert live_title(market) == "Glazed tea cup, 200 ml"
