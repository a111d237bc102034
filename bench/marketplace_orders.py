"""Back-office order-list pages served per second by a real marketplace server.

Loads the τ² shop (1,000 orders) into a temporary folder, starts
``python -m marketplace serve`` on 127.0.0.1, logs in as the seller and fetches
``/seller/orders`` pages (20 orders each, cycling through pages and status filters).

    python bench/marketplace_orders.py [--seconds 10] [--clients 1]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

TAU = Path(__file__).resolve().parents[1] / "store_data" / "samples" / "tau_retail" / "db.json.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=1, help="concurrent logged-in sellers")
    parser.add_argument("--tau", default=str(TAU))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        subprocess.run([sys.executable, "-m", "marketplace", "load-tau", "--data", data, "--file", args.tau], check=True,
                       stdout=subprocess.DEVNULL)
        env = {**os.environ, "MARKETPLACE_SELLER_EMAIL": "bench@example.com", "MARKETPLACE_SELLER_PASSWORD": "bench-pw"}
        server = subprocess.Popen([sys.executable, "-m", "marketplace", "serve", "--port", "0", "--data", data],
                                  stdout=subprocess.PIPE, text=True, env=env)
        try:
            printed = server.stdout.readline().split() if server.stdout else []  # opened with stdout=PIPE
            if not printed:
                raise SystemExit("the marketplace did not print its address; see its output above")
            url = printed[-1]
            run(url, args.seconds, args.clients)
        finally:
            server.terminate()
            server.wait(10)


def run(url: str, seconds: float, clients: int) -> None:
    paths = [f"/seller/orders?page={p}" for p in range(1, 51)]
    paths += [f"/seller/orders?status={s}&page={p}" for s in ("pending", "delivered") for p in range(1, 6)]
    counts = [0] * clients
    stop = time.perf_counter() + seconds

    def worker(n: int) -> None:
        with httpx.Client(base_url=url) as c:
            found = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/seller/login").text)
            if found is None:
                raise SystemExit("the marketplace's login page has no form token")
            token = found.group(1)
            r = c.post("/seller/login", data={"csrf_token": token, "email": "bench@example.com",
                                              "password": "bench-pw", "next": "/seller/orders"}, follow_redirects=True)
            assert "1000 orders" in r.text, "login failed"
            i = 0
            while time.perf_counter() < stop:
                response = c.get(paths[i % len(paths)])
                assert response.status_code == 200 and 'data-order="' in response.text
                counts[n] += 1
                i += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    total = sum(counts)
    print(f"back-office order-list pages: {total} in {elapsed:.1f} s with {clients} client(s) "
          f"-> {total / elapsed:.1f} pages/s ({elapsed / total * 1000:.1f} ms/page, 20 orders/page, τ² shop of 1000 orders)")


if __name__ == "__main__":
    main()
