"""Where the fleet's Temporal server is and how to reach it: `<fleet dir>/fleet.toml`, then
SHOPAGENT_FLEET_* variables (highest), then defaults (the local dev server)."""

import os
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import (BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict,
                               TomlConfigSettingsSource)

from agent.errors import UserError

FLEET_FILE = "fleet.toml"
DEFAULT_FLEET_DIR = Path("fleet")


class FleetSettings(BaseSettings):
    """The fleet's settings. Build it with `load_fleet_settings(fleet_dir)`."""

    model_config = SettingsConfigDict(env_prefix="SHOPAGENT_FLEET_", extra="forbid")

    fleet_dir: Path = Field(DEFAULT_FLEET_DIR, description="folder holding fleet.toml and shops.json")
    address: str = Field("127.0.0.1:7233", description="Temporal frontend host:port")
    namespace: str = Field("default", description="Temporal namespace of the fleet's workflows")
    tls: bool = Field(False, description="connect with TLS (a real cluster); the dev server has none")
    tls_ca: Path | None = Field(None, description="CA certificate (PEM) of the server; none: the system's")
    tls_cert: Path | None = Field(None, description="client certificate (PEM) for mutual TLS")
    tls_key: Path | None = Field(None, description="client private key (PEM) for mutual TLS")
    api_key: SecretStr | None = Field(None, description="API key, for a cluster that takes one (Temporal Cloud)")
    heartbeat_s: float = Field(5.0, gt=0, description="seconds between an activity's heartbeats")
    heartbeat_timeout_s: float = Field(60.0, gt=0, description="an activity silent this long is retried on "
                                       "another worker (its worker died)")
    pass_timeout_s: float = Field(4 * 3600, gt=0, description="the longest one attempt of a pass may take")
    dev_server_port: int = Field(7233, ge=1, le=65535, description="port of `shopagent fleet dev-server`")

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @property
    def registry(self) -> Path:
        return self.fleet_dir / "shops.json"


def fleet_dir_of(fleet_dir: Path | None) -> Path:
    return Path(fleet_dir or os.environ.get("SHOPAGENT_FLEET_DIR") or DEFAULT_FLEET_DIR)


def load_fleet_settings(fleet_dir: Path | None = None, **overrides: Any) -> FleetSettings:
    """Settings of the fleet in `fleet_dir` (else SHOPAGENT_FLEET_DIR, else ./fleet)."""
    folder = fleet_dir_of(fleet_dir)

    class _FromFolder(FleetSettings):
        model_config = SettingsConfigDict(toml_file=folder / FLEET_FILE)

    try:
        return _FromFolder(**{**overrides, "fleet_dir": folder.resolve()})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise UserError(f"bad fleet settings ({problems}); fix them in {folder / FLEET_FILE} "
                        "or the SHOPAGENT_FLEET_* variables") from None
