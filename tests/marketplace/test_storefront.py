"""Buyer routes: browse, cart, checkout, order page, messages, requests, reviews, live room."""

import csv
import io
import json
import re



def test_home_shows_brand_and_live_listings(client):
    r = client.get("/")
    assert r.status_code == 200
    assert 'id="shop-name"' in r.text and "Organic cotton T-shirt" in r.text
    assert "Stoneware" in client.get("/?q=mug").text
    assert "Stoneware" not in client.get("/?category=Apparel").text


def test_product_page_counts_a_visit_and_lists_variants(client, seller):
    r = client.get("/products/1")
    assert r.status_code == 200
    assert 'name="variant_id"' in r.text and "size: M" in r.text
    assert client.get("/products/999").status_code == 404
    rows = list(csv.DictReader(io.StringIO(seller.get("/seller/stats.csv").text)))
    assert [(r["sku"], r["visits"], r["orders"]) for r in rows] == [("TEE-01", "1", "0")]


def test_product_with_variants_needs_an_option(client, token):
    tok = token(client, "/products/1")
    r = client.post("/cart/add", data={"csrf_token": tok, "listing_id": 1, "qty": 1})
    assert r.url.path == "/products/1" and "Choose an option" in r.text


def test_cart_update_and_checkout(client, token):
    tok = token(client, "/products/2")
    client.post("/cart/add", data={"csrf_token": tok, "listing_id": 2, "qty": 2})
    r = client.get("/cart")
    assert "$29.00" in r.text  # 2 x 14.50
    client.post("/cart/update", data={"csrf_token": tok, "qty_0": "3"})
    assert "$43.50" in client.get("/cart").text
    client.post("/cart/update", data={"csrf_token": tok, "qty_0": "0"})
    assert "cart is empty" in client.get("/cart").text
    assert client.get("/checkout").url.path == "/cart"


def test_checkout_places_a_paid_order_and_takes_stock(client, seller, buy):
    number = buy(client, listing_id=1, variant_id=2, qty=2)
    page = client.get(f"/orders/{number}")
    assert 'data-status="pending"' in page.text and "Not shipped yet" in page.text
    detail = seller.get(f"/seller/orders/{number}").text
    assert "TEE-01-M" in detail and "$39.98" in detail and "Ann Lee" in detail and "1 Main St" in detail
    feed = client.get("/products.json").json()["products"]
    tee = next(p for p in feed if p["sku"] == "TEE-01")
    assert next(v for v in tee["variants"] if v["sku"] == "TEE-01-M")["stock"] == 28


def test_checkout_rejects_bad_card_declined_card_and_missing_fields(client, token):
    tok = token(client, "/products/2")
    client.post("/cart/add", data={"csrf_token": tok, "listing_id": 2})
    base = {"csrf_token": tok, "name": "A", "email": "a@example.com", "address1": "1 St", "city": "X",
            "postcode": "1", "country": "USA"}
    assert "not valid" in client.post("/checkout", data={**base, "card_number": "1234"}).text
    r = client.post("/checkout", data={**base, "card_number": "4000000000000002"})
    assert r.status_code == 402 and "declined" in r.text
    r = client.post("/checkout", data={**base, "city": "", "card_number": "4242424242424242"})
    assert r.status_code == 400 and "city" in r.text


def test_checkout_refuses_more_than_stock(client, token):
    tok = token(client, "/products/1")
    client.post("/cart/add", data={"csrf_token": tok, "listing_id": 1, "variant_id": 3, "qty": 16})
    r = client.post("/checkout", data={"csrf_token": tok, "name": "A", "email": "a@example.com",
                                       "address1": "1", "city": "X", "postcode": "1", "country": "USA",
                                       "card_number": "4242424242424242"})
    assert r.status_code == 409 and "Only 15 left" in r.text


def test_order_page_needs_the_session_or_key(client, app, token, buy):
    from fastapi.testclient import TestClient

    number = buy(client)
    key = re.search(r'name="key" value="([^"]+)"', client.get(f"/orders/{number}").text).group(1)
    stranger = TestClient(app)
    assert stranger.get(f"/orders/{number}").status_code == 404
    assert stranger.get(f"/orders/{number}?key=wrong").status_code == 404
    assert stranger.get(f"/orders/{number}?key={key}").status_code == 200
    tok = token(stranger, f"/orders/{number}?key={key}")
    r = stranger.post(f"/orders/{number}/message", data={"csrf_token": tok, "body": "hi"})
    assert r.status_code == 404  # a form post needs the key too
    r = stranger.post(f"/orders/{number}/message", data={"csrf_token": tok, "key": key, "body": "hi"})
    assert r.status_code == 200 and "Message sent" in r.text


def test_buyer_messages_request_refund_and_review(client, seller, token, buy):
    number = buy(client)
    tok = token(client, f"/orders/{number}")
    client.post(f"/orders/{number}/message", data={"csrf_token": tok, "body": "Can you gift wrap it?"})
    assert "Can you gift wrap it?" in client.get(f"/orders/{number}").text
    assert "Order " + number in seller.get("/seller/messages").text
    r = client.post(f"/orders/{number}/request", data={"csrf_token": tok, "kind": "return", "reason": "x"})
    assert r.status_code == 409  # a return needs a delivered order
    r = client.post(f"/orders/{number}/request", data={"csrf_token": tok, "kind": "refund", "reason": "Changed mind"})
    assert r.status_code == 409  # before shipping the buyer asks to cancel
    r = client.post(f"/orders/{number}/request", data={"csrf_token": tok, "kind": "cancellation",
                                                       "reason": "Changed mind"})
    assert r.status_code == 400 and "no longer needed, ordered by mistake" in r.text
    r = client.post(f"/orders/{number}/request", data={"csrf_token": tok, "kind": "cancellation",
                                                       "reason": "No longer  needed"})
    assert r.status_code == 200 and "Cancellation of $14.50: requested" in r.text
    r = client.post(f"/orders/{number}/request", data={"csrf_token": tok, "kind": "cancellation",
                                                       "reason": "other"})
    assert r.status_code == 409 and "already waiting" in r.text
    r = client.post(f"/orders/{number}/review", data={"csrf_token": tok, "listing_id": 2, "rating": "5"})
    assert r.status_code == 409  # not delivered yet


def test_delivery_confirmation_and_review(client, seller, token, buy):
    number = buy(client)
    stok = token(seller, f"/seller/orders/{number}")
    seller.post(f"/seller/orders/{number}/ship", data={"csrf_token": stok, "carrier": "UPS", "tracking": "1Z9"})
    tok = token(client, f"/orders/{number}")
    assert '<span class="tracking">1Z9</span>' in client.get(f"/orders/{number}").text
    client.post(f"/orders/{number}/received", data={"csrf_token": tok})
    assert 'data-status="delivered"' in client.get(f"/orders/{number}").text
    r = client.post(f"/orders/{number}/review", data={"csrf_token": tok, "listing_id": 2, "rating": "4",
                                                      "body": "Nice <b>mug</b>"})
    assert r.status_code == 200
    page = client.get("/products/2").text
    assert "★★★★☆" in page and "Nice &lt;b&gt;mug&lt;/b&gt;" in page
    again = client.post(f"/orders/{number}/review", data={"csrf_token": tok, "listing_id": 2, "rating": "4"})
    assert again.status_code == 409


def test_contact_form_opens_a_thread(client, seller, token):
    tok = token(client, "/contact")
    r = client.post("/contact", data={"csrf_token": tok, "name": "Bo", "email": "bo@example.com",
                                      "subject": "Sizes", "body": "Is M true to size?"})
    assert 'id="sent"' in r.text
    assert client.post("/contact", data={"csrf_token": tok, "name": "", "email": "x", "body": ""}).status_code == 400
    assert "Sizes" in seller.get("/seller/messages").text


def test_live_room_shows_schedule_cards(client, seller, tmp_path, token, mp4):
    assert 'id="live-off"' in client.get("/live").text
    tok = token(seller, "/seller/live")
    schedule = json.dumps([{"sku": "MUG-01", "start_s": 0, "end_s": 5}, {"listing_id": 3, "start_s": 5, "end_s": 9}])
    r = seller.post("/seller/live", data={"csrf_token": tok, "schedule": schedule},
                    files={"video": ("promo.mp4", mp4, "video/mp4")})
    assert r.status_code == 200, r.text
    page = client.get("/live").text
    assert 'id="live-video"' in page and "loop" in page
    assert 'data-start="0" data-end="5" data-listing="2"' in page and "Insulated water bottle" in page


def test_products_feed_reports_listing_quality(client):
    feed = {p["sku"]: p for p in client.get("/products.json").json()["products"]}
    assert feed["MUG-01"]["images"] == 1 and feed["SOCKS-01"]["images"] == 0
    assert feed["MUG-01"]["description_chars"] > 20 and feed["SOCKS-01"]["description_chars"] == 0


def test_health(client):
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["sim_clock"] is True


def test_seller_login_does_not_drop_the_cart(client, token, login):
    tok = token(client, "/products/2")
    client.post("/cart/add", data={"csrf_token": tok, "listing_id": 2})
    login(client)
    assert "Stoneware" in client.get("/cart").text


def test_a_form_number_that_is_not_one_is_a_bad_form_not_a_server_error(client, token):
    tok = token(client, "/products/1")
    for listing_id in ("two", "²", "9" * 5000):
        r = client.post("/cart/add", data={"csrf_token": tok, "listing_id": listing_id, "qty": 1})
        assert r.status_code == 400 and "listing_id must be a whole number" in r.text
