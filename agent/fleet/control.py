"""What the CLI asks of the Temporal server for the fleet's shops: a Schedule per shop at its
`daily_at` in its timezone, passes started now (a daily pass, or `open`), the schedule's next
and recent passes, and the signal that wakes a run waiting on approvals."""

from datetime import datetime, timedelta

from temporalio.client import (Client, Schedule, ScheduleActionStartWorkflow, ScheduleAlreadyRunningError,
                               ScheduleCalendarSpec, SchedulePolicy, ScheduleOverlapPolicy, ScheduleRange,
                               ScheduleSpec, ScheduleUpdate, WorkflowHandle)
from temporalio.service import RPCError, RPCStatusCode

from agent.fleet import SHOPS
from agent.fleet.jobs import PassJob
from agent.fleet.registry import FleetShop
from agent.fleet.settings import FleetSettings
from agent.fleet.workflows import ShopPass
from agent.settings import Settings


def schedule_id(shop: str) -> str:
    return f"shop-{shop}-daily"


def pass_job(fleet: FleetSettings, shop: FleetShop, workflow: str = "daily", goal: str = "daily operations",
             settings: Settings | None = None) -> PassJob:
    wait_s = ((settings.approval_expire_hours if settings else 72) + 1) * 3600.0
    return PassJob(shop=shop.name, workdir=shop.workdir, workflow=workflow, goal=goal, heartbeat_s=fleet.heartbeat_s,
                   heartbeat_timeout_s=fleet.heartbeat_timeout_s, pass_timeout_s=fleet.pass_timeout_s,
                   approval_wait_s=wait_s)


def daily_schedule(fleet: FleetSettings, shop: FleetShop, settings: Settings) -> Schedule:
    hour, minute = (int(part) for part in settings.daily_at.split(":"))
    return Schedule(
        action=ScheduleActionStartWorkflow(ShopPass.run, pass_job(fleet, shop, settings=settings),
                                           id=f"shop-{shop.name}-daily", task_queue=SHOPS),
        spec=ScheduleSpec(calendars=[ScheduleCalendarSpec(hour=[ScheduleRange(hour)], minute=[ScheduleRange(minute)])],
                          time_zone_name=settings.timezone),
        # A pass waiting days on approvals does not hold back the next day's (they share the run
        # lock, so they never work at once); a pass missed while the server was down runs once.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.ALLOW_ALL, catchup_window=timedelta(hours=1)))


async def put_schedule(client: Client, fleet: FleetSettings, shop: FleetShop, settings: Settings) -> None:
    """Create the shop's schedule, or replace it (a changed daily_at or timezone)."""
    schedule = daily_schedule(fleet, shop, settings)
    try:
        await client.create_schedule(schedule_id(shop.name), schedule)
    except ScheduleAlreadyRunningError:  # bring the existing one up to date
        await client.get_schedule_handle(schedule_id(shop.name)).update(lambda _: ScheduleUpdate(schedule=schedule))


async def drop_schedule(client: Client, shop: str) -> bool:
    try:
        await client.get_schedule_handle(schedule_id(shop)).delete()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


async def next_pass(client: Client, shop: str) -> datetime | None:
    try:
        described = await client.get_schedule_handle(schedule_id(shop)).describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    times = described.info.next_action_times
    return times[0] if times else None


async def start_pass(client: Client, job: PassJob, workflow_id: str) -> WorkflowHandle:
    return await client.start_workflow(ShopPass.run, job, id=workflow_id, task_queue=SHOPS)


async def open_workflows(client: Client, shop: str) -> list[dict]:
    """The shop's passes still open on the server (running or waiting on approvals)."""
    found = []
    query = f"WorkflowType = 'ShopPass' AND ExecutionStatus = 'Running' AND WorkflowId STARTS_WITH 'shop-{shop}-'"
    async for execution in client.list_workflows(query):
        state = await client.get_workflow_handle(execution.id, run_id=execution.run_id).query(ShopPass.state)
        found.append({"workflow_id": execution.id, **state})
    return found


async def tell_decided(client: Client, workflow_id: str) -> None:
    await client.get_workflow_handle(workflow_id).signal(ShopPass.approvals_decided)
