"""The fleet's workflows. Deterministic code only: everything that touches files, databases,
browsers or the clock runs in activities (agent/fleet/activities.py).

ShopPass: one run of one shop (its daily pass from the shop's Schedule, or its opening).
  check the shop -> run (activity on `shops`) -> while it waits on approvals: wait for the
  `approvals_decided` signal (days if need be; the wait is in Temporal's history, so it
  survives worker and server restarts) -> resume (activity) -> the run's result.
MediaRender: one media tool call on `media` or `media-gpu`, handed over by a run's activity.
"""

import functools
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from agent.fleet.jobs import MediaJob, MediaResult, PassJob, PassResult, ShopFacts

from agent.fleet import SHOPS

PAUSED = "paused"
# A crash (the worker died, a browser hung) is retried on another worker; a shop the owner
# must fix (bad settings) is not retried (the activity raises a non-retryable error).
RETRIES = RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0,
                      maximum_interval=timedelta(minutes=5), maximum_attempts=5)


@workflow.defn
class ShopPass:
    def __init__(self) -> None:
        self._decisions = 0
        self._state = "starting"
        self._run_id = ""

    @workflow.signal
    def approvals_decided(self) -> None:
        """The owner decided on some of the run's waiting actions: resume it."""
        self._decisions += 1

    @workflow.query
    def state(self) -> dict:
        return {"state": self._state, "run_id": self._run_id, "decisions": self._decisions}

    @workflow.run
    async def run(self, job: PassJob) -> PassResult:
        if not job.run_id:  # the same id on every replay and every retry of the activity
            job.run_id = f"{job.workflow}-{workflow.now():%Y%m%d-%H%M%S}-{workflow.uuid4().hex[:6]}"
        self._run_id = job.run_id
        self._state = "checking"
        await workflow.execute_activity("check_shop", job.workdir, result_type=ShopFacts, task_queue=SHOPS,
                                        start_to_close_timeout=timedelta(minutes=1), retry_policy=RETRIES)
        self._state = "running"
        seen = self._decisions  # a decision that arrives while the run works wakes the next wait at once
        result = await self._run(job)
        while result.status == PAUSED:
            self._state = "waiting for approvals"
            timed_out = False
            try:
                await workflow.wait_condition(functools.partial(self._decided_since, seen),
                                              timeout=timedelta(seconds=job.approval_wait_s))
            except TimeoutError:
                timed_out = True  # the approvals have expired: the resume records that and goes on without them
            self._state = "resuming"
            seen = self._decisions
            result = await self._run(job)
            if timed_out and result.status == PAUSED:
                break  # nothing more will be decided here: the run stays paused for `shopagent resume`
        self._state = result.status
        return result

    def _decided_since(self, seen: int) -> bool:
        return self._decisions > seen

    async def _run(self, job: PassJob) -> PassResult:
        return await workflow.execute_activity(
            "run_pass", job, result_type=PassResult, task_queue=SHOPS,
            start_to_close_timeout=timedelta(seconds=job.pass_timeout_s),
            heartbeat_timeout=timedelta(seconds=job.heartbeat_timeout_s), retry_policy=RETRIES)


@workflow.defn
class MediaRender:
    @workflow.run
    async def run(self, job: MediaJob) -> MediaResult:
        return await workflow.execute_activity(
            "render_media", job, result_type=MediaResult, task_queue=workflow.info().task_queue,
            schedule_to_start_timeout=timedelta(seconds=job.queue_wait_s),
            start_to_close_timeout=timedelta(hours=2), heartbeat_timeout=timedelta(seconds=job.heartbeat_timeout_s),
            retry_policy=RETRIES)
