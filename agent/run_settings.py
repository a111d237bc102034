"""A run keeps the settings it started with: approval mode and thresholds, platform, budgets,
pricing and order policy. Every resume (CLI, approval decision, console) re-applies them, so
a `daily --approval all` run resumed with default settings still waits for the owner."""

from typing import Any, get_args

from pydantic import SecretStr, ValidationError

from agent import runs
from agent.errors import UserError
from agent.settings import Settings
from agent.workspace import Workspace

# Not kept: where things are and how to reach them (a resume may follow a moved model server
# or a fixed webhook), the serve schedule, and anything that may carry a password or token:
# those come from the settings in effect at the resume.
NOT_KEPT = frozenset({
    "workdir", "database_url", "llm_base_url", "marketplace_url", "marketplace_user", "browser_executable",
    "notify_webhook_url", "notify_email_to", "notify_shop_label", "smtp_host", "smtp_port", "smtp_user",
    "smtp_from", "smtp_starttls", "daily_at", "console_port",
})


def _is_secret(name: str) -> bool:
    annotation = Settings.model_fields[name].annotation
    return annotation is SecretStr or SecretStr in get_args(annotation)


KEPT = tuple(name for name in Settings.model_fields if name not in NOT_KEPT and not _is_secret(name))


def shaping(settings: Settings) -> dict[str, Any]:
    """The settings that shape a run, as JSON values."""
    return settings.model_dump(mode="json", include=set(KEPT))


def keep(workspace: Workspace, run_id: str) -> None:
    """Record what `run_id` starts with."""
    runs.keep_run_settings(workspace.engine, run_id, shaping(workspace.settings))


def for_run(workspace: Workspace, run_id: str) -> Workspace:
    """`workspace` with the settings `run_id` started with put back over the current ones
    (secrets and addresses stay current). A run made before settings were kept runs on
    the current settings."""
    started = runs.run_settings(workspace.engine, run_id)
    if not started:
        return workspace
    current = workspace.settings
    values = {name: getattr(current, name) for name in type(current).model_fields if name != "workdir"}
    values.update({name: value for name, value in started.items() if name in KEPT})
    try:
        settings = Settings.load(current.workdir, **values)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise UserError(f"run {run_id} started with settings this version refuses ({problems}); "
                        "start a new run instead") from None
    return Workspace(settings=settings, engine=workspace.engine)


def describe(started: dict[str, Any]) -> str:
    """One line for the owner: approval mode and platform, then what differs from the defaults."""
    defaults = shaping(Settings.model_construct())
    shown: dict[str, Any] = {name: started[name] for name in ("approval_mode", "platform") if name in started}
    shown.update({name: value for name, value in started.items() if name not in shown and defaults.get(name) != value})
    return ", ".join(f"{name}={value}" for name, value in shown.items())
