"""The console's HTTP server for `shopagent serve`: uvicorn on 127.0.0.1 in a thread of its
own, stopped when the scheduler's stop event is set."""

import threading
import time
from collections.abc import Callable

import uvicorn

from agent.console.app import create_app
from agent.console.auth import PasswordCheck
from agent.errors import UserError
from agent.workspace import open_workspace

HOST = "127.0.0.1"
START_TIMEOUT_S = 30


def console_password(settings) -> PasswordCheck:
    """The owner's password, hashed; a console without one is refused with how to set it."""
    secret = settings.console_password.get_secret_value() if settings.console_password else ""
    if not secret:
        raise UserError(f"the web console needs a password: add console_password = \"...\" to "
                        f"{settings.workdir / 'shopagent.toml'} or set SHOPAGENT_CONSOLE_PASSWORD "
                        "(or run `shopagent serve --no-console`)")
    return PasswordCheck(secret)


def make_server(settings, password: PasswordCheck, port: int | None = None) -> uvicorn.Server:
    app = create_app(open_workspace(settings), password)
    config = uvicorn.Config(app, host=HOST, port=settings.console_port if port is None else port,
                            log_level="warning", access_log=False, lifespan="on")
    return uvicorn.Server(config)


def start_in_thread(server: uvicorn.Server) -> threading.Thread:
    """Run `server` in a thread and wait until it listens; a port in use is a one-line error."""
    thread = threading.Thread(target=server.run, name="console", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        server.should_exit = True
        thread.join(5)
        raise UserError(f"the console could not listen on {HOST}:{server.config.port}; the port may be in use: "
                        "set console_port to a free one")
    return thread


def console_runner(settings, say: Callable[[str], None] = print) -> Callable[[threading.Event], None]:
    """The function `agent.scheduler.serve` runs as its console: checks the password now, so
    a missing one stops `serve` before anything starts."""
    password = console_password(settings)

    def run(stop: threading.Event) -> None:
        server = make_server(settings, password)
        thread = start_in_thread(server)
        say(f"Console at http://{HOST}:{server.config.port}/ (log in with console_password).")
        try:
            stop.wait()
        finally:
            server.should_exit = True
            thread.join()

    return run
