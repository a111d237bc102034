"""Stock lag: seconds from an order on one platform to the lower stock shown on the other, for
a shop that sells on the sandbox and a second platform (Vendure, or a django-oscar shop) from
one stock pool.

    python bench/stock_lag.py [--other vendure|oscar] [--orders 5]

Both shops start fresh on 127.0.0.1 (the sandbox started by the shop itself, as a run starts
it) and the mug is published on both. Then, `--orders` times in each direction: a buyer
orders one mug on one platform (the sandbox's storefront; Vendure's Shop API; Oscar's
storefront checkout), and one stock pass (`shopagent stock`: every platform's new orders,
then the pool's free units shown on each) runs at once. The lag is from the order to the end
of that pass; the other platform is then read to check it shows one mug fewer. Under
`shopagent serve` a pass starts every `stock_interval` seconds, so an order waits on average
half that interval more.
"""

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from order_bench import buy, mug_shop  # bench/order_bench.py, beside this file
from agent.operator import operator
from agent.runner import start_run
from agent.workflows.orders import goal_for
from tools.drivers.marketplace import STOCK
from tools.drivers.sandbox_browser import SandboxBrowserDriver

STOCK_UNITS = 500


def _vendure(stack: ExitStack, root: Path) -> tuple[dict, Callable[[str], object]]:
    from vendure_shop import buyer, shop  # bench/vendure_shop/

    shop.install()
    running = shop.start(root / "vendure")
    stack.callback(running.stop)
    login = {"url": running.url, "user": shop.ADMIN[0], "password": shop.ADMIN[1]}
    return login, lambda email: buyer.place_order(running.url, {"MUG-01": 1}, email)


def _oscar(stack: ExitStack, root: Path) -> tuple[dict, Callable[[str], object]]:
    from oscar_orders import STAFF, buyer, start_shop  # bench/oscar_orders.py

    process, url, _ = start_shop(root / "oscar")
    stack.callback(process.wait, 15)
    stack.callback(process.terminate)
    product: list[str] = []

    def buy(email: str) -> None:
        buyer.place_order(url, product[0], 1, email)
    buy.product = product  # type: ignore[attr-defined]  # filled once the mug is published
    return {"url": url, "user": STAFF[0], "password": STAFF[1]}, buy


def _lags(name: str, orders: int, buy: Callable[[str], object], run_pass: Callable[[], str],
          shown: Callable[[], int]) -> list[float]:
    """Seconds from each of `orders` orders to the end of the stock pass that follows it."""
    lags = []
    before = shown()
    for n in range(orders):
        ordered = time.perf_counter()
        buy(f"lag-{name}-{n}@example.com")
        status = run_pass()
        lags.append(time.perf_counter() - ordered)
        now = shown()
        if status != "completed" or now != before - 1:
            raise SystemExit(f"{name}, pass {n + 1}: {status}; the other platform shows {now} mugs, expected {before - 1}")
        before = now
    return lags


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", choices=["vendure", "oscar"], default="vendure")
    parser.add_argument("--orders", type=int, default=5, help="orders per direction, one stock pass each")
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        root = Path(folder)
        login, buy_other = (_vendure if args.other == "vendure" else _oscar)(stack, root)
        workspace = mug_shop(root / "shop", "Stoneware mug", STOCK_UNITS, platforms=["sandbox", args.other],
                             approval_mode="auto", marketplace_password="sandbox-seller",
                             platform_logins={args.other: login})
        with operator(workspace) as op:
            sandbox, other = op.drivers["sandbox"], op.drivers[args.other]
            calls = [{"tool": "publish_listing", "arguments": {"sku": "MUG-01"}, "why": "bench", "platform": name}
                     for name in ("sandbox", args.other)]
            published = start_run(workspace, "orders", goal_for(calls), drivers=op.drivers)
            found = other.find_listing("MUG-01")
            if published.status != "completed" or found is None:
                raise SystemExit(f"publishing on both failed ({published.status}); see the run's steps")
            if args.other == "oscar":
                buy_other.product.append(found[0])  # type: ignore[attr-defined]

            def run_pass() -> str:
                return start_run(workspace, "stock", "stock pool", llm=op.llm, drivers=op.drivers).status

            assert isinstance(sandbox, SandboxBrowserDriver), "platform 'sandbox' is the sandbox's browser driver"
            sandbox_url = sandbox.base_url  # the sandbox the operator started
            listing = sandbox.find_listing("MUG-01")
            assert listing is not None, "published above"
            results = {f"{args.other} -> sandbox": _lags("to-sandbox", args.orders, buy_other, run_pass,
                                                         lambda: sandbox.listed_stock()["MUG-01"])}
            if STOCK in other.capabilities:
                results[f"sandbox -> {args.other}"] = _lags(
                    "from-sandbox", args.orders, lambda email: buy(sandbox_url, len(email), listing[0]),
                    run_pass, lambda: other.listed_stock()["MUG-01"])
    for direction, lags in results.items():
        print(f"stock lag {direction} (order placed to one mug fewer shown, through one stock pass), "
              f"{len(lags)} orders: median {statistics.median(lags):.1f} s, max {max(lags):.1f} s")
    print("under `serve`: add on average stock_interval / 2 (150 s at the default 300 s)")


if __name__ == "__main__":
    main()
