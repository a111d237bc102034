"""Child processes (the embedded model server, the sandbox marketplace) that never outlive
the run that started them, even when that run is killed without a chance to clean up."""

import ctypes
import os
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1


def die_with_parent(signal_number: int = signal.SIGTERM) -> Callable[[], None]:
    """A preexec_fn for Popen, made just before it: on Linux the kernel sends the child
    `signal_number` when the thread that started it dies (killed, crashed or exited).

    SIGTERM suits a child with records of its own (the sandbox marketplace closes cleanly);
    SIGKILL one with nothing to save (the model server, whose web server would otherwise
    first finish the answer it is generating)."""
    parent = os.getpid()

    def arm() -> None:
        if sys.platform.startswith("linux"):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal_number)
            if os.getppid() != parent:  # the parent died before the signal was armed
                os.kill(os.getpid(), signal_number)

    return arm
