"""The work directory a run works in: settings, database engine, asset and run folders."""

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from pydantic_settings import SettingsError
from sqlalchemy.engine import Engine

from agent.errors import UserError
from agent.settings import DEFAULT_WORKDIR, SETTINGS_FILE, Settings
from store_data.db import make_engine
from tools.deps import ToolDeps


@dataclass
class Workspace:
    """Settings plus the open database of one work directory."""

    settings: Settings
    engine: Engine

    @property
    def workdir(self) -> Path:
        return self.settings.workdir

    @property
    def assets(self) -> Path:
        return self.workdir / "assets"

    @property
    def runs(self) -> Path:
        return self.workdir / "runs"

    def tool_deps(self, driver=None, llm=None, run_id: str | None = None, drivers: dict | None = None) -> ToolDeps:
        """The dependencies object handed to every tool of a run. `drivers`: every platform's
        (the main one first); `driver` defaults to the first of them."""
        drivers = drivers or {}
        driver = driver if driver is not None else next(iter(drivers.values()), None)
        return ToolDeps(engine=self.engine, workdir=self.workdir, settings=self.settings,
                        driver=driver, llm=llm, run_id=run_id, drivers=dict(drivers))


def load_settings(workdir: Path | None = None, **overrides) -> Settings:
    """Settings for `workdir`, with any validation error turned into one readable line."""
    where = Path(workdir or os.environ.get("SHOPAGENT_WORKDIR") or DEFAULT_WORKDIR) / SETTINGS_FILE
    try:
        return Settings.load(workdir, **overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        raise UserError(f"bad settings ({problems}); fix them in {where} or the SHOPAGENT_* variables") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{where} is not valid TOML ({exc}); fix that line (text values need double quotes)") from None
    except SettingsError as exc:  # a SHOPAGENT_* variable that does not parse, e.g. a dict that is not JSON
        raise UserError(f"bad settings ({exc}); fix the SHOPAGENT_* variable") from None


def open_workspace(settings: Settings) -> Workspace:
    """Create the work directory's folders if needed and open its database."""
    for folder in (settings.workdir, settings.workdir / "assets", settings.workdir / "runs"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create the work directory {folder}: {exc.strerror}; choose another with --workdir") from None
    return Workspace(settings=settings, engine=make_engine(settings.db_url))
