"""Runs resumed after the owner's decisions, one at a time, off the request that decided.

A resume can take a while (the browser, the marketplace), so the decision's page returns
at once and the run's page shows how the resume goes. One worker keeps two resumes of the
same run from racing each other.
"""

import logging
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from agent.errors import UserError
from agent.runner import Outcome
from store_data.errors import StoreDataError

log = logging.getLogger(__name__)


@dataclass
class ResumeState:
    state: str  # queued | running | done | failed
    message: str = ""

    @property
    def busy(self) -> bool:
        return self.state in ("queued", "running")


class Resumer:
    """Queue of runs to resume with `resume(run_id) -> Outcome`; `redact(text)` hides the
    settings' secrets in what a failure shows on the page and writes to the log."""

    def __init__(self, resume: Callable[[str], Outcome], redact: Callable[[str], str] = lambda text: text):
        self._resume = resume
        self._redact = redact
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="console-resume")
        self._states: dict[str, ResumeState] = {}
        self._lock = threading.Lock()

    def submit(self, run_id: str) -> None:
        """Resume `run_id` soon; a run already queued is not queued twice."""
        with self._lock:
            if self._states.get(run_id, ResumeState("done")).state == "queued":
                return
            self._states[run_id] = ResumeState("queued")
        self._pool.submit(self._work, run_id)

    def _work(self, run_id: str) -> None:
        with self._lock:
            self._states[run_id] = ResumeState("running")
        try:
            outcome = self._resume(run_id)
        except (UserError, StoreDataError) as exc:
            self._finish(run_id, ResumeState("failed", self._redact(str(exc))))
        except Exception as exc:  # kept for the owner to read; the run itself can be resumed again
            log.error("resuming run %s failed:\n%s", run_id, self._redact("".join(traceback.format_exception(exc))))
            self._finish(run_id, ResumeState("failed", self._redact(f"{exc.__class__.__name__}: {exc}")))
        else:
            waiting = f"; {len(outcome.waiting)} action(s) still wait" if outcome.waiting else ""
            self._finish(run_id, ResumeState("done", f"resumed: {outcome.status}{waiting}"))

    def _finish(self, run_id: str, state: ResumeState) -> None:
        with self._lock:
            if self._states[run_id].state != "queued":  # else a later decision's resume follows
                self._states[run_id] = state

    def state(self, run_id: str) -> ResumeState | None:
        with self._lock:
            return self._states.get(run_id)

    def close(self) -> None:
        """Let a resume in progress finish; drop those not started (they can be resumed later)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
