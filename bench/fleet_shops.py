"""What bench/fleet.py and tests/fleet share: small shops on their own sandbox marketplaces
with buyer orders waiting, the Temporal dev server, `shopagent worker` processes, and the
check that no order was shipped twice."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from order_bench import SELLER, buy, mug_shop, start_marketplace  # noqa: E402

SHOPAGENT = Path(sys.executable).parent / "shopagent"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SHOPAGENT_")}


@dataclass
class SmallShop:
    name: str
    workdir: Path
    market: subprocess.Popen
    url: str
    orders: list[str]

    @property
    def market_db(self) -> Path:
        return self.workdir / "marketplace" / "marketplace.db"

    def stop(self) -> None:
        self.market.terminate()
        self.market.wait(30)


def small_shop(root: Path, name: str, orders: int, approval: str = "auto", database_url: str = "") -> SmallShop:
    """A shop selling the sandbox's demo mug on its own marketplace, with `orders` paid orders
    waiting; the scripted model (no model calls are needed without buyer messages); its records
    in `database_url` when given, else in its shop.db."""
    workdir = root / name
    workdir.mkdir(parents=True)
    market, url = start_marketplace(workdir / "marketplace")
    (workdir / "script.json").write_text(json.dumps([]))
    (workdir / "shopagent.toml").write_text(
        f'approval_mode = "{approval}"\nmarketplace_url = "{url}"\nmarketplace_password = "{SELLER[1]}"\n'
        f'llm_provider = "scripted"\nllm_script = "{workdir / "script.json"}"\n'
        + (f'database_url = "{database_url}"\n' if database_url else ""))
    mug_shop(workdir, "Mug", stock=1000).engine.dispose()
    return SmallShop(name, workdir, market, url, [buy(url, n) for n in range(orders)])


def write_fleet(fleet_dir: Path, port: int, heartbeat_timeout_s: float = 60.0) -> Path:
    fleet_dir.mkdir(parents=True, exist_ok=True)
    (fleet_dir / "fleet.toml").write_text(
        f'address = "127.0.0.1:{port}"\nheartbeat_s = {heartbeat_timeout_s / 6}\n'
        f'heartbeat_timeout_s = {heartbeat_timeout_s}\n')
    return fleet_dir


def start_worker(fleet_dir: Path, queues: str = "shops", activities: int = 2, log: Path | None = None) -> subprocess.Popen:
    """`shopagent worker` in its own process group (a kill takes its browsers with it)."""
    out = log.open("ab") if log else subprocess.DEVNULL
    return subprocess.Popen([str(SHOPAGENT), "worker", "--queues", queues, "--activities", str(activities),
                             "--fleet-dir", str(fleet_dir)], stdout=out, stderr=out, env=clean_env(),
                            start_new_session=True)


def kill_group(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    process.wait(60)


def read(path: Path, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as connection:
        return connection.execute(sql, args).fetchall()


def shipments(shop: SmallShop) -> dict[str, int]:
    """Shipments per order number, as the marketplace recorded them."""
    return dict(read(shop.market_db, 'SELECT o.number, count(s.id) FROM "order" o LEFT JOIN shipment s '
                                     "ON s.order_id = o.id GROUP BY o.id"))


def lock_holder(shop: SmallShop) -> int | None:
    """The pid of the process holding the shop's run lock now (None when no run works)."""
    path = shop.workdir / "runs" / "run.lock"
    if not path.exists():
        return None
    import fcntl
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            try:
                return int(json.loads(handle.read() or "{}").get("pid"))
            except (TypeError, ValueError):
                return None
        fcntl.flock(handle, fcntl.LOCK_UN)
        return None
