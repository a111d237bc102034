"""Orders per minute through the Vendure API driver next to the sandbox's browser driver, on
the same orders: N one-mug orders placed on each platform by buyers (the sandbox's storefront
checkout; Vendure's Shop API), then the `orders` workflow's sync_orders + fulfil_orders (one
ship_order step per order) through each driver, each into a shop of its own.

    .venv/bin/python bench/vendure_orders.py [--orders 100]

Then the parts of the stock lag (seconds from an order on one platform to the lower stock on
the other) that the drivers set: an order placed on one platform, one sync_orders through its
driver (the shop's free units fall), and the free units written to the other platform
(set_stock on Vendure) until the other platform shows them.
"""

import argparse
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from order_bench import SELLER, buy, mug_shop, start_marketplace, sync_and_ship  # bench/, beside this file
from orders import restock
from sqlmodel import Session, select

from store_data.shop import Variant
from tools.drivers.marketplace import ListingDraft
from tools.drivers.sandbox_browser import SandboxBrowserDriver
from tools.drivers.vendure_api import VendureApiDriver
from tools.order_sync import sync_orders
from vendure_shop import buyer  # bench/vendure_shop/buyer.py
from vendure_shop.shop import ADMIN, start


def _report(name: str, orders: int, outcome, elapsed: float, sync_s: float, extra: str = "") -> float:
    steps = outcome.summary.get("steps", {})
    shipped = steps.get("done", 0) - 2  # every step but the two stages is one ship_order
    ship_s = elapsed - sync_s
    rate = orders / elapsed * 60
    print(f"{name}: run {outcome.status}, {shipped} of {orders} shipped; sync {sync_s:.1f} s "
          f"({orders / sync_s * 60:.0f} orders/min), ship {ship_s:.1f} s ({orders / ship_s * 60:.0f} orders/min); "
          f"throughput {rate:.0f} orders/min{extra}")
    return rate


def _free(workspace, sku: str) -> int:
    with Session(workspace.engine) as session:
        variant = session.exec(select(Variant).where(Variant.sku == sku)).one()
        return variant.stock - variant.reserved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100)
    args = parser.parse_args()
    n = args.orders
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        process, url = start_marketplace(root / "marketplace")
        started = time.perf_counter()
        vendure = start(root / "vendure")
        print(f"Vendure shop cold start (seed, serve): {time.perf_counter() - started:.1f} s")
        try:
            stock = n + 50
            restock(url, stock)
            admin = VendureApiDriver(vendure.url, *ADMIN)
            admin.publish_listing(ListingDraft(sku="MUG-01", title="Stoneware coffee mug",
                                               description_html="<p>Mug</p>", price_cents=1450, stock=stock))
            ids = buyer.variant_ids(vendure.url)
            started = time.perf_counter()
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda i: buy(url, i), range(n)))
            sandbox_setup = time.perf_counter() - started
            started = time.perf_counter()
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda i: buyer.place_order(vendure.url, {"MUG-01": 1}, f"b{i}@example.com", ids=ids),
                              range(n)))
            print(f"setup: {n} orders placed on each platform: sandbox storefront {sandbox_setup:.1f} s, "
                  f"Vendure Shop API {time.perf_counter() - started:.1f} s")

            browser_shop = mug_shop(root / "browser-shop", "Stoneware coffee mug", stock, marketplace_url=url,
                                    marketplace_password=SELLER[1], budget_steps={"orders": n + 100})
            browser = SandboxBrowserDriver(url, SELLER[0], SELLER[1], browser_shop.runs)
            browser.login()
            outcome, elapsed, sync_s = sync_and_ship(browser_shop, browser)
            browser_rate = _report("browser driver (sandbox back-office, Chromium)", n, outcome, elapsed, sync_s)

            api_shop = mug_shop(root / "api-shop", "Stoneware coffee mug", stock, platform="vendure",
                                marketplace_url=vendure.url, marketplace_user=ADMIN[0],
                                marketplace_password=ADMIN[1], budget_steps={"orders": n + 100})
            admin.login()
            before = admin.client.requests
            outcome, elapsed, sync_s = sync_and_ship(api_shop, admin)
            requests = admin.client.requests - before
            api_rate = _report("API driver (Vendure Admin API)", n, outcome, elapsed, sync_s,
                               f"; {requests} GraphQL requests ({requests / n:.1f} per order)")
            print(f"API driver / browser driver: {api_rate / browser_rate:.2f}x the orders per minute")

            # Stock lag parts: an order on one platform until the other shows the lower stock.
            for _ in range(3):
                placed = time.perf_counter()
                buy(url, 10_000)
                sync_orders(browser_shop.tool_deps(driver=browser))
                synced = time.perf_counter()
                admin.set_stock({"MUG-01": _free(browser_shop, "MUG-01")})
                pushed = time.perf_counter()
                shown = admin.stock("MUG-01")
                print(f"stock lag, sandbox order -> Vendure: {synced - placed:.2f} s (checkout on the sandbox and one "
                      f"sync_orders through the browser driver: the shop's free units lowered) + set_stock on Vendure "
                      f"{pushed - synced:.3f} s = {pushed - placed:.2f} s; Vendure shows {shown} units")
            for _ in range(3):
                placed = time.perf_counter()
                buyer.place_order(vendure.url, {"MUG-01": 1}, "lag@example.com", ids=ids)
                sync_orders(api_shop.tool_deps(driver=admin))
                synced = time.perf_counter()
                print(f"stock lag, Vendure order -> the shop's records: {synced - placed:.2f} s (checkout through "
                      f"the Shop API and one sync_orders through the API driver); free units now "
                      f"{_free(api_shop, 'MUG-01')}")
            browser.close()
            admin.close()
        finally:
            process.terminate()
            process.wait(15)
            vendure.stop()


if __name__ == "__main__":
    main()
