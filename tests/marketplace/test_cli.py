"""``python -m marketplace``: serve (URL line, health, clean stop), load-tau, simulate."""

import json
import signal
import subprocess
import sys

import httpx
import pytest

from marketplace.__main__ import build_parser


def start(data, *extra):
    proc = subprocess.Popen([sys.executable, "-m", "marketplace", "serve", "--port", "0", "--data", str(data), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line.startswith("Marketplace running at http://127.0.0.1:"), line + proc.stderr.read()
    return proc, line.split()[-1]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_prints_url_answers_health_and_stops_cleanly(tmp_path, sig):
    proc, url = start(tmp_path / "d", "--seed-demo", "--sim-clock")
    try:
        assert httpx.get(f"{url}/health").json()["sim_clock"] is True
        assert "Organic cotton" in httpx.get(url).text
    finally:
        proc.send_signal(sig)
        assert proc.wait(10) == 0
    assert (tmp_path / "d" / "marketplace.db").exists()


def test_simulate_against_a_served_marketplace(tmp_path):
    proc, url = start(tmp_path / "d", "--seed-demo", "--sim-clock")
    try:
        out = subprocess.run([sys.executable, "-m", "marketplace", "simulate", "--url", url, "--days", "2",
                              "--seed", "4", "--rate", "15", "--start", "2025-01-06", "--json"],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        summary = json.loads(out.stdout)
        assert summary["counts"]["visits"] > 10 and set(summary["orders_by_day"]) == {"2025-01-06", "2025-01-07"}
    finally:
        proc.terminate()
        proc.wait(10)


def test_simulate_explains_a_missing_sim_clock_and_a_dead_server(tmp_path):
    proc, url = start(tmp_path / "d", "--seed-demo")
    try:
        out = subprocess.run([sys.executable, "-m", "marketplace", "simulate", "--url", url, "--days", "1"],
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 1 and "--sim-clock" in out.stderr
    finally:
        proc.terminate()
        proc.wait(10)
    out = subprocess.run([sys.executable, "-m", "marketplace", "simulate", "--url", url, "--days", "1"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 1 and "Is it running?" in out.stderr


def test_load_tau_command(tmp_path, tau_file):
    out = subprocess.run([sys.executable, "-m", "marketplace", "load-tau", "--data", str(tmp_path / "t"),
                          "--file", str(tmp_path / "missing.json")], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "not a τ² retail" in out.stderr


def test_parser_defaults():
    args = build_parser().parse_args(["serve", "--data", "x"])
    assert args.host == "127.0.0.1" and args.port == 8765 and not args.seed_demo
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve"])
