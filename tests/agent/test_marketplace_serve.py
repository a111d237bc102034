"""`shopagent marketplace serve` never leaves the sandbox running behind it: SIGTERM is
passed on, and a kill of the command takes the server with it."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def gone(pid: int, within: float = 15) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().split()[2] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_serve_goes_with_the_command(tmp_path, sig):
    port = free_port()
    command = subprocess.Popen(
        [sys.executable, "-c", "from agent.cli import main; main()", "marketplace", "serve", "--port", str(port), "--workdir", str(tmp_path)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("the sandbox did not start")
        (server,) = children(command.pid)
        command.send_signal(sig)
        code = command.wait(timeout=20)
        assert gone(server), "the sandbox server outlived the command"
        if sig == signal.SIGTERM:
            assert code == 0  # a clean stop
    finally:
        if command.poll() is None:
            command.kill()
