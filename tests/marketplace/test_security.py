"""Abuse: no session, no or wrong CSRF token, bad uploads, password guessing."""

import re

import pytest

from marketplace.security import hash_password, verify_password

SELLER_GETS = ["/seller", "/seller/orders", "/seller/orders/S1000001", "/seller/listings", "/seller/listings/new",
               "/seller/listings/1", "/seller/messages", "/seller/messages/1", "/seller/stats", "/seller/stats.csv",
               "/seller/profile", "/seller/live"]
SELLER_POSTS = ["/seller/orders/S1000001/ship", "/seller/orders/S1000001/cancel", "/seller/orders/S1000001/refund",
                "/seller/orders/S1000001/requests/1/accept", "/seller/orders/S1000001/address",
                "/seller/listings/new", "/seller/listings/1", "/seller/listings/1/pause", "/seller/messages/1/reply",
                "/seller/profile", "/seller/live"]


def test_passwords_are_hashed_with_salt():
    stored = hash_password("s3cret")
    assert "s3cret" not in stored and stored.startswith("scrypt$") and stored != hash_password("s3cret")
    assert verify_password("s3cret", stored) and not verify_password("nope", stored)
    assert not verify_password("s3cret", "garbage")


@pytest.mark.parametrize("path", SELLER_GETS)
def test_every_seller_page_needs_login(client, path):
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/seller/login?next=")


@pytest.mark.parametrize("path", SELLER_POSTS)
def test_every_seller_action_needs_login(client, client_buys, token, path):
    r = client.post(path, data={"csrf_token": token(client), "carrier": "UPS", "tracking": "1", "amount": "1"},
                    follow_redirects=False)
    assert r.status_code == 303 and "/seller/login" in r.headers["location"]


@pytest.fixture
def client_buys(client, buy):
    return buy(client)


@pytest.mark.parametrize("path", SELLER_POSTS + ["/seller/logout"])
@pytest.mark.parametrize("csrf", [None, "wrong"])
def test_seller_posts_need_the_csrf_token(seller, client_buys, path, csrf):
    data = {"carrier": "UPS", "tracking": "1", "amount": "1", "title": "x", "sku": "x", "price": "1", "name": "x",
            "body": "x"}
    if csrf:
        data["csrf_token"] = csrf
    r = seller.post(path, data=data)
    assert r.status_code == 403 and "security token" in r.text
    assert 'data-status="pending"' in seller.get(f"/seller/orders/{client_buys}").text


@pytest.mark.parametrize("path", ["/cart/add", "/cart/update", "/checkout", "/contact", "/orders/S1000001/message",
                                  "/orders/S1000001/request", "/orders/S1000001/received", "/orders/S1000001/review",
                                  "/seller/login", "/seller/human-check"])
def test_buyer_posts_need_the_csrf_token(client, client_buys, path):
    r = client.post(path, data={"listing_id": 2, "email": "seller@example.com", "password": "sandbox-seller",
                                "body": "hi", "name": "x"})
    assert r.status_code == 403


def test_csrf_token_of_another_session_is_refused(app, client, seller, token):
    from fastapi.testclient import TestClient

    stolen = token(seller)
    other = TestClient(app)
    token(other)
    assert other.post("/contact", data={"csrf_token": stolen, "name": "a", "email": "a@x", "body": "b"}).status_code == 403


def test_upload_of_wrong_type_is_refused(seller, token):
    tok = token(seller, "/seller/listings/new")
    base = {"csrf_token": tok, "title": "T", "sku": "T1", "price": "1", "stock": "1"}
    r = seller.post("/seller/listings/new", data=base,
                    files=[("images", ("evil.jpg", b"<?php system($_GET['c']); ?>", "image/jpeg"))])
    assert r.status_code == 400 and "not an image" in r.text
    r = seller.post("/seller/listings/new", data=base, files=[("video", ("v.mp4", b"GIF89a....", "video/mp4"))])
    assert r.status_code == 400 and "not a video" in r.text
    assert "T1" not in seller.get("/seller/listings").text  # nothing half-saved


def test_upload_filename_cannot_choose_the_path(app, seller, token, jpeg):
    tok = token(seller, "/seller/listings/new")
    r = seller.post("/seller/listings/new", data={"csrf_token": tok, "title": "T", "sku": "T1", "price": "1", "stock": "1"},
                    files=[("images", ("../../../../tmp/owned.jpg", jpeg(), "image/jpeg"))])
    assert r.status_code == 200
    stored = re.search(r'src="/media/([^"]+)"', r.text).group(1)
    assert re.fullmatch(r"listings/\d+/[0-9a-f]{24}\.jpg", stored)
    files = [p for p in app.state.data_dir.rglob("*") if p.is_file() and p.suffix == ".jpg"]
    assert all(p.resolve().is_relative_to(app.state.media_dir.resolve()) for p in files)


def test_media_route_does_not_serve_outside_the_media_folder(client):
    for path in ["/media/../marketplace.db", "/media/..%2fmarketplace.db", "/media/%2e%2e/secret_key"]:
        r = client.get(path)
        assert r.status_code == 404 and "scrypt" not in r.text


def test_oversized_uploads_are_refused(make_app, token, login, jpeg):
    from fastapi.testclient import TestClient

    app = make_app(max_image_bytes=2000, max_video_bytes=3000, max_images_per_listing=1)
    with TestClient(app) as seller:
        login(seller)
        tok = token(seller, "/seller/listings/new")
        base = {"csrf_token": tok, "title": "T", "sku": "T1", "price": "1", "stock": "1"}
        big = jpeg(size=(400, 400), color=(1, 2, 3))[:0] + bytes(range(256)) * 10  # 2.5 kB of junk
        r = seller.post("/seller/listings/new", data=base, files=[("images", ("a.jpg", big, "image/jpeg"))])
        assert r.status_code == 400 and "larger than" in r.text
        huge = b"\x00" * (app.state.settings.max_body_bytes + 10)
        r = seller.post("/seller/listings/new", data=base, files=[("video", ("v.mp4", huge, "video/mp4"))])
        assert r.status_code == 413


def test_password_guessing_is_throttled(client, login):
    for _ in range(5):
        assert login(client, password="guess").status_code == 401
    r = login(client)  # even the right password waits out the lockout
    assert r.status_code == 429 and "Too many failed logins" in r.text


def test_seller_from_settings_and_env(make_app, login, tmp_path):
    from fastapi.testclient import TestClient

    from marketplace.settings import Settings

    settings = Settings.from_env({"MARKETPLACE_SELLER_EMAIL": "Owner@Shop.test", "MARKETPLACE_SELLER_PASSWORD": "pw-1"})
    from marketplace.app import create_app

    with TestClient(create_app(tmp_path / "env", settings)) as c:
        assert login(c, "owner@shop.test", "pw-1").url.path == "/seller/orders"
    assert b"pw-1" not in (tmp_path / "env" / "marketplace.db").read_bytes()
