"""`shopagent worker`: poll the fleet's task queues from any machine that reaches the Temporal
server and the shops' work directories (and their database: SQLite on one machine, PostgreSQL
when workers run on several)."""

import asyncio
import shutil
import signal
import subprocess
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from agent.errors import UserError
from agent.fleet import MEDIA, MEDIA_GPU, QUEUES, SHOPS
from agent.fleet.activities import FleetActivities
from agent.fleet.client import connect
from agent.fleet.settings import FleetSettings
from agent.fleet.workflows import MediaRender, ShopPass


def has_gpu() -> bool:
    """Whether this machine has an NVIDIA GPU the media tools can use."""
    if Path("/dev/nvidia0").exists():
        return True
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return False
    listed = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=30)
    return listed.returncode == 0 and "GPU" in listed.stdout


def checked_queues(queues: Sequence[str], gpu: Callable[[], bool] = has_gpu) -> list[str]:
    chosen = list(dict.fromkeys(q.strip() for q in queues if q.strip()))
    unknown = [q for q in chosen if q not in QUEUES]
    if unknown or not chosen:
        raise UserError(f"unknown task queue(s) {', '.join(unknown) or '(none given)'}; "
                        f"choose from {', '.join(QUEUES)}, e.g. --queues shops,media")
    if MEDIA_GPU in chosen and not gpu():
        raise UserError(f"--queues {MEDIA_GPU} needs a GPU on this machine and none was found (no /dev/nvidia0, "
                        f"no GPU in `nvidia-smi -L`); start it on a GPU machine, or poll {MEDIA} here")
    return chosen


def workers(client: Client, queues: Sequence[str], activities: int) -> list[Worker]:
    """One Temporal worker per queue, its activities on a thread pool of `activities` threads
    (a run blocks its thread on the browser and the model for minutes)."""
    bound = FleetActivities(client, asyncio.get_running_loop())
    made = []
    for queue in queues:
        flows: list[type] = [ShopPass] if queue == SHOPS else [MediaRender]
        acts: list[Callable[..., Any]] = ([bound.check_shop, bound.run_pass] if queue == SHOPS
                                          else [bound.render_media])
        made.append(Worker(client, task_queue=queue, workflows=flows, activities=acts,
                           activity_executor=ThreadPoolExecutor(max_workers=activities,
                                                                thread_name_prefix=f"{queue}-activity"),
                           max_concurrent_activities=activities))
    return made


async def run_workers(fleet: FleetSettings, queues: Sequence[str], activities: int,
                      say: Callable[[str], None] = print) -> None:
    """Poll `queues` until SIGTERM or SIGINT; activities in progress finish first."""
    client = await connect(fleet)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    running = workers(client, queues, activities)
    tasks = [asyncio.create_task(w.run()) for w in running]
    say(f"Worker polling {', '.join(queues)} on {fleet.address} (namespace {fleet.namespace}), "
        f"{activities} activit{'y' if activities == 1 else 'ies'} at a time per queue.")
    await stop.wait()
    say("Stopping: activities in progress finish first.")
    await asyncio.gather(*(w.shutdown() for w in running))
    await asyncio.gather(*tasks, return_exceptions=True)
    say("Stopped.")
