"""Command line: ``python -m marketplace serve | simulate | load-tau``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from datetime import date
from pathlib import Path

from marketplace.settings import DEMO_SELLER_EMAIL, DEMO_SELLER_PASSWORD, Settings


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from marketplace.app import create_app

    settings = Settings.from_env()
    settings.seed_demo = args.seed_demo
    settings.sim_clock = settings.sim_clock or args.sim_clock
    settings.seller_email = args.seller_email or settings.seller_email
    settings.seller_password = args.seller_password or settings.seller_password
    app = create_app(Path(args.data), settings)
    server = uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port, log_level=args.log_level,
                                           access_log=False, timeout_graceful_shutdown=5))

    async def announce() -> None:
        # Print the URL only once the socket is bound, with the real port (--port 0 works).
        while not server.started:
            if server.should_exit:
                return
            await asyncio.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        print(f"Marketplace running at http://{args.host}:{port}", flush=True)
        if settings.seed_demo:
            print(f"Demo seller: {DEMO_SELLER_EMAIL} / {DEMO_SELLER_PASSWORD}", flush=True)
        if not settings.admin_token:
            print(f"Admin token for /admin/faults: in {Path(args.data) / 'admin_token'}", flush=True)

    # Our own handlers: uvicorn's re-raise the signal after shutting down, which would make
    # a clean stop look like a crash (exit status -15) to the CLI that started us.
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign, assignment]  # deliberate override

    def stop(_signum, _frame) -> None:
        server.should_exit = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    async def main() -> None:
        task = asyncio.create_task(announce())
        await server.serve()  # finishes open requests, then returns
        task.cancel()

    asyncio.run(main())
    return 0 if server.started else 1


def _simulate(args: argparse.Namespace) -> int:
    from marketplace.simulator import SimulationError, simulate

    try:
        summary = simulate(args.url, args.days, args.seed, args.rate,
                           date.fromisoformat(args.start) if args.start else None)
    except SimulationError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # network errors: say what to check
        print(f"Error: could not reach the marketplace at {args.url} ({exc}). Is it running?", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"counts": dict(summary.counts), "orders_by_day": summary.orders_by_day}))
    else:
        for key, value in sorted(summary.counts.items()):
            print(f"{key:>22}: {value}")
    return 0


def _load_tau(args: argparse.Namespace) -> int:
    from marketplace.tau import TauError, load_tau

    try:
        counts = load_tau(Path(args.data), Path(args.file))
    except TauError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(counts) if args.json else
          f"Loaded {counts['listings']} listings, {counts['variants']} variants, {counts['buyers']} buyers, "
          f"{counts['orders']} orders {counts['by_status']} into {args.data}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used by tests)."""
    parser = argparse.ArgumentParser(prog="python -m marketplace",
                                     description="The sandbox marketplace: storefront, seller back-office, "
                                                 "buyer traffic simulator.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the marketplace web server")
    serve.add_argument("--port", type=int, default=8765, help="port (0 picks a free one)")
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--data", required=True, help="data folder: database, uploads, keys")
    serve.add_argument("--seed-demo", action="store_true",
                       help=f"create demo listings and the seller {DEMO_SELLER_EMAIL} / {DEMO_SELLER_PASSWORD}")
    serve.add_argument("--sim-clock", action="store_true",
                       help="honour the simulator's X-Sim-Time header (needed by `simulate`)")
    serve.add_argument("--seller-email", help="seller login (or MARKETPLACE_SELLER_EMAIL)")
    serve.add_argument("--seller-password", help="seller password (or MARKETPLACE_SELLER_PASSWORD)")
    serve.add_argument("--log-level", default="warning")
    serve.set_defaults(run=_serve)
    sim = sub.add_parser("simulate", help="send simulated buyer traffic to a running marketplace")
    sim.add_argument("--url", required=True, help="the marketplace's URL, e.g. http://127.0.0.1:8765")
    sim.add_argument("--days", type=int, default=7)
    sim.add_argument("--seed", type=int, default=0)
    sim.add_argument("--rate", type=float, default=40.0, help="mean product visits per day")
    sim.add_argument("--start", help="first simulated day, YYYY-MM-DD (default: DAYS days ago)")
    sim.add_argument("--json", action="store_true", help="print the summary as JSON")
    sim.set_defaults(run=_simulate)
    tau = sub.add_parser("load-tau", help="load the τ² retail records as a large shop")
    tau.add_argument("--data", required=True, help="an empty data folder")
    tau.add_argument("--file", required=True, help="path to τ² retail db.json")
    tau.add_argument("--json", action="store_true")
    tau.set_defaults(run=_load_tau)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
