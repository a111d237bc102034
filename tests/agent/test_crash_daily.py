"""The crash loop of bench/crash_daily.py, small: a daily pass on a real sandbox marketplace,
killed twice (with its browser) and resumed to its end, loses no write, leaves no step
'running', runs its sales report, and ships no order twice."""

import importlib.util
import os
import random
import signal
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "crash_daily.py"


def crash_bench():
    spec = importlib.util.spec_from_file_location("crash_daily", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.browser
def test_daily_killed_twice_resumes_with_nothing_lost(workdir):
    crash = crash_bench()
    market, _ = crash.set_up(workdir, days=2, rate=60, seed=3)
    failures: list[str] = []
    try:
        # Each kill lands inside the pass, counted from its first step: the first early (in the
        # order sync), the second later; where exactly does not matter to what is checked.
        figures = crash.kill_loop(workdir, 2, random.Random(3), 1.0, 10.0, failures, from_first_step=True)
        figures.update(crash.finish_runs(workdir, failures))
        figures.update(crash.check_effects(workdir, failures))
    finally:
        os.killpg(market.pid, signal.SIGTERM)
        market.wait(30)
    assert failures == []
    assert figures["kills"] == 2 and figures.get("runs_completed", 0) + figures.get("runs_paused", 0) >= 1
    assert figures["sales_reports_done"] >= 1
    # Orders were shipped through the kills and resumes (none twice: checked in `failures`).
    assert 0 < figures["marketplace_shipments"] <= figures["marketplace_orders"]
