"""A buyer's default address kept by the marketplace: set by the first order, seen and changed
by the buyer from an order's page, and by the seller in the back-office."""

import re


def test_the_first_orders_address_is_the_default_and_the_buyer_changes_it(client, token, buy):
    number = buy(client, email="Cy@Example.com")
    page = client.get(f"/orders/{number}/address-book").text
    assert 'value="1 Main St"' in page and 'value="Denver"' in page
    tok = token(client, f"/orders/{number}/address-book")
    fields = {"csrf_token": tok, "name": "Cy Lee", "address1": "12 Oak Lane", "city": "Austin", "region": "TX",
              "postcode": "73301", "country": "USA"}
    r = client.post(f"/orders/{number}/address-book", data={**fields, "city": ""})
    assert r.status_code == 400 and "Please fill in: city." in r.text and 'value="12 Oak Lane"' in r.text
    r = client.post(f"/orders/{number}/address-book", data=fields)
    assert r.status_code == 200 and "Your default address is saved." in r.text and 'value="Austin"' in r.text
    assert "1 Main St" in client.get(f"/orders/{number}").text  # the order keeps its own address
    buy(client, email="cy@example.com")  # a later order leaves the default as the buyer set it
    assert 'value="Austin"' in client.get(f"/orders/{number}/address-book").text


def test_only_the_orders_buyer_sees_the_address_book(app, client, buy):
    from fastapi.testclient import TestClient

    number = buy(client)
    with TestClient(app) as stranger:
        assert stranger.get(f"/orders/{number}/address-book").status_code == 404
        key = re.search(r"key=([\w-]+)", client.get(f"/orders/{number}").text).group(1)
        assert stranger.get(f"/orders/{number}/address-book?key={key}").status_code == 200


def test_the_seller_finds_a_buyer_and_changes_their_default_address(client, seller, token, buy):
    buy(client, email="dee@example.com")
    assert "No buyer with that e-mail." in seller.get("/seller/buyers?email=nobody@example.com").text
    page = seller.get("/seller/buyers?email=DEE@example.com").text
    assert "1 Main St" in page
    buyer_id = re.search(r'action="/seller/buyers/(\d+)/address"', page).group(1)
    r = seller.post(f"/seller/buyers/{buyer_id}/address", data={
        "csrf_token": token(seller, "/seller/buyers"), "address1": "9 Elm St", "city": "Boise", "postcode": "83702",
        "country": "USA"})
    assert r.status_code == 200 and '<span data-field="address1">9 Elm St</span>' in r.text
    assert '<span data-field="name">Ann Lee</span>' in r.text  # no name given: the buyer's own
