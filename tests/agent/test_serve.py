"""`shopagent serve`: the schedule, a run at start, and a clean stop on SIGTERM."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from agent.scheduler import make_scheduler
from agent.workspace import load_settings

SHOPAGENT = Path(sys.executable).parent / "shopagent"


def test_schedule_follows_settings(workdir):
    settings = load_settings(workdir, daily_at="06:30", timezone="Asia/Shanghai")
    scheduler = make_scheduler(settings, lambda: None)
    scheduler.start(paused=True)
    try:
        next_run = scheduler.get_job("daily").next_run_time
    finally:
        scheduler.shutdown(wait=False)
    assert (next_run.hour, next_run.minute, str(next_run.tzinfo)) == (6, 30, "Asia/Shanghai")


def test_serve_runs_now_and_stops_on_sigterm(workdir):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPAGENT_")}
    # A scripted model with no replies: the daily stages here need none.
    (workdir / "script.json").write_text("[]")
    env.update(SHOPAGENT_LLM_PROVIDER="scripted", SHOPAGENT_LLM_SCRIPT=str(workdir / "script.json"))
    process = subprocess.Popen([str(SHOPAGENT), "serve", "--run-now", "--no-console", "--workdir", str(workdir)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        output.append(line)
        if line.startswith("daily run "):
            break
    process.send_signal(signal.SIGTERM)
    rest, _ = process.communicate(timeout=60)
    text = "".join(output) + rest
    assert process.returncode == 0, text
    assert "Daily loop scheduled at 07:00 (UTC)" in text
    assert any(line.startswith("daily run daily-") for line in output), text
    assert text.rstrip().endswith("Stopped.")


def test_the_desk_runs_every_desk_interval_seconds_unless_it_is_zero(workdir):
    for interval, expected in ((30, 30.0), (0, None)):
        scheduler = make_scheduler(load_settings(workdir, desk_interval=interval), lambda: None, lambda: None)
        scheduler.start(paused=True)
        try:
            desk = scheduler.get_job("desk")
            assert (desk.trigger.interval.total_seconds() if desk else None) == expected
        finally:
            scheduler.shutdown(wait=False)


def test_a_shop_on_several_platforms_keeps_its_stock_pool_every_stock_interval(workdir):
    cases = ((["sandbox", "oscar"], 120, 120.0), (["sandbox", "oscar"], 0, None), ([], 120, None))
    for platforms, interval, expected in cases:
        settings = load_settings(workdir, platforms=platforms, stock_interval=interval)
        scheduler = make_scheduler(settings, lambda: None, None, lambda: None)
        scheduler.start(paused=True)
        try:
            stock = scheduler.get_job("stock")
            assert (stock.trigger.interval.total_seconds() if stock else None) == expected, (platforms, interval)
        finally:
            scheduler.shutdown(wait=False)
