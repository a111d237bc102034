"""bench/orders.py --platform oscar: order throughput against a real django-oscar shop.

Cold start (tables, seed, serve until it answers), one product made through the
dashboard by the driver, guests' checkouts over HTTP, then the `orders` workflow's
sync_orders + fulfil_orders (one ship_order step per order) through the Oscar driver.
The raw figure is a hand-written Playwright shipping-event submission on the same shop.
"""

import importlib.util
import re
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from order_bench import mug_shop, submit_form, sync_and_ship, time_raw  # bench/order_bench.py, beside this file
from tools.drivers.marketplace import ListingDraft
from tools.drivers.oscar_browser import OscarBrowserDriver

SHOP = Path(__file__).resolve().parent / "oscar_shop"
STAFF = ("staff@example.com", "oscar-staff")
_spec = importlib.util.spec_from_file_location("oscar_shop_buyer", SHOP / "buyer.py")
if _spec is None or _spec.loader is None:
    raise SystemExit(f"cannot load {SHOP / 'buyer.py'}; is bench/oscar_shop complete?")
buyer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(buyer)


def start_shop(data: Path) -> tuple[subprocess.Popen, str, float]:
    """Prepare and serve a new shop; returns the process, its URL and the cold start in seconds."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(SHOP / "shop.py"), "serve", "--data", str(data)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in process.stdout or ():
        found = re.search(r"Oscar shop running at (\S+)", line)
        if found:
            return process, found.group(1), time.perf_counter() - started
    raise SystemExit("the Oscar shop did not start")


def _login(page, url: str) -> None:
    submit_form(page, f"{url}/dashboard/login/", {"#id_username": STAFF[0], "#id_password": STAFF[1]},
                "#dashboard_login_form [type=submit]")


def _ship(page, url: str, number: str) -> None:
    """A shipping event on the order's lines, as staff would add it."""
    page.goto(f"{url}/dashboard/orders/{number}/")
    page.check("#order_lines_form input[name=selected_line]")
    page.check("#shipping_event_check", force=True)
    page.select_option("#shipping_event_type_select", "shipped", force=True)
    page.fill("#reference_input", f"RAW{number}")
    with page.expect_navigation():
        page.click("#order_lines_form [type=submit]")


def run_oscar(orders: int, raw_count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        process, url, cold = start_shop(root / "oscar")
        print(f"Oscar shop cold start (tables, seed, serve): {cold:.1f} s")
        try:
            driver = OscarBrowserDriver(url, *STAFF, root / "runs")
            started = time.perf_counter()
            driver.login()
            product = driver.publish_listing(ListingDraft(sku="MUG-01", title="Stoneware mug",
                                                          description_html="<p>A mug.</p>", price_cents=1450,
                                                          stock=orders + raw_count + 10, category="Kitchen"))
            print(f"dashboard login and product create: {time.perf_counter() - started:.1f} s")
            driver.close()  # one Playwright per thread: the raw figure runs its own; the run signs in again
            started = time.perf_counter()
            with ThreadPoolExecutor(4) as pool:
                raw_numbers = list(pool.map(lambda n: buyer.place_order(url, product, 1, f"r{n}@example.com"),
                                            range(raw_count)))
            raw = time_raw(url, _login, _ship, raw_numbers)
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda n: buyer.place_order(url, product, 1, f"b{n}@example.com"), range(orders)))
            print(f"setup: {orders + raw_count} storefront checkouts and {raw_count} raw shipments in "
                  f"{time.perf_counter() - started:.1f} s")
            workspace = mug_shop(root / "shop", "Stoneware mug", orders + raw_count + 10, platform="oscar",
                                 marketplace_url=url, marketplace_user=STAFF[0], marketplace_password=STAFF[1],
                                 budget_steps={"orders": orders + raw_count + 100})
            outcome, elapsed, sync_s = sync_and_ship(workspace, driver)
            driver.close()
        finally:
            process.terminate()
            process.wait(15)
    steps = outcome.summary.get("steps", {})
    shipped = steps.get("done", 0) - 2  # every step but the two stages is one ship_order
    synced = orders + raw_count
    ship_s = elapsed - sync_s
    # The raw-shipped orders carry a shipping event but are still "Pending" on Oscar, so the
    # run ships them too: it moves their status and keeps the event made outside.
    print(f"run {outcome.run_id}: {outcome.status}, steps {steps}")
    print(f"orders synced: {synced}; shipped by the run: {shipped}")
    print(f"sync: {sync_s:.1f} s ({synced / sync_s * 60:.0f} orders/min); "
          f"ship: {ship_s:.1f} s ({shipped / ship_s * 60:.0f} orders/min)")
    print(f"throughput: {shipped / elapsed * 60:.0f} orders/min synced and shipped")
    per_order, raw_mean = ship_s / max(shipped, 1), statistics.mean(raw)
    print(f"per shipped order: {per_order * 1000:.0f} ms; raw Playwright shipping event: {raw_mean * 1000:.0f} ms "
          f"(median {statistics.median(raw) * 1000:.0f} ms over {len(raw)}); ratio {per_order / raw_mean:.2f}x")
