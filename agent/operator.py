"""What a run needs from the outside world, built once per process from settings:
the model and the marketplace driver. The CLI and the console both come through here."""

from contextlib import contextmanager
from collections.abc import Iterator
from dataclasses import dataclass

from agent.llm import make_llm
from agent.workspace import Workspace
from tools.llm import LLM


@dataclass
class Operator:
    workspace: Workspace
    llm: LLM
    driver: object | None = None


@contextmanager
def operator(workspace: Workspace) -> Iterator[Operator]:
    """The model (started lazily) and the driver for runs in `workspace`."""
    llm = make_llm(workspace.settings)
    try:
        yield Operator(workspace=workspace, llm=llm, driver=None)
    finally:
        llm.close()
