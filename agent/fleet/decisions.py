"""A decision on a fleet shop's approval wakes the workflow its run waits in, so the run
resumes on a worker (`shops` queue) instead of in the process that decided."""

import asyncio
import logging
from pathlib import Path

from agent.errors import UserError
from agent.fleet.client import connect
from agent.fleet.control import tell_decided
from agent.fleet.registry import membership, workflow_of
from agent.fleet.settings import load_fleet_settings

log = logging.getLogger(__name__)


def wake_workflow(workdir: Path, run_id: str) -> str | None:
    """Signal the workflow `run_id` waits in; its id, or None when the run is not a fleet run
    or the server cannot be told (then the caller resumes the run itself, as a single shop
    does: the workflow finds it done when it wakes)."""
    member, workflow_id = membership(workdir), workflow_of(workdir, run_id)
    if member is None or workflow_id is None:
        return None
    try:
        fleet = load_fleet_settings(Path(member["fleet_dir"]))
        asyncio.run(_signal(fleet, workflow_id))
    except (UserError, RuntimeError, OSError) as exc:
        log.warning("could not tell the fleet's workflow %s about the decision (%s); resuming here", workflow_id, exc)
        return None
    return workflow_id


async def _signal(fleet, workflow_id: str) -> None:
    client = await connect(fleet)
    await tell_decided(client, workflow_id)
