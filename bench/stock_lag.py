"""Stock lag: seconds from an order on one platform to the lower stock shown on the other,
for a shop on the sandbox and a django-oscar shop with one stock pool.

    python bench/stock_lag.py [--orders 5]

Both shops start fresh on 127.0.0.1 (the sandbox started by the shop itself, as a run starts
it); the mug is published on both. Then, `--orders` times: a guest buys a mug through
Oscar's storefront checkout, and one stock pass (`shopagent stock`: every platform's new
orders, then the pool's free units shown on each) runs at once. The lag is from the order
to the end of that pass; the sandbox's inventory page is then read to check it shows one
mug fewer. Under `shopagent serve` a pass starts every `stock_interval` seconds, so an
order waits on average half that interval more.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from oscar_orders import STAFF, buyer, start_shop  # bench/oscar_orders.py, beside this file
from order_bench import mug_shop  # bench/order_bench.py
from agent.operator import operator
from agent.runner import start_run
from agent.workflows.orders import goal_for

STOCK = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=5, help="orders placed on Oscar, one stock pass each")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        process, url, cold = start_shop(root / "oscar")
        print(f"Oscar shop cold start: {cold:.1f} s")
        try:
            workspace = mug_shop(root / "shop", "Stoneware mug", STOCK, platforms=["sandbox", "oscar"],
                                 approval_mode="auto", marketplace_password="sandbox-seller",
                                 platform_logins={"oscar": {"url": url, "user": STAFF[0], "password": STAFF[1]}})
            with operator(workspace) as op:
                sandbox = op.drivers["sandbox"]
                calls = [{"tool": "publish_listing", "arguments": {"sku": "MUG-01"}, "why": "bench", "platform": name}
                         for name in ("sandbox", "oscar")]
                started = time.perf_counter()
                published = start_run(workspace, "orders", goal_for(calls), drivers=op.drivers)
                print(f"published on both: {published.status} in {time.perf_counter() - started:.1f} s "
                      f"(sandbox start and both logins included)")
                oscar_product = op.drivers["oscar"].find_listing("MUG-01")
                if oscar_product is None:
                    raise SystemExit("the mug is not on the Oscar shop; see the run's steps")
                shown = sandbox.listed_stock()["MUG-01"]
                lags, passes = [], []
                for n in range(args.orders):
                    ordered = time.perf_counter()
                    buyer.place_order(url, oscar_product[0], 1, f"lag{n}@example.com")
                    placed = time.perf_counter()
                    outcome = start_run(workspace, "stock", "stock pool", llm=op.llm, drivers=op.drivers)
                    done = time.perf_counter()
                    now = sandbox.listed_stock()["MUG-01"]
                    if outcome.status != "completed" or now != shown - 1:
                        raise SystemExit(f"pass {n + 1}: {outcome.status}; the sandbox shows {now} mugs, "
                                         f"expected {shown - 1}")
                    shown = now
                    lags.append(done - ordered)
                    passes.append(done - placed)
        finally:
            process.terminate()
            process.wait(15)
    print(f"orders on Oscar: {args.orders}; after each, one stock pass; the sandbox showed one mug fewer each time")
    print(f"stock lag, order placed to lower stock on the sandbox: median {statistics.median(lags):.1f} s, "
          f"max {max(lags):.1f} s")
    print(f"stock pass alone (sync both platforms, push the pool): median {statistics.median(passes):.1f} s")
    print("under `serve`: add on average stock_interval / 2 (150 s at the default 300 s)")


if __name__ == "__main__":
    main()
