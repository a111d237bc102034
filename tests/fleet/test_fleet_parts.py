"""The fleet's parts without browsers: the list of shops, the queues a worker may poll, the
media hand-off, a single shop's decisions left as they were, and the ShopPass workflow's
waiting logic on a real Temporal dev server with stand-in activities."""

import asyncio
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("temporalio")

from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from agent.errors import UserError
from agent.fleet import MEDIA, MEDIA_GPU, SHOPS, dev_server
from agent.fleet.activities import media_queue, rendered_elsewhere
from agent.fleet.client import connect
from agent.fleet.jobs import PassJob, PassResult, ShopFacts
from agent.fleet.registry import add_shop, membership, read_shops, remove_shop
from agent.fleet.settings import load_fleet_settings
from agent.fleet.worker import checked_queues
from agent.fleet.workflows import ShopPass
from agent.settings import Settings
from tools.registry import BY_NAME


def _shop_folder(root: Path, name: str) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "shopagent.toml").write_text('daily_at = "06:30"\ntimezone = "Asia/Shanghai"\n')
    return folder


def test_shops_are_added_listed_and_removed_with_their_membership(tmp_path):
    fleet = load_fleet_settings(tmp_path / "fleet")
    first = add_shop(fleet, _shop_folder(tmp_path, "Tea House"))
    assert first.name == "tea-house" and membership(Path(first.workdir)) == {"fleet_dir": str(fleet.fleet_dir),
                                                                             "name": "tea-house"}
    add_shop(fleet, _shop_folder(tmp_path, "mugs"), name="mug-shop")
    assert [s.name for s in read_shops(fleet)] == ["tea-house", "mug-shop"]
    with pytest.raises(UserError, match="already has a shop named 'mug-shop'"):
        add_shop(fleet, _shop_folder(tmp_path, "other"), name="mug-shop")
    with pytest.raises(UserError, match="already in the fleet as 'tea-house'"):
        add_shop(fleet, tmp_path / "Tea House", name="again")
    with pytest.raises(UserError, match="has no shopagent.toml"):
        add_shop(fleet, tmp_path / "nowhere")
    remove_shop(fleet, "tea-house")
    assert [s.name for s in read_shops(fleet)] == ["mug-shop"] and membership(tmp_path / "Tea House") is None


def test_fleet_settings_come_from_the_file_then_the_environment(tmp_path, monkeypatch):
    (tmp_path / "fleet.toml").write_text('address = "temporal.example:7233"\nnamespace = "shops"\n')
    monkeypatch.setenv("SHOPAGENT_FLEET_NAMESPACE", "agency")
    fleet = load_fleet_settings(tmp_path)
    assert (fleet.address, fleet.namespace) == ("temporal.example:7233", "agency")
    (tmp_path / "fleet.toml").write_text('heartbeat_timeout_s = "soon"\n')
    with pytest.raises(UserError, match="bad fleet settings .*heartbeat_timeout_s"):
        load_fleet_settings(tmp_path)


def test_a_worker_polls_only_known_queues_and_media_gpu_only_with_a_gpu():
    assert checked_queues(["shops", " media", "shops"], gpu=lambda: False) == [SHOPS, MEDIA]
    with pytest.raises(UserError, match="unknown task queue.*browsers"):
        checked_queues(["browsers"])
    with pytest.raises(UserError, match="needs a GPU on this machine"):
        checked_queues([MEDIA_GPU], gpu=lambda: False)
    assert checked_queues([MEDIA_GPU], gpu=lambda: True) == [MEDIA_GPU]


def test_a_shop_that_needs_a_gpu_sends_its_media_to_media_gpu(tmp_path):
    assert media_queue(Settings.load(tmp_path)) == MEDIA
    assert media_queue(Settings.load(tmp_path, image_device="cuda")) == MEDIA_GPU
    assert media_queue(Settings.load(tmp_path, clip_presenter="talking-head")) == MEDIA_GPU


def test_a_media_tool_renders_elsewhere_first_then_runs_here():
    calls: list[tuple] = []
    original = BY_NAME["make_product_images"]

    def here(deps, sku: str, platforms: list[str] | None = None) -> dict:
        calls.append(("here", sku))
        return {"sku": sku}
    here.__name__ = original.name
    wrapped = rendered_elsewhere(replace(original, func=here), lambda tool, args: calls.append(("media", tool, args)))
    assert wrapped.name == "make_product_images" and wrapped.json_schema() == replace(original, func=here).json_schema()
    assert wrapped.call(None, {"sku": "MUG-01"}) == {"sku": "MUG-01"}
    assert calls == [("media", "make_product_images", {"sku": "MUG-01", "platforms": None}), ("here", "MUG-01")]

    def no_media_worker(tool, args):
        raise TimeoutError("no worker polls media")
    calls.clear()
    assert rendered_elsewhere(replace(original, func=here), no_media_worker).call(None, {"sku": "X"}) == {"sku": "X"}
    assert calls == [("here", "X")]  # rendered here instead, nothing lost


def test_a_single_shops_decision_is_not_sent_to_any_fleet(tmp_path):
    from agent.approvals import fleet_resumes
    from agent.workspace import open_workspace

    workspace = open_workspace(Settings.load(tmp_path / "shop"))
    assert fleet_resumes(workspace, "daily-1") is None


def test_the_single_shop_commands_do_not_load_temporal():
    import subprocess
    import sys

    loaded = subprocess.run([sys.executable, "-c", "import sys, agent.cli, agent.approvals, agent.console.decisions; "
                             "print('temporalio' in sys.modules)"], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "False"


def test_fleet_commands_say_what_to_fix(tmp_path, shopagent):
    fleet_dir = tmp_path / "fleet"
    fleet_dir.mkdir()
    (fleet_dir / "fleet.toml").write_text('address = "127.0.0.1:1"\n')  # nothing listens there
    shop = _shop_folder(tmp_path, "shop")
    result = shopagent("fleet", "add", shop, "--fleet-dir", fleet_dir)
    assert result.returncode == 1 and "Error: cannot reach the Temporal server at 127.0.0.1:1" in result.stderr
    assert read_shops(load_fleet_settings(fleet_dir)) == []  # nothing half-added
    result = shopagent("fleet", "add", tmp_path / "empty", "--fleet-dir", fleet_dir)
    assert result.returncode == 1 and "has no shopagent.toml" in result.stderr
    result = shopagent("worker", "--queues", "gpu", "--fleet-dir", fleet_dir)
    assert result.returncode == 1 and "unknown task queue(s) gpu" in result.stderr
    assert "No shops in the fleet" in shopagent("fleet", "status", "--fleet-dir", fleet_dir).stdout
    result = shopagent("fleet", "open", "shop", "--fleet-dir", fleet_dir)
    assert result.returncode == 1 and "give the shop a brief" in result.stderr
    result = shopagent("fleet", "run", "nobody", "--fleet-dir", fleet_dir)
    assert result.returncode == 1 and "no shop named 'nobody' in the fleet" in result.stderr


class StandIn:
    """run_pass and check_shop doubles: the run pauses until `decided` is set, and says so."""

    def __init__(self):
        self.calls: list[str] = []
        self.decided = False

    @activity.defn(name="check_shop")
    def check_shop(self, workdir: str) -> ShopFacts:
        return ShopFacts(shop_name="s", last_run="", last_status="", pending_approvals=0)

    @activity.defn(name="run_pass")
    def run_pass(self, job: PassJob) -> PassResult:
        self.calls.append(job.run_id)
        return PassResult(run_id=job.run_id, status="completed" if self.decided else "paused",
                          waiting=[] if self.decided else [1])


@pytest.fixture(scope="module")
def temporal(tmp_path_factory):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = dev_server.start(port, tmp_path_factory.mktemp("temporal") / "temporal.db")
    yield f"127.0.0.1:{port}"
    server.terminate()
    server.wait(60)


def _with_worker(address: str, stand_in: StandIn, body):
    async def go():
        client = await connect(load_fleet_settings(None, address=address))
        queue = SHOPS
        async with Worker(client, task_queue=queue, workflows=[ShopPass],
                          activities=[stand_in.check_shop, stand_in.run_pass],
                          activity_executor=ThreadPoolExecutor(2)):
            return await body(client)
    return asyncio.run(go())


def test_a_paused_pass_waits_for_the_owners_signal_then_resumes_the_same_run(temporal):
    stand_in = StandIn()

    async def body(client):
        handle = await client.start_workflow(ShopPass.run, PassJob(shop="s", workdir="/nowhere"),
                                             id=f"shop-s-{uuid.uuid4().hex[:6]}", task_queue=SHOPS)
        for _ in range(100):
            if (await handle.query(ShopPass.state))["state"] == "waiting for approvals":
                break
            await asyncio.sleep(0.1)
        assert (await handle.query(ShopPass.state))["state"] == "waiting for approvals"
        stand_in.decided = True
        await handle.signal(ShopPass.approvals_decided)
        return await handle.result()

    result = _with_worker(temporal, stand_in, body)
    assert result.status == "completed"
    assert len(stand_in.calls) == 2 and stand_in.calls[0] == stand_in.calls[1]  # one run, resumed


def test_a_pass_nobody_decides_is_resumed_once_after_the_wait_and_left_paused(temporal):
    stand_in = StandIn()

    async def body(client):
        return await client.execute_workflow(ShopPass.run, PassJob(shop="s", workdir="/nowhere", approval_wait_s=1),
                                             id=f"shop-s-{uuid.uuid4().hex[:6]}", task_queue=SHOPS)

    result = _with_worker(temporal, stand_in, body)
    assert result.status == "paused" and len(stand_in.calls) == 2
    assert json.dumps(result.waiting) == "[1]"


def test_a_failed_pass_waited_for_is_one_line_saying_what_to_do(temporal, tmp_path, shopagent):
    fleet_dir = tmp_path / "fleet"
    fleet_dir.mkdir()
    (fleet_dir / "fleet.toml").write_text(f'address = "{temporal}"\n')
    add_shop(load_fleet_settings(fleet_dir), _shop_folder(tmp_path, "broken"))

    class Failing(StandIn):
        @activity.defn(name="run_pass")
        def run_pass(self, job: PassJob) -> PassResult:
            raise ApplicationError("the shop's database is gone", non_retryable=True)

    async def body(client):
        return await asyncio.to_thread(shopagent, "fleet", "run", "broken", "--wait", "--fleet-dir", fleet_dir)

    result = _with_worker(temporal, Failing(), body)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "Error: the daily of 'broken' failed in workflow shop-broken-daily-" in result.stderr
    assert "the shop's database is gone" in result.stderr and "`shopagent fleet run broken` again" in result.stderr
