"""Kill the daily pass at random points, again and again, and check that nothing is lost.

    .venv/bin/python bench/crash_daily.py [--kills 30] [--days 4] [--rate 60] [--seed 1]

Sets up a shop on the sandbox marketplace's demo listings (the marketplace runs as its own
process, as a platform would), sends it simulated buyer traffic (orders, messages, refund
and return requests), then loops: start `shopagent daily`, or `shopagent resume` of the
run left unfinished, and SIGKILL it (with its browser) after a random delay. After every
kill it checks with plain sqlite3 that:

- `PRAGMA integrity_check` is ok for shop.db and runs/checkpoints.sqlite;
- no count of committed rows went down (orders, payments, shipments, runs, steps, approvals);
- no run has more than one Step left 'running' (the call the kill cut off).

At the end every unfinished run is resumed until it completes or waits for the owner: each
resume must exit cleanly, no Step may be left 'running', every daily run must have run its
sales report, and neither the shop nor the marketplace's own database may show an order
shipped twice or money refunded twice. Prints the figures; exits 1 if it found a failure.
Runs in a temporary work directory (kept, and named, when a failure is found).
"""

import argparse
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from store_data.db import make_engine, session_scope, sqlite_url  # noqa: E402
from store_data.rows import row_id  # noqa: E402
from store_data.shop import Product, Variant  # noqa: E402

SHOPAGENT = Path(sys.executable).parent / "shopagent"
# The sandbox's demo listings (marketplace --seed-demo), by SKU, as the shop's own catalog.
DEMO_SKUS = {"tee": ["TEE-01-S", "TEE-01-M", "TEE-01-L"], "mug": ["MUG-01"], "bottle": ["BOTTLE-01"],
             "lamp": ["LAMP-01"], "socks": ["SOCKS-01"]}
COUNTED = ("order", "orderline", "payment", "shipment", "run", "step", "approval")
UNFINISHED = ("running", "failed")  # what a killed run is left as; `resume` continues both
# Enough scripted replies for every buyer thread: each one is drafted and left to the owner.
REPLY = {"reply": "Thank you for your message; we are looking into it and will write back soon.",
         "escalate": True, "reason": "the owner reads every buyer message in this shop"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shopagent(workdir: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([str(SHOPAGENT), *args, "--workdir", str(workdir)], capture_output=True, text=True,
                          env=clean_env(), timeout=timeout)


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SHOPAGENT_")}


def set_up(workdir: Path, days: int, rate: float, seed: int) -> tuple[subprocess.Popen, str]:
    """The shop's settings and catalog, the marketplace process and its buyer traffic; returns
    the process and its URL."""
    port = free_port()
    (workdir / "script.json").write_text(json.dumps([REPLY] * 500))
    (workdir / "shopagent.toml").write_text(
        f'approval_mode = "auto"\nmarketplace_url = "http://127.0.0.1:{port}"\n'
        f'marketplace_password = "bench-seller"\nllm_provider = "scripted"\n'
        f'llm_script = "{workdir / "script.json"}"\n')
    engine = make_engine(sqlite_url(workdir / "shop.db"))
    with session_scope(engine) as session:
        for handle, skus in DEMO_SKUS.items():
            product = Product(handle=handle, name=handle.title())
            session.add(product)
            session.flush()
            for sku in skus:
                session.add(Variant(sku=sku, product_id=row_id(product), cost_cents=500, price_cents=1500, stock=10_000))
    engine.dispose()
    market = subprocess.Popen([str(SHOPAGENT), "marketplace", "serve", "--workdir", str(workdir), "--port", str(port),
                               "--seed-demo"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=clean_env(), start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.5)
    simulate(url, days, rate, seed)
    return market, url


def simulate(url: str, days: int, rate: float, seed: int) -> None:
    """Buyer traffic over the last `days` days: orders, messages, refund and return requests."""
    traffic = subprocess.run([str(SHOPAGENT), "marketplace", "simulate", "--url", url, "--days", str(days),
                              "--rate", str(rate), "--seed", str(seed)], capture_output=True, text=True,
                             env=clean_env(), timeout=900)
    if traffic.returncode != 0:
        raise SystemExit(f"simulate failed: {traffic.stderr[-2000:]}")


def read(path: Path, sql: str, *args) -> list[tuple]:
    """Plain sqlite3, read-only: what is committed, as another program would see it."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as connection:
        return connection.execute(sql, args).fetchall()


def shop_counts(workdir: Path) -> dict[str, int]:
    return {table: read(workdir / "shop.db", f'SELECT count(*) FROM "{table}"')[0][0] for table in COUNTED}


def check_after_kill(workdir: Path, before: dict[str, int], failures: list[str], label: str) -> dict[str, int]:
    for path in (workdir / "shop.db", workdir / "runs" / "checkpoints.sqlite"):
        if path.exists() and (result := read(path, "PRAGMA integrity_check")) != [("ok",)]:
            failures.append(f"{label}: {path.name} integrity_check says {result[:3]}")
    counts = shop_counts(workdir)
    for table, count in counts.items():
        if count < before.get(table, 0):
            failures.append(f"{label}: {table} rows went from {before[table]} to {count}")
    for run_id, running in read(workdir / "shop.db", "SELECT run_id, count(*) FROM step WHERE status = 'running' "
                                                     "GROUP BY run_id HAVING count(*) > 1"):
        failures.append(f"{label}: run {run_id} has {running} steps left 'running'")
    return counts


def unfinished_run(workdir: Path) -> str | None:
    rows = read(workdir / "shop.db", "SELECT id FROM run WHERE workflow = 'daily' AND status IN (?, ?) "
                                     "ORDER BY started_at DESC LIMIT 1", *UNFINISHED)
    return rows[0][0] if rows else None


def kill_loop(workdir: Path, kills: int, rng: random.Random, min_delay: float, max_delay: float,
              failures: list[str], traffic: tuple[str, float] | None = None,
              from_first_step: bool = False) -> dict[str, int]:
    """Start or resume the daily pass and kill it, `kills` times. With `traffic` (url, rate),
    a day of new buyer traffic arrives every ten kills, so later passes have new work. With
    `from_first_step`, each delay counts from the pass's first recorded step, so a kill lands
    inside the pass however slowly the process starts (a loaded machine)."""
    figures = {"kills": 0, "starts": 0, "resumes": 0, "ended_before_kill": 0}
    counts, fed_at = shop_counts(workdir), 0
    while figures["kills"] < kills:
        if traffic and figures["kills"] % 10 == 0 and figures["kills"] > fed_at:
            fed_at = figures["kills"]
            simulate(traffic[0], 1, traffic[1], seed=rng.randrange(1 << 30))
            figures["traffic_days_added"] = figures.get("traffic_days_added", 0) + 1
        run_id = unfinished_run(workdir)
        args = ["resume", run_id] if run_id else ["daily"]
        figures["resumes" if run_id else "starts"] += 1
        # Its own process group: the kill takes the browser with it, as a crash of the machine would.
        process = subprocess.Popen([str(SHOPAGENT), *args, "--workdir", str(workdir)], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True, env=clean_env(), start_new_session=True)
        delay = rng.uniform(min_delay, max_delay)
        if from_first_step:
            steps = shop_counts(workdir)["step"] if (workdir / "shop.db").exists() else 0
            waited = time.monotonic()
            while process.poll() is None and time.monotonic() - waited < 300 and \
                    shop_counts(workdir)["step"] == steps:
                time.sleep(0.2)
        try:
            _, stderr = process.communicate(timeout=delay)
            figures["ended_before_kill"] += 1
            if process.returncode not in (0, 3) or "Traceback" in stderr:
                failures.append(f"{' '.join(args)} exited {process.returncode}: {stderr.strip()[-500:]}")
            label = f"after '{' '.join(args)}' ended by itself"
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            figures["kills"] += 1
            label = f"kill {figures['kills']} ({' '.join(args)}, {delay:.1f} s)"
        counts = check_after_kill(workdir, counts, failures, label)
        print(f"{label}: steps {counts['step']}, orders {counts['order']}, shipments {counts['shipment']}, "
              f"refunds+payments {counts['payment']}", flush=True)
    return figures


def finish_runs(workdir: Path, failures: list[str]) -> dict[str, int]:
    """Resume every unfinished run (and every paused one, once) until it completes or pauses."""
    figures = {"final_resumes": 0}
    runs = read(workdir / "shop.db", "SELECT id FROM run WHERE status NOT IN ('completed', 'stopped')")
    for (run_id,) in runs:
        for _ in range(3):  # a resume that ends 'failed' (a tool's fault) may be resumed again
            result = shopagent(workdir, "resume", run_id)
            figures["final_resumes"] += 1
            if result.returncode not in (0, 3) or "Traceback" in result.stderr:
                failures.append(f"resume {run_id} exited {result.returncode}: {result.stderr.strip()[-500:]}")
            status = read(workdir / "shop.db", "SELECT status FROM run WHERE id = ?", run_id)[0][0]
            if status not in UNFINISHED:
                break
    statuses = dict(read(workdir / "shop.db", "SELECT status, count(*) FROM run GROUP BY status"))
    figures.update({f"runs_{status}": count for status, count in statuses.items()})
    for status in UNFINISHED:
        if statuses.get(status):
            failures.append(f"{statuses[status]} run(s) still '{status}' after resuming")
    return figures


def check_effects(workdir: Path, failures: list[str]) -> dict[str, int]:
    shop, market = workdir / "shop.db", workdir / "marketplace" / "marketplace.db"
    for run_id, position, tool in read(shop, "SELECT run_id, position, tool FROM step WHERE status = 'running'"):
        failures.append(f"run {run_id} step {position} ({tool}) left 'running'")
    for (run_id,) in read(shop, "SELECT id FROM run WHERE workflow = 'daily' AND status IN ('completed', 'paused') "
                                "AND id NOT IN (SELECT run_id FROM step WHERE tool = 'sales_report' AND status = 'done')"):
        failures.append(f"run {run_id} ended without its sales report")
    for number, shipments in read(market, 'SELECT o.number, count(*) FROM shipment s JOIN "order" o ON o.id = s.order_id '
                                          "GROUP BY s.order_id HAVING count(*) > 1"):
        failures.append(f"marketplace order {number} shipped {shipments} times")
    for number, paid, refunded in read(market, """
            SELECT o.number, sum(CASE WHEN p.kind = 'payment' THEN p.amount_cents ELSE 0 END),
                   sum(CASE WHEN p.kind = 'refund' THEN p.amount_cents ELSE 0 END)
            FROM payment p JOIN "order" o ON o.id = p.order_id GROUP BY p.order_id"""):
        if refunded > paid:
            failures.append(f"marketplace order {number} refunded {refunded} of {paid} cents paid")
    for note, times in read(market, "SELECT note, count(*) FROM payment WHERE kind = 'refund' AND note != '' "
                                    "GROUP BY note HAVING count(*) > 1"):
        failures.append(f"marketplace refund '{note}' made {times} times")
    for remote_id, shipments in read(shop, 'SELECT o.remote_id, count(*) FROM shipment s JOIN "order" o '
                                           "ON o.id = s.order_id GROUP BY s.order_id HAVING count(*) > 1"):
        failures.append(f"shop order {remote_id} has {shipments} shipments")
    return {"marketplace_orders": read(market, 'SELECT count(*) FROM "order"')[0][0],
            "marketplace_shipments": read(market, "SELECT count(*) FROM shipment")[0][0],
            "marketplace_refunds": read(market, "SELECT count(*) FROM payment WHERE kind = 'refund'")[0][0],
            "shop_steps": read(shop, "SELECT count(*) FROM step")[0][0],
            "sales_reports_done": read(shop, "SELECT count(*) FROM step WHERE tool = 'sales_report' AND status = 'done'")[0][0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--days", type=int, default=10, help="days of simulated buyer traffic before the loop")
    parser.add_argument("--rate", type=float, default=120, help="mean product visits per simulated day")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--min-delay", type=float, default=2.0, help="seconds before a kill, at least")
    parser.add_argument("--max-delay", type=float, default=25.0, help="seconds before a kill, at most")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-crash-")) / "shop"
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    market, url = set_up(workdir, args.days, args.rate, args.seed)
    failures: list[str] = []
    try:
        print(f"set up in {time.perf_counter() - started:.0f} s: {workdir}", flush=True)
        figures = kill_loop(workdir, args.kills, random.Random(args.seed), args.min_delay, args.max_delay, failures,
                            traffic=(url, args.rate))
        figures.update(finish_runs(workdir, failures))
        figures.update(check_effects(workdir, failures))
    finally:
        os.killpg(market.pid, signal.SIGTERM)
        market.wait(30)
    figures["failures"] = len(failures)
    figures["seconds"] = round(time.perf_counter() - started)
    for failure in failures:
        print("FAILURE:", failure)
    print(json.dumps(figures, indent=2))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
