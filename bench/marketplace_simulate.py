"""Simulated orders generated per second, through a real marketplace server over HTTP.

Starts ``python -m marketplace serve --seed-demo --sim-clock`` on 127.0.0.1 and runs the
buyer traffic simulator against it.

    python bench/marketplace_simulate.py [--days 14] [--rate 200] [--seed 1]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import date

from marketplace.simulator import simulate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--rate", type=float, default=200.0, help="mean product visits per day")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        server = subprocess.Popen([sys.executable, "-m", "marketplace", "serve", "--port", "0", "--data", data,
                                   "--seed-demo", "--sim-clock"], stdout=subprocess.PIPE, text=True)
        try:
            printed = server.stdout.readline().split() if server.stdout else []  # opened with stdout=PIPE
            if not printed:
                raise SystemExit("the marketplace did not print its address; see its output above")
            url = printed[-1]
            started = time.perf_counter()
            summary = simulate(url, args.days, args.seed, args.rate, start=date(2025, 1, 6))
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(10)
    counts = summary.counts
    requests = sum(counts[k] for k in ("visits", "add_to_carts", "orders", "messages"))
    print(f"simulated {args.days} days: {counts['orders']} orders, {counts['visits']} visits, "
          f"{counts['add_to_carts']} add-to-carts, {counts['messages']} messages, "
          f"{counts['reviews']} reviews in {elapsed:.1f} s")
    print(f"simulated orders generated: {counts['orders'] / elapsed:.2f} orders/s "
          f"({counts['visits'] / elapsed:.1f} visits/s, >= {requests / elapsed:.1f} buyer actions/s)")


if __name__ == "__main__":
    main()
