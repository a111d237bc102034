"""The sandbox marketplace as a process of its own, started when a run first needs it.

With no `marketplace_url` configured, the operator runs the sandbox on 127.0.0.1 with
its data in `<workdir>/marketplace`, the seller's login taken from the settings (a
password is generated once and kept in that folder when none is set). It is started the
way any platform would be, as `python -m marketplace serve`, never imported.
"""

import os
import re
import secrets
import subprocess
import sys
import threading
from pathlib import Path

from pydantic import SecretStr

from agent.errors import UserError
from agent.processes import die_with_parent
from agent.settings import Settings

READY = re.compile(r"Marketplace running at (http://\S+)")
START_TIMEOUT_S = 60


def seller_password(settings: Settings, password: SecretStr | None = None) -> str:
    """The seller password for the sandbox: `password`, else from settings, else generated
    once per work directory."""
    given = password if password is not None else settings.marketplace_password
    if given is not None:
        return given.get_secret_value()
    path = settings.workdir / "marketplace" / "seller_password"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    made = secrets.token_urlsafe(16)
    path.write_text(made, encoding="utf-8")
    path.chmod(0o600)
    return made


class SandboxProcess:
    """`python -m marketplace serve --port 0` for one work directory; `url` starts it."""

    def __init__(self, settings: Settings, user: str | None = None, password: SecretStr | None = None):
        """`user` and `password`: the seller's login (default: the marketplace_* settings)."""
        self.settings = settings
        self.user = user or settings.marketplace_user
        self._password = password
        self.data = Path(settings.workdir) / "marketplace"
        self.process: subprocess.Popen | None = None
        self._url: str | None = None

    @property
    def password(self) -> str:
        return seller_password(self.settings, self._password)

    @property
    def url(self) -> str:
        if self._url is None:
            self._url = self._start()
        return self._url

    def _start(self) -> str:
        self.data.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "MARKETPLACE_SELLER_EMAIL": self.user, "MARKETPLACE_SELLER_PASSWORD": self.password}
        log = (self.settings.workdir / "runs" / "marketplace.log").open("a", encoding="utf-8")
        self.process = subprocess.Popen(
            # No demo listings: the shop's own listings are the only ones on its sandbox.
            [sys.executable, "-m", "marketplace", "serve", "--port", "0", "--data", str(self.data), "--sim-clock"],
            stdout=subprocess.PIPE, stderr=log, text=True, env=env, preexec_fn=die_with_parent())
        stdout = self.process.stdout
        assert stdout is not None, "the server is started with stdout=PIPE"
        found: list[str] = []
        ready = threading.Event()

        def read() -> None:  # keeps draining stdout so the server never blocks on it
            for line in stdout:
                match = READY.search(line)
                if match and not found:
                    found.append(match.group(1))
                    ready.set()
            ready.set()  # the process ended
        threading.Thread(target=read, daemon=True).start()
        ready.wait(START_TIMEOUT_S)
        if not found:
            self.stop()
            raise UserError(f"the sandbox marketplace did not start; see {self.settings.workdir / 'runs' / 'marketplace.log'}")
        return found[0]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None
