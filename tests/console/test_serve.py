"""`shopagent serve` starts the console beside the schedule, refuses it without a password,
and stops both on SIGTERM."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from agent.commands.runs import serve_command
from agent.errors import UserError

SHOPAGENT = Path(sys.executable).parent / "shopagent"


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPAGENT_")}
    return {**env, **extra}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_refuses_the_console_without_a_password(workdir):
    with pytest.raises(UserError, match="the web console needs a password: add console_password") as refused:
        serve_command(workdir=workdir)
    assert "SHOPAGENT_CONSOLE_PASSWORD" in str(refused.value) and "--no-console" in str(refused.value)


def test_serve_runs_the_console_until_sigterm(workdir):
    port = free_port()
    env = clean_env(SHOPAGENT_CONSOLE_PASSWORD="owner-pass-4821", SHOPAGENT_CONSOLE_PORT=str(port))
    process = subprocess.Popen([str(SHOPAGENT), "serve", "--workdir", str(workdir)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if line.startswith("Console at") or not line:
            break
    try:
        assert lines[-1].startswith(f"Console at http://127.0.0.1:{port}/"), "".join(lines)
        login = httpx.get(f"http://127.0.0.1:{port}/login", timeout=30)
        assert login.status_code == 200 and 'type="password"' in login.text
        assert httpx.get(f"http://127.0.0.1:{port}/approvals", timeout=30).headers["location"] == "/login"
    finally:
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=60)
    assert process.returncode == 0, "".join(lines) + rest
    assert rest.rstrip().endswith("Stopped.")
