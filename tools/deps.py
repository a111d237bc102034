"""The one dependencies object every tool receives. No module-level globals."""

from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine

from tools.settings import ToolSettings

if TYPE_CHECKING:  # for the annotations only: the drivers and the model client import much
    from tools.drivers.marketplace import MarketplaceDriver
    from tools.llm import LLM


@dataclass
class ToolDeps:
    """What a tool may use: the shop's database, its work directory, settings, outside world.

    `settings` is the agent's Settings object, seen through the ToolSettings protocol (the
    settings tools read; they do not import the agent layer). `driver` is the marketplace driver, `llm` the model client
    (tools/llm.py); either is None where a run has none.
    """

    engine: Engine
    workdir: Path
    settings: ToolSettings
    driver: "MarketplaceDriver | None" = None
    llm: "LLM | None" = None
    run_id: str | None = None
    # Per-run scratch for tools that cache within a run (e.g. a loaded diffusers pipeline).
    cache: dict[Hashable, Any] = field(default_factory=dict)

    @property
    def assets(self) -> Path:
        return self.workdir / "assets"
