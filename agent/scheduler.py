"""`shopagent serve`: the daily loop on a schedule (APScheduler, the shop's timezone) and the
service desk every `desk_interval` seconds, beside the web console when there is one. SIGTERM or Ctrl-C stops it cleanly: a daily pass in
progress finishes its current step's checkpoint and can be resumed."""

import signal
import threading
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from agent.approvals import list_approvals
from agent.operator import operator
from agent.run_lock import RunBusy
from agent.runner import Outcome, start_run
from agent.workspace import open_workspace
from tools.drivers.marketplace import MESSAGES
from tools.messages import threads_to_answer


# A scheduled pass waits this long for a run already working in the directory (an open of a
# big catalog, a resume from the console) instead of being skipped for the day.
DAILY_WAIT_S = 3600


def daily_pass(settings, wait_s: float = DAILY_WAIT_S) -> Outcome:
    """One daily run, as `shopagent daily` does it."""
    workspace = open_workspace(settings)
    with operator(workspace) as op:
        return start_run(workspace, "daily", "daily operations", llm=op.llm, drivers=op.drivers, wait_s=wait_s)


def desk_pass(settings) -> Outcome | None:
    """One service desk run, as `shopagent desk` does it; None when no buyer waits for an
    answer the owner does not already hold, or another run holds the work directory (the
    next pass comes within desk_interval)."""
    workspace = open_workspace(settings)
    with operator(workspace) as op:
        if op.driver is None or MESSAGES not in op.driver.capabilities:
            return None
        list_approvals(workspace)  # marks approvals past approval_expire_hours as expired
        if not threads_to_answer(workspace.tool_deps(), op.driver.list_threads(waiting_only=True)):
            return None
        try:
            return start_run(workspace, "desk", "service desk", llm=op.llm, driver=op.driver)
        except RunBusy:
            return None


def stock_pass(settings) -> Outcome | None:
    """One stock pass for a shop on several platforms (None for a shop on one, or while another
    run works in the directory: the next pass comes within stock_interval)."""
    if len(settings.selling_on) < 2:
        return None
    workspace = open_workspace(settings)
    with operator(workspace) as op:
        try:
            return start_run(workspace, "stock", "stock pool", llm=op.llm, drivers=op.drivers)
        except RunBusy:
            return None


def make_scheduler(settings, job: Callable[[], object], desk_job: Callable[[], object] | None = None,
                   stock_job: Callable[[], object] | None = None) -> BackgroundScheduler:
    hour, minute = (int(part) for part in settings.daily_at.split(":"))
    scheduler = BackgroundScheduler(timezone=settings.timezone)
    # One pass at a time; a pass missed while the machine slept runs once, not many times.
    scheduler.add_job(job, CronTrigger(hour=hour, minute=minute, timezone=settings.timezone), id="daily",
                      max_instances=1, coalesce=True, misfire_grace_time=3600)
    if desk_job is not None and settings.desk_interval > 0:
        scheduler.add_job(desk_job, IntervalTrigger(seconds=settings.desk_interval), id="desk",
                          max_instances=1, coalesce=True)
    if stock_job is not None and settings.stock_interval > 0 and len(settings.selling_on) > 1:
        scheduler.add_job(stock_job, IntervalTrigger(seconds=settings.stock_interval), id="stock",
                          max_instances=1, coalesce=True)
    return scheduler


def serve(settings, run_now: bool = False, console: Callable[[threading.Event], None] | None = None,
          say: Callable[[str], None] = print) -> None:
    """Run the schedule (and the console) until SIGTERM or SIGINT."""
    stop = threading.Event()

    def job() -> None:
        outcome = daily_pass(settings)
        say(f"daily run {outcome.run_id}: {outcome.status}")

    def desk_job() -> None:
        outcome = desk_pass(settings)
        if outcome is not None:
            say(f"desk run {outcome.run_id}: {outcome.status}")

    def stock_job() -> None:
        outcome = stock_pass(settings)
        if outcome is not None:
            say(f"stock run {outcome.run_id}: {outcome.status}")

    scheduler = make_scheduler(settings, job, desk_job, stock_job)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    scheduler.start()
    next_run = scheduler.get_job("daily").next_run_time
    say(f"Daily loop scheduled at {settings.daily_at} ({settings.timezone}); next run {next_run:%Y-%m-%d %H:%M}.")
    if scheduler.get_job("desk") is not None:
        say(f"Service desk every {settings.desk_interval} s.")
    if scheduler.get_job("stock") is not None:
        say(f"Stock pool on {', '.join(settings.selling_on)} every {settings.stock_interval} s.")
    if run_now:
        scheduler.add_job(job, id="now")
    try:
        if console is not None:
            console(stop)
        else:
            stop.wait()
    finally:
        scheduler.shutdown(wait=True)
        say("Stopped.")
