"""The fleet's activities: the existing runs, unchanged, inside Temporal activities.

run_pass starts the run the workflow named, or resumes it when it already exists (a retry
after a worker died, or the resume after the owner's decisions): the executor's checkpoints
and the tools' idempotency keys keep a retried activity from shipping, refunding or
publishing anything twice, and the work directory's run lock keeps two attempts from
working at once. A heartbeat thread tells the server the worker is alive while the run
waits on browsers and servers; when it stops (kill -9, a lost machine), the server retries
the activity on another worker after the heartbeat timeout.

The media tools of a run (pictures, clips) are handed to a media worker (MediaRender on
`media`, or `media-gpu` for a shop whose settings need a GPU), which renders them; the
shop's worker then calls the tool itself, which finds its output current (the tools key
their output by their inputs) and does only what needs the browser (uploading a clip).
"""

import asyncio
import contextvars
import dataclasses
import functools
import hashlib
import json
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select
from temporalio import activity
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import ApplicationError

from agent import run_settings, runs
from agent.errors import UserError
from agent.fleet import MEDIA, MEDIA_GPU
from agent.fleet.jobs import MediaJob, MediaResult, PassJob, PassResult, ShopFacts
from agent.fleet.registry import membership, remember_workflow
from agent.llm import make_llm
from agent.operator import operator
from agent.run_lock import RunBusy
from agent.runner import Outcome, resume_run, start_run
from agent.settings import Settings
from agent.workspace import Workspace, load_settings, open_workspace
from store_data.audit import Approval, Run
from store_data.status import ApprovalStatus
from tools.errors import ToolFailed, ToolRetry
from tools.registry import BY_NAME, ToolSpec

log = logging.getLogger(__name__)

# Tools whose output is keyed by their inputs, so a second call after a media worker's finds
# it current: their rendering can move to a media worker.
MEDIA_TOOLS = ("make_product_images", "make_brand_images", "make_promo_clip")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def media_queue(settings: Settings) -> str:
    """`media-gpu` for a shop whose pictures or presenter need a GPU, else `media`."""
    return MEDIA_GPU if settings.image_device == "cuda" or settings.clip_presenter == "talking-head" else MEDIA


@contextmanager
def heartbeating(every_s: float, *details: Any) -> Iterator[None]:
    """Heartbeat every `every_s` seconds from a thread while the body runs (a run blocks for
    minutes in the browser and the model)."""
    stop = threading.Event()
    context = contextvars.copy_context()  # the activity's context, for activity.heartbeat()

    def beat() -> None:
        while not stop.wait(every_s):
            context.run(activity.heartbeat, *details)

    activity.heartbeat(*details)
    thread = threading.Thread(target=beat, name="heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _workspace(workdir: str) -> Workspace:
    try:
        return open_workspace(load_settings(Path(workdir)))
    except UserError as exc:  # the owner must fix it: retrying on another worker would not help
        raise ApplicationError(str(exc), type="UserError", non_retryable=True) from None


class FleetActivities:
    """The activities, bound to the worker's client and event loop (a run's thread hands media
    jobs to the media queue through them)."""

    def __init__(self, client: Client, loop: asyncio.AbstractEventLoop):
        self.client = client
        self.loop = loop

    @activity.defn
    def check_shop(self, workdir: str) -> ShopFacts:
        """A quick look at the shop's records before its pass: its settings load, its database
        opens, and what waits for the owner."""
        workspace = _workspace(workdir)
        try:
            with Session(workspace.engine) as session:
                last = session.exec(select(Run).order_by(col(Run.started_at).desc())).first()
                pending = session.exec(select(func.count()).select_from(Approval)
                                       .where(Approval.status == ApprovalStatus.PENDING)).one()
        finally:
            workspace.engine.dispose()
        name = (membership(workspace.workdir) or {}).get("name", workspace.workdir.name)
        return ShopFacts(shop_name=name, last_run=last.id if last else "", last_status=last.status if last else "",
                         pending_approvals=int(pending))

    @activity.defn
    def run_pass(self, job: PassJob) -> PassResult:
        """Start the job's run, or resume it where it stopped; return how it ended."""
        workspace = _workspace(job.workdir)
        remember_workflow(workspace.workdir, job.run_id, activity.info().workflow_id or "")
        try:
            with heartbeating(job.heartbeat_s, job.run_id):
                outcome = self._run(workspace, job)
        except UserError as exc:
            retry = isinstance(exc, RunBusy)  # another attempt still holds the shop: try again later
            raise ApplicationError(str(exc), type=type(exc).__name__, non_retryable=not retry) from None
        finally:
            workspace.engine.dispose()
        summary = outcome.summary or {}
        return PassResult(run_id=outcome.run_id, status=str(outcome.status), waiting=list(outcome.waiting),
                          failed_steps=len(summary.get("failed", [])), steps=dict(summary.get("steps", {})),
                          worker=worker_name())

    def _run(self, workspace: Workspace, job: PassJob) -> Outcome:
        wait_s = job.pass_timeout_s  # an earlier attempt that still works holds the run lock: wait for it
        if runs.get_run(workspace.engine, job.run_id) is None:
            try:
                with operator(workspace) as op:
                    return start_run(workspace, job.workflow, job.goal, llm=op.llm, drivers=op.drivers,
                                     tools=self._tools(workspace, job), wait_s=wait_s, run_id=job.run_id)
            except IntegrityError:  # an earlier attempt, cut off from the server but alive, began it meanwhile
                pass
        workspace = run_settings.for_run(workspace, job.run_id)
        with operator(workspace) as op:
            return resume_run(workspace, job.run_id, llm=op.llm, drivers=op.drivers,
                              tools=self._tools(workspace, job), wait_s=wait_s)

    def _tools(self, workspace: Workspace, job: PassJob) -> dict[str, ToolSpec]:
        tools = dict(BY_NAME)
        queue = media_queue(workspace.settings)
        for name in MEDIA_TOOLS:
            tools[name] = rendered_elsewhere(tools[name], functools.partial(self._render, workspace, job, queue))
        return tools

    def _render(self, workspace: Workspace, job: PassJob, queue: str, tool: str, arguments: dict[str, Any]) -> None:
        """Run one media call as a MediaRender workflow on `queue` and wait for it (from the
        run's thread; the worker's event loop does the talking)."""
        from agent.fleet.workflows import MediaRender

        digest = hashlib.sha256(json.dumps([tool, arguments], sort_keys=True, default=str).encode()).hexdigest()[:12]
        media = MediaJob(workdir=str(workspace.workdir), tool=tool, arguments=arguments,
                         heartbeat_s=job.heartbeat_s, heartbeat_timeout_s=job.heartbeat_timeout_s)
        # One id per call of the run: a retried run joins the render already under way.
        started = self.client.execute_workflow(
            MediaRender.run, media, id=f"media-{job.run_id}-{tool}-{digest}", task_queue=queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING)
        asyncio.run_coroutine_threadsafe(started, self.loop).result()

    @activity.defn
    def render_media(self, job: MediaJob) -> MediaResult:
        """Render one media call (pictures, a clip) into the shop's work directory."""
        workspace = _workspace(job.workdir)
        llm = make_llm(workspace.settings)  # a clip's script asks the model; it starts on first use
        try:
            with heartbeating(job.heartbeat_s, job.tool):
                output = BY_NAME[job.tool].call(workspace.tool_deps(llm=llm), job.arguments)
        except (ToolRetry, ToolFailed) as exc:  # the run's own call of the tool reports it where it belongs
            raise ApplicationError(str(exc), type=type(exc).__name__, non_retryable=True) from None
        finally:
            llm.close()
            workspace.engine.dispose()
        return MediaResult(tool=job.tool, output=json.loads(json.dumps(output, default=str)),
                           task_queue=activity.info().task_queue, worker=worker_name())


def rendered_elsewhere(spec: ToolSpec, render: Callable[[str, dict[str, Any]], None]) -> ToolSpec:
    """`spec` whose call first has `render(tool, arguments)` make its output elsewhere, then runs
    the tool here, where it finds that output current."""
    here = spec.func

    @functools.wraps(here)
    def call(deps, **arguments):
        try:
            render(spec.name, arguments)
        except Exception as exc:  # no media worker took it in time, or it failed there: render here
            log.warning("%s %s was not rendered on a media worker (%s); rendering it here", spec.name, arguments, exc)
        return here(deps, **arguments)

    return dataclasses.replace(spec, func=call)
