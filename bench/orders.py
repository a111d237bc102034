"""Order handling throughput: sync and ship N orders through the real path (the `orders`
workflow's executor, the browser driver, the shop's database) against a real sandbox
marketplace process, and, in the same run, the latency of a raw Playwright form submission
(open the order, fill carrier and tracking, submit, wait for the page) on the same back-office.

    .venv/bin/python bench/orders.py [--orders 500] [--raw 30] [--platform sandbox|oscar]

Prints orders per minute (target >= 120) and the shop's time per order over the raw
submission's (target <= 5x). With `--platform oscar` the platform is a real django-oscar
shop (bench/oscar_shop/, the `oscar` extra): its cold start, a product made through the
dashboard, guests' storefront checkouts, then the same sync-and-ship run through the
Oscar dashboard driver; the raw figure is a hand-written shipping-event submission.
"""

import argparse
import os
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from order_bench import (  # bench/order_bench.py, beside this file
    SELLER, buy, form_token, mug_shop, start_marketplace, submit_form, sync_and_ship, time_raw)
from tools.drivers.sandbox_browser import SandboxBrowserDriver





def restock(url: str, units: int) -> None:
    """The seller puts enough mugs on the listing (through the back-office form, over HTTP)."""
    with httpx.Client(base_url=url, follow_redirects=True) as seller:
        token = form_token(seller.get("/seller/login").text)
        seller.post("/seller/login", data={"csrf_token": token, "email": SELLER[0], "password": SELLER[1]})
        page = seller.get("/seller/listings/2").text
        token = form_token(page)
        r = seller.post("/seller/listings/2", data={"csrf_token": token, "title": "Stoneware coffee mug", "sku": "MUG-01",
                                                    "price": "14.50", "stock": str(units), "category": "Kitchen",
                                                    "tags": "", "description": "<p>Mug</p>", "variant_rows": "3",
                                                    "action": "save"})
        r.raise_for_status()


def _login(page, url: str) -> None:
    submit_form(page, f"{url}/seller/login", {"#email": SELLER[0], "#password": SELLER[1]}, "button[type=submit]")


def _ship(page, url: str, number: str) -> None:
    submit_form(page, f"{url}/seller/orders/{number}", {"#carrier": "Raw Post", "#tracking": f"RAW{number}"},
                "#ship-form button")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--raw", type=int, default=30, help="raw submissions to time")
    parser.add_argument("--platform", choices=["sandbox", "oscar"], default="sandbox")
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    if args.platform == "oscar":
        from oscar_orders import run_oscar  # bench/oscar_orders.py, beside this file

        run_oscar(args.orders, args.raw)
        return
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        process, url = start_marketplace(root / "marketplace")
        try:
            restock(url, args.orders + args.raw + 10)
            started = time.perf_counter()
            with ThreadPoolExecutor(4) as pool:
                raw_numbers = list(pool.map(lambda n: buy(url, n), range(args.raw)))
            raw = time_raw(url, _login, _ship, raw_numbers)  # these are shipped before the shop's first sync
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda n: buy(url, n), range(args.raw, args.raw + args.orders)))
            print(f"setup: {args.orders + args.raw} orders placed on the storefront in {time.perf_counter() - started:.1f} s")

            workspace = mug_shop(root / "shop", "Stoneware coffee mug", args.orders + args.raw + 10,
                                 marketplace_url=url, marketplace_password=SELLER[1],
                                 budget_steps={"orders": args.orders + 100})
            driver = SandboxBrowserDriver(url, SELLER[0], SELLER[1], workspace.runs)
            driver.login()  # the raw figure starts logged in too
            outcome, elapsed, sync_s = sync_and_ship(workspace, driver)
            driver.close()
        finally:
            process.terminate()
            process.wait(15)
    steps = outcome.summary.get("steps", {})
    shipped = steps.get("done", 0) - 2  # every step but the two stages is one ship_order
    ship_s = elapsed - sync_s
    per_order = elapsed / args.orders
    raw_mean = statistics.mean(raw)
    print(f"run {outcome.run_id}: {outcome.status}, steps {steps}")
    print(f"orders synced and shipped: {shipped} of {args.orders}")
    print(f"sync: {sync_s:.1f} s ({args.orders / sync_s * 60:.0f} orders/min); "
          f"ship: {ship_s:.1f} s ({args.orders / ship_s * 60:.0f} orders/min)")
    print(f"throughput: {args.orders / elapsed * 60:.0f} orders/min (target >= 120)")
    print(f"per order: {per_order * 1000:.0f} ms; raw Playwright ship submission: {raw_mean * 1000:.0f} ms "
          f"(median {statistics.median(raw) * 1000:.0f} ms over {len(raw)})")
    print(f"ratio: {per_order / raw_mean:.2f}x the raw submission (target <= 5x)")


if __name__ == "__main__":
    main()
