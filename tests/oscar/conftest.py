"""A real django-oscar shop per test, started on 127.0.0.1 from a temp folder.

The shop (bench/oscar_shop/) is prepared (tables, seed) once per session; each test copies
that folder and starts its own server process, as `shop.py serve`, the way a demo does.
Buyers order through Oscar's storefront checkout over HTTP. Only the model is faked (and
these tests need none).
"""

import importlib.util
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("oscar", reason="the `oscar` extra is not installed (pip install -e '.[oscar]')")

SHOP = Path(__file__).resolve().parents[2] / "bench" / "oscar_shop"
STAFF = ("staff@example.com", "oscar-staff")  # shop.py's defaults
READY = re.compile(r"Oscar shop running at (http://127\.0\.0\.1:\d+)")
_spec = importlib.util.spec_from_file_location("oscar_shop_buyer", SHOP / "buyer.py")
assert _spec is not None and _spec.loader is not None, SHOP / "buyer.py"
buyer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(buyer)


@dataclass
class OscarShop:
    url: str
    data: Path

    def buy(self, product_id: str, quantity: int = 1, email: str = "ann@example.com", child_id: str | None = None) -> str:
        """A guest buys through the storefront checkout; returns Oscar's order number."""
        return buyer.place_order(self.url, product_id, quantity, email, child_id=child_id)


@pytest.fixture(scope="session")
def oscar_template(tmp_path_factory) -> Path:
    """One prepared (tables made, seeded) shop folder for the session."""
    folder = tmp_path_factory.mktemp("oscar-template")
    subprocess.run([sys.executable, str(SHOP / "shop.py"), "prepare", "--data", str(folder)], check=True,
                   capture_output=True, timeout=300)
    return folder


@pytest.fixture
def start_oscar_shop(tmp_path, oscar_template):
    """Start the test shop served as a shop set up its own way (see bench/oscar_shop/settings.py):
    `language` is its LANGUAGE_CODE, `pipeline` its order pipeline (`shipped` or `complete`)."""
    started = []

    def start(language: str = "en-us", pipeline: str = "shipped") -> OscarShop:
        data = tmp_path / "oscar"
        log = (tmp_path / "oscar.log").open("w")
        env = {**os.environ, "OSCAR_SHOP_LANGUAGE": language, "OSCAR_SHOP_PIPELINE": pipeline}
        process = subprocess.Popen([sys.executable, str(SHOP / "shop.py"), "serve", "--data", str(data),
                                    "--copy-from", str(oscar_template)], stdout=subprocess.PIPE, stderr=log,
                                   text=True, env=env)
        started.append((process, log))
        assert process.stdout is not None
        for line in process.stdout:
            found = READY.search(line)
            if found:
                return OscarShop(url=found.group(1), data=data)
        pytest.fail(f"the Oscar shop did not start; see {tmp_path / 'oscar.log'}")

    yield start
    for process, log in started:
        process.terminate()
        process.wait(15)
        log.close()


@pytest.fixture
def oscar_shop(start_oscar_shop):
    return start_oscar_shop()
