"""Fault switches: by settings/env and through the protected admin endpoint."""

import time

import pytest

from marketplace.settings import Faults, Settings

ADMIN = {"Authorization": "Bearer test-admin-token"}


def test_admin_endpoint_needs_the_token(client):
    assert client.get("/admin/faults").status_code == 401
    assert client.post("/admin/faults", json={"latency_ms": 5}, headers={"Authorization": "Bearer no"}).status_code == 401
    assert client.get("/admin/faults", headers=ADMIN).json()["latency_ms"] == 0
    assert client.post("/admin/faults", json={"bogus": 1}, headers=ADMIN).status_code == 400
    assert client.post("/admin/faults", json={"error_rate": 2}, headers=ADMIN).status_code == 400
    assert client.post("/admin/faults", json=[1], headers=ADMIN).status_code == 400


def test_latency(client):
    client.post("/admin/faults", json={"latency_ms": 300}, headers=ADMIN)
    start = time.perf_counter()
    client.get("/")
    assert time.perf_counter() - start >= 0.3
    start = time.perf_counter()
    client.get("/health")  # the operator's endpoints stay fast
    assert time.perf_counter() - start < 0.3


def test_error_rate(client):
    client.post("/admin/faults", json={"error_rate": 1.0}, headers=ADMIN)
    assert client.get("/").status_code == 500
    assert client.get("/health").status_code == 200
    client.post("/admin/faults", json={"error_rate": 0.5}, headers=ADMIN)
    codes = [client.get("/").status_code for _ in range(60)]
    assert 10 < codes.count(500) < 50
    client.post("/admin/faults", json={"error_rate": 0}, headers=ADMIN)
    assert client.get("/").status_code == 200


def test_fail_posts_answers_the_next_form_posts_with_500(client):
    client.post("/admin/faults", json={"fail_posts": 2}, headers=ADMIN)
    assert client.get("/").status_code == 200  # pages still load
    codes = [client.post("/cart/add", data={}).status_code for _ in range(3)]
    assert codes[:2] == [500, 500] and codes[2] != 500  # counted down, then the form is read again
    assert client.get("/admin/faults", headers=ADMIN).json()["fail_posts"] == 0


def test_session_expiry(seller, client):
    assert seller.get("/seller/orders").url.path == "/seller/orders"
    client.post("/admin/faults", json={"session_minutes": 0.005}, headers=ADMIN)  # 0.3 s
    time.sleep(0.4)
    r = seller.get("/seller/orders")
    assert r.url.path == "/seller/login" and "session expired" in r.text
    assert seller.get("/seller/orders").url.path == "/seller/login"  # the session is gone


def test_human_check_blocks_a_script_until_a_person_answers(seller, client, token, monkeypatch):
    from marketplace import faults

    client.post("/admin/faults", json={"human_check": True}, headers=ADMIN)
    r = seller.get("/seller/orders")
    assert r.url.path == "/seller/human-check" and "<h1>Human check</h1>" in r.text and 'id="human-check"' in r.text
    assert 'src="data:image/png;base64,' in r.text and 'name="code"' in r.text
    tok = token(seller, "/seller/human-check")
    r = seller.post("/seller/orders/S1000001/ship", data={"csrf_token": tok, "carrier": "x", "tracking": "y"})
    assert r.status_code == 403 and 'id="human-check"' in r.text
    r = seller.post("/seller/human-check", data={"csrf_token": tok, "code": "WRONG1", "next": "/seller/orders"})
    assert r.status_code == 403 and "not the code" in r.text
    # The test plays the person who reads the picture: it fixes the code the picture shows.
    monkeypatch.setattr(faults, "new_code", lambda: "KXWZPT")
    seller.get("/seller/human-check")
    r = seller.post("/seller/human-check", data={"csrf_token": tok, "code": "kxwzpt", "next": "/seller/orders"})
    assert r.url.path == "/seller/orders" and 'id="human-check"' not in r.text
    assert seller.get("/seller/listings").status_code == 200


def test_alternate_layout_renames_ids_and_moves_buttons(seller, client, buy):
    number = buy(client)
    normal = seller.get(f"/seller/orders/{number}").text
    assert 'id="ship-form"' in normal and normal.index('id="ship-form"') > normal.index('id="items"')
    client.post("/admin/faults", json={"alt_layout": True}, headers=ADMIN)
    alt = seller.get(f"/seller/orders/{number}").text
    assert 'id="ship-form"' not in alt and 'id="order-table"' not in seller.get("/seller/orders").text
    assert ">Ship now</button>" in alt and ">Cancel order</button>" in alt and "Refund" in alt
    assert alt.index("Ship now") < alt.index("<h2>Items</h2>")  # actions moved above the items
    assert 'name="carrier"' in alt and 'name="tracking"' in alt  # a person's labels and fields stay


def test_faults_from_env():
    settings = Settings.from_env({"MARKETPLACE_FAULT_LATENCY_MS": "50", "MARKETPLACE_FAULT_ERROR_RATE": "0.1",
                                  "MARKETPLACE_FAULT_SESSION_MINUTES": "30", "MARKETPLACE_FAULT_HUMAN_CHECK": "yes",
                                  "MARKETPLACE_FAULT_ALT_LAYOUT": "1", "MARKETPLACE_SIM_CLOCK": "1"})
    assert settings.faults == Faults(latency_ms=50, error_rate=0.1, session_minutes=30, human_check=True,
                                     alt_layout=True)
    assert settings.sim_clock
    with pytest.raises(ValueError):
        Settings.from_env({"MARKETPLACE_FAULT_LATENCY_MS": "soon"})


def test_faults_from_settings_apply_at_start(make_app):
    from fastapi.testclient import TestClient

    app = make_app(faults=Faults(error_rate=1.0), fault_seed=1)
    with TestClient(app) as c:
        assert c.get("/").status_code == 500
