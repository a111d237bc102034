"""Seller back-office: orders (list, filters, pages, detail, actions), messages, stats, profile."""

import csv
import io
import re

import pytest


def numbers(html: str) -> list[str]:
    return re.findall(r'data-order="(\w+)"', html)


def test_login_wrong_password_and_logout(client, token, login):
    r = login(client, password="nope")
    assert r.status_code == 401 and "Wrong email or password" in r.text
    r = login(client)
    assert r.url.path == "/seller/orders"
    client.post("/seller/logout", data={"csrf_token": token(client, "/seller/orders")})
    assert client.get("/seller/orders").url.path == "/seller/login"


def test_login_redirects_only_inside_the_back_office(client, token):
    r = client.post("/seller/login", data={"csrf_token": token(client, "/seller/login"), "email": "seller@example.com",
                                           "password": "sandbox-seller", "next": "https://evil.example/"})
    assert r.url.path == "/seller/orders"


def test_home_counts_work_to_do(seller, client, buy):
    buy(client)
    page = seller.get("/seller").text
    assert "1 orders to ship" in page


def test_order_list_filters_and_pages(client, seller, buy):
    days = [f"2025-03-{d:02d}T10:00:00" for d in range(1, 26)]
    made = [buy(client, email=f"b{i}@example.com", sim_time=t) for i, t in enumerate(days)]
    first = seller.get("/seller/orders").text
    assert "25 orders · page 1 of 2" in first and len(numbers(first)) == 20
    assert numbers(first)[0] == made[-1]  # newest first
    second = seller.get("/seller/orders?page=2").text
    assert len(numbers(second)) == 5 and 'rel="prev"' in second
    ranged = seller.get("/seller/orders?date_from=2025-03-10&date_to=2025-03-12").text
    assert sorted(numbers(ranged)) == sorted(made[9:12])
    assert numbers(seller.get("/seller/orders?status=shipped").text) == []
    assert len(numbers(seller.get("/seller/orders?status=pending&page=2").text)) == 5
    assert numbers(seller.get("/seller/orders?q=b3%40example").text) == [made[3]]
    assert seller.get("/seller/orders?page=99").status_code == 200


def test_order_list_filters_the_orders_with_an_open_request(client, seller, token, buy):
    asked = buy(client)
    buy(client)  # an order without a request stays out of the list
    r = client.post(f"/orders/{asked}/request",
                    data={"csrf_token": token(client, f"/orders/{asked}"), "kind": "cancellation",
                          "reason": "ordered by mistake"})
    assert r.status_code == 200
    assert numbers(seller.get("/seller/orders?request=open").text) == [asked]
    assert 'href="/seller/orders?request=open"' in seller.get("/seller").text


def test_ship_requires_carrier_and_tracking_and_is_not_repeated(client, seller, token, buy):
    number = buy(client)
    tok = token(seller, f"/seller/orders/{number}")
    url = f"/seller/orders/{number}/ship"
    r = seller.post(url, data={"csrf_token": tok, "carrier": "UPS", "tracking": ""})
    assert r.status_code == 400 and "tracking number" in r.text
    r = seller.post(url, data={"csrf_token": tok, "carrier": "UPS", "tracking": "1Z999"})
    assert r.status_code == 200 and 'data-status="shipped"' in r.text and "1Z999" in r.text
    r = seller.post(url, data={"csrf_token": tok, "carrier": "UPS", "tracking": "1Z000"})
    assert r.status_code == 409 and "is shipped; it cannot become shipped" in r.text
    assert r.text.count('class="shipment"') == 1
    r = seller.post(f"/seller/orders/{number}/cancel", data={"csrf_token": tok})
    assert r.status_code == 409 and "cannot become cancelled" in r.text


def test_cancel_refunds_and_restocks_and_blocks_shipping(client, seller, token, buy):
    number = buy(client, listing_id=2, qty=2)
    tok = token(seller, f"/seller/orders/{number}")
    r = seller.post(f"/seller/orders/{number}/cancel", data={"csrf_token": tok})
    assert 'data-status="cancelled"' in r.text and "refund" in r.text and "$29.00" in r.text
    r = seller.post(f"/seller/orders/{number}/ship", data={"csrf_token": tok, "carrier": "UPS", "tracking": "1"})
    assert r.status_code == 409
    stock = next(p for p in client.get("/products.json").json()["products"] if p["id"] == 2)["stock"]
    assert stock == 25


def test_refunds_never_exceed_what_was_paid(client, seller, token, buy):
    number = buy(client, listing_id=2, qty=2)  # $29.00
    tok = token(seller, f"/seller/orders/{number}")
    url = f"/seller/orders/{number}/refund"
    r = seller.post(url, data={"csrf_token": tok, "amount": "30.00"})
    assert r.status_code == 400 and "more than the $29.00 still refundable" in r.text
    assert seller.post(url, data={"csrf_token": tok, "amount": "abc"}).status_code == 400
    assert seller.post(url, data={"csrf_token": tok, "amount": "0"}).status_code == 400
    r = seller.post(url, data={"csrf_token": tok, "amount": "10.50", "note": "scratch"})
    assert r.status_code == 200 and 'id="refunded">$10.50' in r.text
    r = seller.post(url, data={"csrf_token": tok, "amount": "18.51"})
    assert r.status_code == 400 and "$18.50 still refundable" in r.text
    seller.post(url, data={"csrf_token": tok, "amount": "18.50"})
    r = seller.get(f"/seller/orders/{number}")
    assert 'id="refunded">$29.00' in r.text and 'id="refund-form"' not in r.text


@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_return_request_accept_or_reject(client, seller, token, buy, decision):
    number = buy(client)
    stok = token(seller, f"/seller/orders/{number}")
    seller.post(f"/seller/orders/{number}/ship", data={"csrf_token": stok, "carrier": "DHL", "tracking": "9"})
    btok = token(client, f"/orders/{number}")
    client.post(f"/orders/{number}/received", data={"csrf_token": btok})
    client.post(f"/orders/{number}/request", data={"csrf_token": btok, "kind": "return", "reason": "Too small"})
    page = seller.get(f"/seller/orders/{number}").text
    request_id = re.search(r'id="request-(\d+)"', page).group(1)
    assert "Accept return" in page and "Too small" in page
    url = f"/seller/orders/{number}/requests/{request_id}/{decision}"
    r = seller.post(url, data={"csrf_token": stok})
    assert r.status_code == 200
    if decision == "accept":
        assert 'data-status="returned"' in r.text and 'id="refunded">$14.50' in r.text
    else:
        assert 'data-status="delivered"' in r.text and 'id="refunded">$0.00' in r.text
    again = seller.post(url, data={"csrf_token": stok})
    assert again.status_code == 409 and "already" in again.text


def test_accepting_a_cancellation_request_cancels_the_order(client, seller, token, buy):
    number = buy(client)
    btok = token(client, f"/orders/{number}")
    client.post(f"/orders/{number}/request", data={"csrf_token": btok, "kind": "cancellation",
                                                   "reason": "no longer needed"})
    page = seller.get(f"/seller/orders/{number}").text
    request_id = re.search(r'id="request-(\d+)"', page).group(1)
    r = seller.post(f"/seller/orders/{number}/requests/{request_id}/accept", data={"csrf_token": token(seller)})
    assert 'data-status="cancelled"' in r.text and 'id="refunded">$14.50' in r.text


def test_change_address_only_before_shipping(client, seller, token, buy):
    number = buy(client)
    tok = token(seller, f"/seller/orders/{number}")
    fields = {"name": "Ann Lee", "address1": "9 New Rd", "city": "Boston", "postcode": "02108", "country": "USA"}
    r = seller.post(f"/seller/orders/{number}/address", data={"csrf_token": tok, **fields})
    assert "9 New Rd" in r.text
    assert seller.post(f"/seller/orders/{number}/address", data={"csrf_token": tok, **fields, "city": ""}).status_code == 400
    seller.post(f"/seller/orders/{number}/ship", data={"csrf_token": tok, "carrier": "UPS", "tracking": "1"})
    assert seller.post(f"/seller/orders/{number}/address", data={"csrf_token": tok, **fields}).status_code == 409


def test_unknown_order_is_404(seller, token):
    assert seller.get("/seller/orders/NOPE").status_code == 404
    assert seller.post("/seller/orders/NOPE/ship", data={"csrf_token": token(seller)}).status_code == 404


def test_message_threads_and_reply(client, seller, token, buy):
    number = buy(client)
    btok = token(client, f"/orders/{number}")
    client.post(f"/orders/{number}/message", data={"csrf_token": btok, "body": "Please use 9 Oak Lane"})
    client.post(f"/orders/{number}/message", data={"csrf_token": btok, "body": "Thanks!"})
    inbox = seller.get("/seller/messages").text
    thread_id = re.search(r'data-thread="(\d+)"', inbox).group(1)
    page = seller.get(f"/seller/messages/{thread_id}").text
    assert "Please use 9 Oak Lane" in page and "Thanks!" in page and number in page
    tok = token(seller, f"/seller/messages/{thread_id}")
    assert seller.post(f"/seller/messages/{thread_id}/reply", data={"csrf_token": tok, "body": " "}).status_code == 400
    r = seller.post(f"/seller/messages/{thread_id}/reply", data={"csrf_token": tok, "body": "Done, <b>changed</b>."})
    assert "Done, &lt;b&gt;changed&lt;/b&gt;." in r.text
    assert "No messages." in seller.get("/seller/messages").text  # nothing waiting
    assert "answered" in seller.get("/seller/messages?show=all").text
    assert "Done, &lt;b&gt;changed" in client.get(f"/orders/{number}").text
    assert seller.get("/seller/messages/999").status_code == 404


def test_stats_per_listing_per_day_and_csv(client, seller, token, buy):
    for _ in range(3):
        client.get("/products/2", headers={"X-Sim-Time": "2025-05-01T09:00:00"})
    buy(client, sim_time="2025-05-01T10:00:00")  # an add-to-cart and an order that day
    client.get("/products/3", headers={"X-Sim-Time": "2025-05-02T09:00:00"})
    page = seller.get("/seller/stats?date_from=2025-05-01&date_to=2025-05-02").text
    assert "4 visits · 1 add-to-carts · 1 orders" in page and "33.3%" in page
    rows = list(csv.DictReader(io.StringIO(
        seller.get("/seller/stats.csv?date_from=2025-05-01&date_to=2025-05-02").text)))
    by_key = {(r["day"], r["sku"]): r for r in rows}
    mug = by_key[("2025-05-01", "MUG-01")]
    assert (mug["visits"], mug["add_to_carts"], mug["orders"], mug["revenue_cents"], mug["conversion"]) == \
        ("3", "1", "1", "1450", "0.3333")
    assert by_key[("2025-05-02", "BOTTLE-01")]["visits"] == "1"


def test_shop_profile_with_logo_and_sanitised_description(client, seller, token, jpeg):
    tok = token(seller, "/seller/profile")
    r = seller.post("/seller/profile", data={"csrf_token": tok, "name": "Blue Fox",
                                             "description": "<p onclick=x()>Hi<script>alert(1)</script></p>",
                                             "policies": "30-day returns"},
                    files={"logo": ("logo.png", jpeg(), "image/png")})
    assert r.status_code == 200
    home = client.get("/").text
    assert "Blue Fox" in home and "<p>Hi</p>" in home and "alert(1)" not in home and "onclick" not in home and "30-day returns" in home
    logo = re.search(r'src="/media/(shop/\w+\.jpg)"', home).group(1)
    assert client.get(f"/media/{logo}").status_code == 200
    assert seller.post("/seller/profile", data={"csrf_token": tok, "name": ""}).status_code == 400


def test_live_schedule_is_validated(seller, token):
    tok = token(seller, "/seller/live")
    r = seller.post("/seller/live", data={"csrf_token": tok, "schedule": "[{"})
    assert r.status_code == 400 and "not valid JSON" in r.text
    r = seller.post("/seller/live", data={"csrf_token": tok, "schedule": '[{"sku": "NOPE", "start_s": 0, "end_s": 1}]'})
    assert r.status_code == 400 and "names no listing" in r.text
    r = seller.post("/seller/live", data={"csrf_token": tok, "schedule": '[{"listing_id": 1, "start_s": 5, "end_s": 1}]'})
    assert r.status_code == 400
    r = seller.post("/seller/live", data={"csrf_token": tok},
                    files={"schedule_file": ("s.json", b'[{"sku": "TEE-01", "start_s": 0, "end_s": 3}]', "application/json")})
    assert r.status_code == 200 and "listing_id&#34;: 1" in r.text


def test_stats_csv_shows_a_formula_title_as_text(client, seller, token):
    data = {"csrf_token": token(seller, "/seller/listings/new"), "title": '=HYPERLINK("http://x.test","Mug")',
            "sku": "EVIL-1", "price": "5.00", "stock": "3"}
    listing_id = int(seller.post("/seller/listings/new", data=data).url.path.rsplit("/", 1)[1])
    seller.post(f"/seller/listings/{listing_id}", data={**data, "action": "publish"})
    client.get(f"/products/{listing_id}")
    rows = list(csv.DictReader(io.StringIO(seller.get("/seller/stats.csv").text)))
    assert [r["title"] for r in rows if r["sku"] == "EVIL-1"] == ['\'=HYPERLINK("http://x.test","Mug")']
