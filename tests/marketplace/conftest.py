"""Fixtures for the sandbox marketplace: an app per test on its own data folder.

Helpers are handed to tests as fixtures (``token``, ``buy``, ``login``, ``jpeg``, ``mp4``)
because the suite runs with ``--import-mode=importlib``, where test modules cannot import
each other.
"""

from __future__ import annotations

import io
import re
import shutil
import threading
import time
import warnings
from pathlib import Path

import pytest
import uvicorn
from PIL import Image

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette suggests httpx2; httpx is what we have
    from fastapi.testclient import TestClient

from marketplace.app import create_app
from marketplace.db import DB_FILE
from marketplace.settings import DEMO_SELLER_EMAIL, DEMO_SELLER_PASSWORD, Settings
from marketplace.tau import load_tau

TAU_FILE = Path(__file__).resolve().parents[2] / "store_data" / "samples" / "tau_retail" / "db.json.gz"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def token(client: TestClient, url: str = "/contact") -> str:
    """The session's CSRF token, read from a page's form as a browser would."""
    found = CSRF.search(client.get(url).text)
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def jpeg(size=(64, 64), color=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG")
    return buf.getvalue()


MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def login(client: TestClient, email=DEMO_SELLER_EMAIL, password=DEMO_SELLER_PASSWORD):
    """Log the client in as the seller; return the response."""
    return client.post("/seller/login", data={"csrf_token": token(client, "/seller/login"),
                                              "email": email, "password": password, "next": "/seller/orders"})


def buy(client: TestClient, listing_id: int = 2, variant_id: int = 0, qty: int = 1,
        email: str = "ann@example.com", sim_time: str | None = None) -> str:
    """Buy one product as a buyer; return the order number."""
    headers = {"X-Sim-Time": sim_time} if sim_time else {}
    tok = token(client, f"/products/{listing_id}")
    r = client.post("/cart/add", data={"csrf_token": tok, "listing_id": listing_id, "variant_id": variant_id,
                                       "qty": qty}, headers=headers)
    assert r.status_code == 200, r.text
    r = client.post("/checkout", headers=headers, data={
        "csrf_token": tok, "name": "Ann Lee", "email": email, "address1": "1 Main St", "city": "Denver",
        "region": "CO", "postcode": "80202", "country": "USA", "card_number": "4242 4242 4242 4242"})
    assert r.status_code == 200 and r.url.path.startswith("/orders/"), r.text
    return r.url.path.rsplit("/", 1)[1]


class LiveServer:
    """A real uvicorn server on 127.0.0.1 in a thread."""

    def __init__(self, app):
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                                   access_log=False))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def make_app(tmp_path):
    """Build an app on a fresh data folder; keyword arguments become Settings."""
    def build(data_dir: Path | None = None, **kw):
        kw.setdefault("seed_demo", True)
        kw.setdefault("admin_token", "test-admin-token")
        return create_app(data_dir or tmp_path / "data", Settings(**kw))
    return build


@pytest.fixture
def app(make_app):
    return make_app(sim_clock=True)


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


@pytest.fixture
def seller(app):
    """A logged-in seller's client on the demo shop."""
    with TestClient(app) as c:
        assert login(c).url.path == "/seller/orders"
        yield c


@pytest.fixture(scope="session")
def tau_template(tmp_path_factory):
    """The τ² shop, loaded once per session; tests copy it."""
    folder = tmp_path_factory.mktemp("tau")
    counts = load_tau(folder, TAU_FILE)
    return folder, counts


@pytest.fixture
def tau_dir(tau_template, tmp_path):
    folder = tmp_path / "tau"
    folder.mkdir()
    shutil.copy(tau_template[0] / DB_FILE, folder / DB_FILE)
    return folder


@pytest.fixture
def live_server(app):
    with LiveServer(app) as server:
        yield server


@pytest.fixture(name="token")
def _token():
    return token


@pytest.fixture(name="buy")
def _buy():
    return buy


@pytest.fixture(name="login")
def _login():
    return login


@pytest.fixture(name="jpeg")
def _jpeg():
    return jpeg


@pytest.fixture(name="mp4")
def _mp4():
    return MP4


@pytest.fixture
def tau_file():
    return TAU_FILE
