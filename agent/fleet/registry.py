"""The fleet's list of shops (`<fleet dir>/shops.json`) and, in each shop's work directory,
`fleet.json` naming the fleet it belongs to (so the shop's own commands, such as an approval,
can tell its workflow)."""

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from agent.errors import UserError
from agent.fleet.settings import FleetSettings
from agent.settings import SETTINGS_FILE
from store_data.clock import utcnow

MEMBERSHIP = "fleet.json"
NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


@dataclass(frozen=True)
class FleetShop:
    name: str
    workdir: str  # absolute: workers on other machines see the same path (shared storage)
    added_at: str


def read_shops(fleet: FleetSettings) -> list[FleetShop]:
    if not fleet.registry.is_file():
        return []
    try:
        rows = json.loads(fleet.registry.read_text(encoding="utf-8"))
        return [FleetShop(**row) for row in rows]
    except (ValueError, TypeError) as exc:
        raise UserError(f"{fleet.registry} is not a list of shops ({exc}); restore it or remove it and "
                        "add the shops again with `shopagent fleet add`") from None


def _write(fleet: FleetSettings, shops: list[FleetShop]) -> None:
    fleet.registry.parent.mkdir(parents=True, exist_ok=True)
    temporary = fleet.registry.with_suffix(".tmp")
    temporary.write_text(json.dumps([asdict(s) for s in shops], indent=2), encoding="utf-8")
    temporary.replace(fleet.registry)  # a crash leaves the old list or the new one, never half


def name_for(workdir: Path, name: str | None) -> str:
    chosen = (name or re.sub(r"[^a-z0-9-]+", "-", workdir.resolve().name.lower()).strip("-"))
    if not NAME.fullmatch(chosen):
        raise UserError(f"'{chosen}' cannot name a shop in the fleet; give --name with lower-case letters, "
                        "digits and dashes")
    return chosen


def new_shop(fleet: FleetSettings, workdir: Path, name: str | None = None) -> FleetShop:
    """The entry for the shop in `workdir`, checked: its settings exist, and neither its name nor
    its folder is in the fleet yet."""
    workdir = workdir.resolve()
    if not (workdir / SETTINGS_FILE).is_file():
        raise UserError(f"{workdir} has no {SETTINGS_FILE}; create the shop first with "
                        f"`shopagent init --workdir {workdir}`")
    shop = FleetShop(name=name_for(workdir, name), workdir=str(workdir), added_at=utcnow().isoformat(timespec="seconds"))
    for other in read_shops(fleet):
        if other.name == shop.name:
            raise UserError(f"the fleet already has a shop named '{shop.name}' ({other.workdir}); "
                            "choose another with --name")
        if other.workdir == shop.workdir:
            raise UserError(f"{workdir} is already in the fleet as '{other.name}'")
    return shop


def add_shop(fleet: FleetSettings, workdir: Path, name: str | None = None) -> FleetShop:
    """Register the shop in `workdir` (see new_shop for what is checked)."""
    shop = new_shop(fleet, workdir, name)
    _write(fleet, [*read_shops(fleet), shop])
    (Path(shop.workdir) / MEMBERSHIP).write_text(json.dumps({"fleet_dir": str(fleet.fleet_dir), "name": shop.name}),
                                      encoding="utf-8")
    return shop


def find_shop(fleet: FleetSettings, name: str) -> FleetShop:
    for shop in read_shops(fleet):
        if shop.name == name:
            return shop
    raise UserError(f"no shop named '{name}' in the fleet at {fleet.fleet_dir}; see `shopagent fleet list`")


def remove_shop(fleet: FleetSettings, name: str) -> FleetShop:
    shop = find_shop(fleet, name)
    _write(fleet, [s for s in read_shops(fleet) if s.name != name])
    (Path(shop.workdir) / MEMBERSHIP).unlink(missing_ok=True)
    return shop


def membership(workdir: Path) -> dict | None:
    """The fleet a work directory belongs to ({"fleet_dir", "name"}), or None."""
    try:
        return json.loads((workdir / MEMBERSHIP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# Which workflow a run of a fleet shop belongs to, written by the activity that runs it, so a
# decision made anywhere (CLI, console) can wake that workflow.
def _run_file(workdir: Path, run_id: str) -> Path:
    return workdir / "runs" / "fleet" / f"{run_id}.json"


def remember_workflow(workdir: Path, run_id: str, workflow_id: str) -> None:
    path = _run_file(workdir, run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"workflow_id": workflow_id}), encoding="utf-8")


def workflow_of(workdir: Path, run_id: str) -> str | None:
    try:
        return json.loads(_run_file(workdir, run_id).read_text(encoding="utf-8"))["workflow_id"]
    except (OSError, ValueError, KeyError):
        return None
