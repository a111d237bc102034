"""A shop on several platforms: the console's shop page shows each platform's listings and
orders and their total, and each product's listing on every platform."""

import re

from store_data.db import session_scope
from store_data.orders import Order
from store_data.overview import platforms_overview
from store_data.shop import Listing, Product


def _seed(engine) -> None:
    with session_scope(engine) as session:
        mug = Product(handle="mug", name="Stoneware mug")
        session.add(mug)
        session.flush()
        assert mug.id is not None
        session.add(Listing(product_id=mug.id, marketplace="sandbox", remote_id="3", status="published"))
        session.add(Listing(product_id=mug.id, marketplace="oscar", remote_id="17", status="published"))
        # Order numbers may repeat across platforms: 1001 is on both.
        for market, number, status in (("sandbox", "1001", "paid"), ("sandbox", "1002", "shipped"),
                                       ("oscar", "1001", "paid"), ("oscar", "1003", "paid"),
                                       ("oscar", "1004", "cancelled")):
            session.add(Order(marketplace=market, remote_id=number, status=status))


def test_the_overview_counts_each_platform_and_the_total(engine):
    _seed(engine)
    with session_scope(engine) as session:
        rows = {row["platform"]: row for row in platforms_overview(session)}
    assert list(rows) == ["oscar", "sandbox", "total"]
    assert (rows["oscar"]["orders"], rows["oscar"]["to_ship"], rows["oscar"]["listings"]) == (3, 2, 1)
    assert (rows["sandbox"]["orders"], rows["sandbox"]["to_ship"]) == (2, 1)
    assert rows["total"] == {"platform": "total", "listings": 2, "orders": 5, "to_ship": 3,
                             "by_status": {"paid": 3, "shipped": 1, "cancelled": 1}}


def test_one_platform_shows_no_platform_table(engine):
    with session_scope(engine) as session:
        session.add(Order(marketplace="sandbox", remote_id="1", status="paid"))
    with session_scope(engine) as session:
        assert platforms_overview(session) == []


def test_the_shop_page_shows_each_platform_and_the_total(console):
    _seed(console.workspace.engine)
    page = console.logged_in().get("/shop").text
    table = page[page.index('id="platforms"'):page.index("</section>", page.index('id="platforms"'))]
    rows = [re.sub(r"<[^>]+>", "|", row) for row in re.findall(r"<tr.*?</tr>", table, re.S)]
    cells = [[c.strip() for c in row.split("|") if c.strip()] for row in rows[1:]]
    assert cells == [["oscar", "1", "3", "2", "cancelled 1, paid 2"], ["sandbox", "1", "2", "1", "paid 1, shipped 1"],
                     ["All platforms", "2", "5", "3", "cancelled 1, paid 3, shipped 1"]]
    assert "on sandbox as 3" in page and "on oscar as 17" in page


def test_the_shop_page_fits_a_phone(console, page, log_in):
    _seed(console.workspace.engine)
    log_in(page, console)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(console.url + "/shop")
    # The header wraps and wide tables scroll inside their card instead of widening the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
