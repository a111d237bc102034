"""The back-office inventory page: every SKU's units in one form, set directly, so a seller
(or a shop keeping one stock pool over several platforms) can post the same numbers again
and change nothing."""

import re

UNITS = re.compile(r'name="stock:([^"]+)" value="(\d+)"')


def units(seller) -> dict[str, int]:
    return {sku: int(n) for sku, n in UNITS.findall(seller.get("/seller/inventory").text)}


def test_the_page_lists_every_sku_and_sets_units(client, seller, token, buy):
    before = units(seller)
    assert {"MUG-01", "TEE-01-M", "LAMP-01"} <= set(before)  # a listing's variants each have a row
    assert "TEE-01" not in before  # a listing with variants has no units of its own
    assert "Organic cotton T-shirt (size: M)" in seller.get("/seller/inventory").text  # its option, as buyers read it
    lamps = str(before["LAMP-01"])  # posted as it is: not a change
    r = seller.post("/seller/inventory", data={"csrf_token": token(seller, "/seller/inventory"),
                                              "stock:MUG-01": "2", "stock:LAMP-01": lamps})
    assert r.status_code == 200 and "Stock saved (1 SKU changed)" in r.text
    assert units(seller) == {**before, "MUG-01": 2}
    again = seller.post("/seller/inventory", data={"csrf_token": token(seller, "/seller/inventory"),
                                                  "stock:MUG-01": "2"})
    assert "Stock saved (0 SKUs changed)" in again.text
    # What buyers see follows: two mugs are for sale, a third is not.
    buy(client, listing_id=2, qty=2)
    assert units(seller)["MUG-01"] == 0
    page = client.get("/products/2").text
    assert "<p>Sold out.</p>" in page and "Add to cart" not in page


def test_a_bad_number_or_an_unknown_sku_changes_nothing(seller, token):
    before = units(seller)
    for data, problem in (({"stock:MUG-01": "5", "stock:LAMP-01": "-1"}, "Units for LAMP-01 must be a whole number"),
                          ({"stock:MUG-01": "5", "stock:LAMP-01": "two"}, "Units for LAMP-01 must be a whole number"),
                          ({"stock:MUG-01": "5", "stock:NOPE-9": "1"}, "No listing has the SKU NOPE-9")):
        r = seller.post("/seller/inventory", data={"csrf_token": token(seller, "/seller/inventory"), **data})
        assert r.status_code == 400 and problem in r.text
        assert units(seller) == before  # MUG-01's 5 was not saved either


def test_the_page_is_the_sellers_only(client, token):
    assert client.get("/seller/inventory", follow_redirects=False).status_code in (302, 303)
    r = client.post("/seller/inventory", data={"csrf_token": token(client), "stock:MUG-01": "0"},
                    follow_redirects=False)
    assert r.status_code in (302, 303, 403)
