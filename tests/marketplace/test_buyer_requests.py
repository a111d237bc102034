"""A buyer's requests for other options: a change before shipping, an exchange after delivery.
The storefront checks them by the rules the seller's own change follows, and the seller's
accept (or the same change made by hand) carries them out once."""

import re

TEE, TEE_M = 1, 2  # the demo T-shirt: S 19.99, M 19.99, L 21.99


def _request_id(page: str) -> str:
    found = re.search(r'id="request-(\d+)"', page)
    assert found, "no request on the seller's page"
    return found.group(1)


def test_a_change_request_before_shipping_is_checked_then_made_on_accepting(client, seller, token, buy):
    number = buy(client, TEE, TEE_M)
    page = client.get(f"/orders/{number}").text
    assert 'id="swap-form"' in page and ">size: L · $21.99<" in page and 'value="TEE-01-M"' not in page
    tok = token(client, f"/orders/{number}")
    asked = {"csrf_token": tok, "kind": "change"}
    r = client.post(f"/orders/{number}/request", data={**asked, "swap_1": "MUG-01"})
    assert r.status_code == 400 and "MUG-01 is not another option of Organic cotton T-shirt" in r.text
    r = client.post(f"/orders/{number}/request", data=asked)
    assert r.status_code == 400 and "Choose at least one item" in r.text
    r = client.post(f"/orders/{number}/request", data={**asked, "swap_1": "TEE-01-L"})
    assert r.status_code == 200 and "Change of items (TEE-01-M → TEE-01-L): requested" in r.text
    assert 'id="request-waiting"' in r.text and 'id="cancel-form"' not in r.text  # one request at a time

    page = seller.get(f"/seller/orders/{number}").text
    assert "Options asked: TEE-01-M&gt;TEE-01-L" in page and "Accept change" in page
    stok = token(seller, f"/seller/orders/{number}")
    r = seller.post(f"/seller/orders/{number}/requests/{_request_id(page)}/accept", data={"csrf_token": stok})
    assert r.status_code == 200 and 'data-status="pending"' in r.text and "TEE-01-L" in r.text
    assert "$2.00" in r.text  # the dearer option's difference is charged on the order's card

    after = client.get(f"/orders/{number}").text
    assert "Change of items (TEE-01-M → TEE-01-L): accepted" in after
    assert 'id="swap-form"' not in after  # changed once: no more changes
    r = client.post(f"/orders/{number}/request", data={**asked, "swap_1": "TEE-01-S"})
    assert r.status_code == 409 and "changed once already" in r.text


def test_an_exchange_request_after_delivery_is_closed_by_the_sellers_same_change(client, seller, token, buy):
    number = buy(client, TEE, TEE_M)
    stok = token(seller, f"/seller/orders/{number}")
    seller.post(f"/seller/orders/{number}/ship", data={"csrf_token": stok, "carrier": "DHL", "tracking": "9"})
    tok = token(client, f"/orders/{number}")
    r = client.post(f"/orders/{number}/request", data={"csrf_token": tok, "kind": "exchange", "swap_1": "TEE-01-S"})
    assert r.status_code == 409  # not delivered yet
    client.post(f"/orders/{number}/received", data={"csrf_token": tok})
    assert 'id="cancel-form"' not in client.get(f"/orders/{number}").text
    r = client.post(f"/orders/{number}/request", data={"csrf_token": tok, "kind": "exchange", "swap_1": "TEE-01-S",
                                                       "reason": "too big"})
    assert r.status_code == 200 and "Exchange of items (TEE-01-M → TEE-01-S): requested" in r.text

    r = seller.post(f"/seller/orders/{number}/change-items", data={"csrf_token": stok, "swap_1": "TEE-01-S"})
    assert r.status_code == 200
    assert 'data-status="accepted"' in r.text  # the seller did what was asked
    assert "Exchange of items (TEE-01-M → TEE-01-S): accepted" in client.get(f"/orders/{number}").text


def test_a_sellers_different_change_leaves_the_request_for_a_decision(client, seller, token, buy):
    number = buy(client, TEE, TEE_M)
    tok = token(client, f"/orders/{number}")
    client.post(f"/orders/{number}/request", data={"csrf_token": tok, "kind": "change", "swap_1": "TEE-01-L"})
    stok = token(seller, f"/seller/orders/{number}")
    r = seller.post(f"/seller/orders/{number}/change-items", data={"csrf_token": stok, "swap_1": "TEE-01-S"})
    page = seller.get(f"/seller/orders/{number}").text
    assert r.status_code == 200 and 'data-status="requested"' in page
    r = seller.post(f"/seller/orders/{number}/requests/{_request_id(page)}/accept", data={"csrf_token": stok})
    assert r.status_code == 409 and "changed once already" in r.text  # only a rejection is left


def test_a_cancellation_request_names_a_listed_reason(client, token, buy):
    number = buy(client)
    page = client.get(f"/orders/{number}").text
    assert 'id="cancel-form"' in page and '<option value="ordered by mistake">' in page
    assert 'id="request-form"' not in page  # before shipping money comes back by cancelling
    tok = token(client, f"/orders/{number}")
    r = client.post(f"/orders/{number}/request", data={"csrf_token": tok, "kind": "cancellation", "reason": ""})
    assert r.status_code == 400 and "Choose a reason for cancelling" in r.text
