"""One real sandbox marketplace process for the session, a real headless Chromium per test.

The marketplace runs as `python -m marketplace serve --port 0` on 127.0.0.1, exactly as
the operator starts it. Tests share it, so each test buys its own orders and asserts on
those; fault switches are turned off after every test. Only the model is ever faked.
"""

import os
import re
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from agent.workspace import load_settings, open_workspace
from store_data.db import session_scope
from store_data.shop import Product, Variant
from tests.order_helpers import buy_on_sandbox, csrf_token
from tools.drivers.sandbox_browser import SandboxBrowserDriver

ADMIN_TOKEN = "orders-test-admin"
OFF = {"latency_ms": 0, "error_rate": 0, "session_minutes": 0, "human_check": False, "alt_layout": False,
       "fail_posts": 0}
# The demo shop's listings (marketplace --seed-demo): listing id, variant id, SKU.
MUG, TEE_M, LAMP = (2, 0, "MUG-01"), (1, 2, "TEE-01-M"), (4, 0, "LAMP-01")


@dataclass
class Market:
    url: str
    data: Path

    def faults(self, **switches) -> dict:
        r = httpx.post(f"{self.url}/admin/faults", json=switches, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        r.raise_for_status()
        return r.json()

    def buyer(self, at: datetime | None = None) -> httpx.Client:
        """A buyer's HTTP client; with `at`, the marketplace's clock reads that time for them."""
        headers = {"X-Sim-Time": at.isoformat()} if at else {}
        return httpx.Client(base_url=self.url, follow_redirects=True, timeout=30, headers=headers)

    def buy(self, item=MUG, qty: int = 1, email: str = "ann@example.com",
            at: datetime | None = None) -> tuple[str, httpx.Client]:
        """A buyer orders through the storefront over HTTP (placed `at`, when given); returns the
        order number and their client."""
        listing_id, variant_id, _ = item
        client = self.buyer(at)
        return buy_on_sandbox(client, listing_id, variant_id, qty, email), client

    def buyer_act(self, client: httpx.Client, number: str, action: str, **data) -> httpx.Response:
        token = csrf_token(client.get(f"/orders/{number}").text)
        r = client.post(f"/orders/{number}/{action}", data={"csrf_token": token, **data})
        assert r.status_code == 200, r.text[:500]
        return r


@pytest.fixture
def items():
    """The demo listings to buy (handed over as a fixture: test modules cannot import this file)."""
    return SimpleNamespace(MUG=MUG, TEE_M=TEE_M, LAMP=LAMP)


def _serve_market(data: Path):
    env = {**os.environ, "MARKETPLACE_ADMIN_TOKEN": ADMIN_TOKEN, "MARKETPLACE_FAULT_SEED": "7"}
    process = subprocess.Popen([sys.executable, "-m", "marketplace", "serve", "--port", "0", "--data", str(data),
                                "--seed-demo", "--sim-clock"], stdout=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None
    try:
        line = process.stdout.readline()
        match = re.search(r"(http://\S+)", line)
        assert match, f"the marketplace did not start: {line!r}"
        _stock_up(data / "marketplace.db")
        yield Market(url=match.group(1), data=data)
    finally:
        process.terminate()
        process.wait(15)


@pytest.fixture(scope="module")
def market(tmp_path_factory):
    """A marketplace for each test module: a shop syncs every order on its marketplace, so
    another module's orders (its buyer messages, failed shipments, back-dated orders) must
    not be there, whichever modules ran before it and wherever."""
    yield from _serve_market(tmp_path_factory.mktemp("marketplace"))


def _stock_up(database: Path) -> None:
    """Every test module buys from the same demo listings: give them stock enough for all."""
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE listing SET stock = 100000 WHERE stock > 0")
        connection.execute("UPDATE variant SET stock = 10000 WHERE stock > 0")


@pytest.fixture(autouse=True)
def _faults_off(request):
    yield
    if "market" in request.fixturenames:
        request.getfixturevalue("market").faults(**OFF)


@pytest.fixture
def workspace(workdir, market):
    """A shop on the shared marketplace, with the demo SKUs in its catalog and stock."""
    settings = load_settings(workdir, marketplace_url=market.url, marketplace_password="sandbox-seller",
                             browser_retries=4)
    ws = open_workspace(settings)
    with session_scope(ws.engine) as session:
        for handle, name, skus in (("mug", "Stoneware coffee mug", [("MUG-01", 20)]),
                                   ("tee", "Organic cotton T-shirt", [("TEE-01-M", 20)]),
                                   ("lamp", "Desk lamp", [("LAMP-01", 0)])):
            product = Product(handle=handle, name=name)
            session.add(product)
            session.flush()
            for sku, stock in skus:
                session.add(Variant(sku=sku, product_id=product.id, cost_cents=500, price_cents=1450, stock=stock))
    return ws


@pytest.fixture
def driver(workspace, market):
    d = SandboxBrowserDriver(market.url, "seller@example.com", "sandbox-seller", workspace.runs, backoff_s=0.05,
                             retries=4)
    yield d
    d.close()
