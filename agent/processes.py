"""Child processes (the embedded model server, the sandbox marketplace) that never outlive
the run that started them, even when that run is killed without a chance to clean up."""

import ctypes
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """preexec_fn for Popen: on Linux the kernel sends the child SIGTERM when its parent dies."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
