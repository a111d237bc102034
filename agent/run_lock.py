"""One run at a time in a work directory.

Two runs at once (a daily pass from `serve` and a resume from the console or a terminal)
would each start the sandbox marketplace on the same data folder, log the same seller in
twice and work the same orders. A run holds an exclusive lock on runs/run.lock while it
executes; the kernel drops it if the process dies, so a killed run never blocks the next.
"""

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from agent.errors import UserError
from store_data.clock import utcnow


class RunBusy(UserError):
    """Another run holds the work directory."""


def holder(path: Path) -> dict:
    """Who holds (or last held) the lock, as written by the holder; {} when unknown."""
    try:
        return json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}


@contextmanager
def run_lock(runs: Path, run_id: str, then: str, wait_s: float = 0.0) -> Iterator[None]:
    """Hold the work directory for `run_id` (a name, for whoever waits), waiting up to `wait_s`
    seconds for another run; RunBusy says what to do `then`, once that run is done."""
    runs.mkdir(parents=True, exist_ok=True)
    path = runs / "run.lock"
    handle = path.open("a+", encoding="utf-8")
    deadline = time.monotonic() + wait_s
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    other = holder(path)
                    raise RunBusy(
                        f"run {other.get('run_id', '(unknown)')} (pid {other.get('pid', '?')}, since "
                        f"{other.get('since', '?')}) is working in this work directory; when it has finished "
                        f"or paused, {then}") from None
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"run_id": run_id, "pid": os.getpid(), "since": utcnow().isoformat(timespec="seconds")}))
        handle.flush()
        yield
    finally:
        handle.close()  # closing the file releases the lock
