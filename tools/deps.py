"""The one dependencies object every tool receives. No module-level globals."""

from collections.abc import Hashable
from dataclasses import dataclass, field, replace
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
    # Every platform the shop sells on, by name (the main one's is `driver` too). A step
    # acting on one platform gets a copy of these deps whose `driver` is that platform's.
    drivers: "dict[str, MarketplaceDriver]" = field(default_factory=dict)
    # The platform whose records the tools read when there is no driver (e.g. checking an
    # owner's edit of a waiting call); "": the main one.
    platform: str = ""
    run_id: str | None = None
    # Per-run scratch for tools that cache within a run (e.g. a loaded diffusers pipeline).
    cache: dict[Hashable, Any] = field(default_factory=dict)

    def __post_init__(self):
        if self.driver is not None and not self.drivers:
            self.drivers = {getattr(self.driver, "name", "marketplace"): self.driver}
        elif self.driver is None and self.drivers:  # the main platform's is listed first
            self.driver = next(iter(self.drivers.values()))

    def on_platform(self, platform: str) -> "ToolDeps":
        """These deps acting on `platform` (one the shop sells on); KeyError if not connected."""
        if self.driver is not None and getattr(self.driver, "name", None) == platform:
            return self
        return replace(self, driver=self.drivers[platform])

    @property
    def assets(self) -> Path:
        return self.workdir / "assets"
