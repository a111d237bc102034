"""A real Vendure shop (bench/vendure_shop/) per test module, on 127.0.0.1.

The shop's npm packages are installed once (`npm ci` when node_modules is missing, about
40 s); each module then starts its own server on a fresh database (about 15 s), seeded
with a zone, a tax rate, a shipping method and the sandbox card. Buyers order through
Vendure's Shop API, as a storefront would. Only the model is faked (and these tests need
none). Tests share a module's shop, so each one uses SKUs of its own.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

SHOP = Path(__file__).resolve().parents[2] / "bench" / "vendure_shop"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"vendure_shop_{name}", SHOP / f"{name}.py")
    assert spec is not None and spec.loader is not None, SHOP / f"{name}.py"
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


shop = _load("shop")
buyer = _load("buyer")

if shop.missing_node():
    pytest.skip(f"the Vendure shop needs Node.js: {shop.missing_node()}", allow_module_level=True)


@pytest.fixture(scope="session")
def vendure_installed() -> None:
    shop.install()


@pytest.fixture(scope="module")
def vendure(vendure_installed, tmp_path_factory):
    """A running Vendure shop of this test module."""
    folder = tmp_path_factory.mktemp("vendure")
    with (folder / "server.log").open("w") as log:
        running = shop.start(folder / "data", log=log)
        yield running
        running.stop()


@pytest.fixture
def admin(vendure, tmp_path):
    """The API driver, signed in as the shop's administrator."""
    from tools.drivers.vendure_api import VendureApiDriver

    driver = VendureApiDriver(vendure.url, *shop.ADMIN, backoff_s=0.05)
    yield driver
    driver.close()


@pytest.fixture
def pictures(make_photo, tmp_path) -> list[Path]:
    return [make_photo(tmp_path / "front.jpg", color=(200, 40, 40)), make_photo(tmp_path / "back.jpg", color=(40, 40, 200))]


@pytest.fixture
def shop_api():
    """bench/vendure_shop/buyer.py: carts and checkouts through the Shop API."""
    return buyer
