"""`shopagent marketplace serve|simulate`: the sandbox platform, run as its own process.

The shop never imports the marketplace; it starts it the way an operator would start any
platform, as a separate program (`python -m marketplace`).
"""

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from agent.processes import die_with_parent
from agent.sandbox import seller_password
from agent.workspace import load_settings
from store_data.tau import SAMPLE_FILE

app = typer.Typer(help="Run the sandbox marketplace and its buyer-traffic simulator.", no_args_is_help=True)


def _run(arguments: list[str], env: dict[str, str] | None = None) -> None:
    """Run `python -m marketplace ...` in the foreground and pass its exit status on. SIGTERM
    is passed to it (and it is stopped if this process dies), so it never outlives us."""
    process = subprocess.Popen([sys.executable, "-m", "marketplace", *arguments], env={**os.environ, **(env or {})},
                               preexec_fn=die_with_parent())
    previous = signal.signal(signal.SIGTERM, lambda *_: process.terminate())
    try:
        code = process.wait()
    except KeyboardInterrupt:  # the terminal sent SIGINT to both; let the child finish closing
        code = process.wait()
        code = 130 if code in (0, -signal.SIGINT) else code
    finally:
        signal.signal(signal.SIGTERM, previous)
    raise typer.Exit(code)


@app.command("serve")
def serve(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8700,
    data: Annotated[Path | None, typer.Option(help="Marketplace data folder (default: <workdir>/marketplace).")] = None,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    seed_demo: Annotated[bool, typer.Option("--seed-demo", help="Create demo listings and the demo seller login.")] = False,
    sim_clock: Annotated[bool, typer.Option(help="Accept the simulator's timestamps (needed by `simulate`).")] = True,
    workdir: Annotated[Path | None, typer.Option("--workdir", "-w", help="Work directory.")] = None,
) -> None:
    """Start the sandbox marketplace (storefront and seller back-office); Ctrl-C stops it.

    The seller login is the shop's (settings marketplace_user, and marketplace_password or
    the one generated in <workdir>/marketplace/seller_password), as when a run starts it."""
    settings = load_settings(workdir)
    folder = data or settings.workdir / "marketplace"
    arguments = ["serve", "--port", str(port), "--host", host, "--data", str(folder)]
    arguments += ["--seed-demo"] if seed_demo else []
    arguments += ["--sim-clock"] if sim_clock else []
    _run(arguments, env={"MARKETPLACE_SELLER_EMAIL": settings.marketplace_user,
                         "MARKETPLACE_SELLER_PASSWORD": seller_password(settings)})


@app.command("load-tau")
def load_tau(
    file: Annotated[Path, typer.Argument(help="Path to a τ² retail db.json (or .json.gz); default: the sample shipped with shopagent.")] = SAMPLE_FILE,
    data: Annotated[Path | None, typer.Option(help="Marketplace data folder (default: <workdir>/marketplace).")] = None,
    workdir: Annotated[Path | None, typer.Option("--workdir", "-w", help="Work directory.")] = None,
) -> None:
    """Load the τ² retail records into the sandbox marketplace as a large shop with 1,000 orders."""
    folder = data or load_settings(workdir).workdir / "marketplace"
    _run(["load-tau", "--data", str(folder), "--file", str(file)])


@app.command("simulate")
def simulate(
    url: Annotated[str, typer.Option(help="Storefront URL of a running marketplace.")] = "http://127.0.0.1:8700",
    days: Annotated[int, typer.Option(help="Simulated days of traffic.")] = 7,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same traffic.")] = 1,
    rate: Annotated[float | None, typer.Option(help="Mean product visits per day.")] = None,
    start: Annotated[str | None, typer.Option(help="First simulated day, YYYY-MM-DD (default: DAYS days ago).")] = None,
) -> None:
    """Send simulated buyer traffic (visits, orders, messages, refunds, reviews) to the storefront."""
    arguments = ["simulate", "--url", url, "--days", str(days), "--seed", str(seed)]
    if rate is not None:
        arguments += ["--rate", str(rate)]
    if start is not None:
        arguments += ["--start", start]
    _run(arguments)
