"""What the order benchmarks share (bench/orders.py, bench/oscar_orders.py): the raw
Playwright figure's timing loop, the shop that sells the mug, and the timed sync-and-ship run."""

import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from agent.runner import Outcome, start_run
from agent.workflows.orders import goal_for
from agent.workspace import Workspace, load_settings, open_workspace
from store_data.db import session_scope
from store_data.rows import row_id
from store_data.shop import Product, Variant
from tools.drivers.browser import CHROMIUM_ARGS


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# The seller login of the sandbox marketplace's demo shop (--seed-demo).
SELLER = ("seller@example.com", "sandbox-seller")


def form_token(page: str) -> str:
    """The form token a marketplace page carries."""
    found = CSRF.search(page)
    if found is None:
        raise SystemExit(f"a marketplace page has no form token (is the marketplace up?): {page[:200]!r}")
    return found.group(1)


def start_marketplace(data: Path) -> tuple[subprocess.Popen, str]:
    """The sandbox marketplace with its demo shop on a free port, and its address."""
    process = subprocess.Popen([sys.executable, "-m", "marketplace", "serve", "--port", "0", "--data", str(data),
                                "--seed-demo"], stdout=subprocess.PIPE, text=True)
    if process.stdout is None:  # opened with stdout=PIPE
        raise SystemExit("the marketplace's output cannot be read")
    found = re.search(r"(http://\S+)", process.stdout.readline())
    if found is None:
        raise SystemExit("the marketplace did not print its address; see its output above")
    return process, found.group(1)


def submit_form(page, address: str, fields: dict[str, str], button: str) -> None:
    """Open `address`, fill the `fields` (CSS selector -> text) and submit with `button`,
    waiting for the page that follows: a hand-written form round trip."""
    page.goto(address)
    for selector, text in fields.items():
        page.fill(selector, text)
    with page.expect_navigation():
        page.click(button)


def time_raw(url: str, login: Callable, ship_one: Callable, numbers: list[str]) -> list[float]:
    """Seconds per `ship_one(page, url, number)`: hand-written Playwright calls in one
    Chromium page, after `login(page, url)`."""
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page()
        login(page, url)
        for number in numbers:
            start = time.perf_counter()
            ship_one(page, url, number)
            times.append(time.perf_counter() - start)
        browser.close()
    return times


def mug_shop(workdir, name: str, stock: int, **settings) -> Workspace:
    """A shop whose catalog is the one mug the marketplace sells (SKU MUG-01)."""
    workspace = open_workspace(load_settings(workdir, **settings))
    with session_scope(workspace.engine) as session:
        product = Product(handle="mug", name=name)
        session.add(product)
        session.flush()
        session.add(Variant(sku="MUG-01", product_id=row_id(product), cost_cents=500, price_cents=1450, stock=stock))
    return workspace


def sync_and_ship(workspace: Workspace, driver) -> tuple[Outcome, float, float]:
    """The `orders` workflow's sync_orders + fulfil_orders (one ship_order step per order):
    its outcome, its seconds in all, and the seconds until fulfilment began (the sync)."""
    goal = goal_for([{"tool": "sync_orders", "arguments": {}, "why": "bench"},
                     {"tool": "fulfil_orders", "arguments": {}, "why": "bench"}])
    marks: dict[str, float] = {}
    start = time.perf_counter()
    outcome = start_run(workspace, "orders", goal, driver=driver,
                        progress=lambda position, steps: marks.setdefault(steps[position]["tool"], time.perf_counter()))
    elapsed = time.perf_counter() - start
    return outcome, elapsed, marks.get("fulfil_orders", start) - start


def buy(url: str, n: int, listing_id: int | str = 2) -> str:
    """Buyer `n`'s guest checkout of one of the single-SKU listing `listing_id` (the demo mug by
    default); the new order's number."""
    with httpx.Client(base_url=url, follow_redirects=True) as buyer:
        token = form_token(buyer.get(f"/products/{listing_id}").text)
        buyer.post("/cart/add", data={"csrf_token": token, "listing_id": listing_id, "variant_id": 0, "qty": 1})
        r = buyer.post("/checkout", data={
            "csrf_token": token, "name": f"Buyer {n}", "email": f"b{n}@example.com", "address1": "1 Main St",
            "city": "Denver", "region": "CO", "postcode": "80202", "country": "USA",
            "card_number": "4242 4242 4242 4242"})
        return r.url.path.rsplit("/", 1)[1]
