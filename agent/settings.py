"""The operator's settings: one object, from (highest first) command-line options,
SHOPAGENT_* environment variables, `<workdir>/shopagent.toml`, then defaults."""

import os
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

SETTINGS_FILE = "shopagent.toml"
DEFAULT_WORKDIR = Path("shop")


class Settings(BaseSettings):
    """Everything a run may be configured with. Build it with `Settings.load(workdir)`."""

    model_config = SettingsConfigDict(env_prefix="SHOPAGENT_", extra="forbid", validate_default=True)

    workdir: Path = Field(DEFAULT_WORKDIR, description="folder holding shop.db, assets/ and runs/")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default SQLite at <workdir>/shop.db")

    llm_provider: Literal["embedded", "openai", "scripted"] = "embedded"
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1")
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None

    approval_mode: Literal["auto", "risky", "all"] = "risky"
    approval_price_change_pct: Decimal = Field(Decimal("10"), ge=0, description="price changes above this % wait for the owner")
    approval_refund_above: Decimal = Field(Decimal("50.00"), ge=0, description="refunds above this amount wait even in auto mode")
    approval_expire_hours: int = Field(72, ge=1)

    platform: Literal["sandbox", "oscar"] = "sandbox"
    marketplace_url: str | None = Field(None, description="seller back-office URL; none: start the sandbox on 127.0.0.1")
    marketplace_user: str = "seller@example.com"
    marketplace_password: SecretStr | None = None
    browser_executable: Path = Path("/usr/bin/chromium")

    currency: str = Field("USD", min_length=3, max_length=3)
    locale: Literal["en", "zh-CN"] = "en"
    timezone: str = "UTC"

    @field_validator("currency")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @classmethod
    def load(cls, workdir: Path | str | None = None, **overrides: Any) -> "Settings":
        """Settings for `workdir` (else SHOPAGENT_WORKDIR, else ./shop), reading its
        shopagent.toml when present. `overrides` win over everything else."""
        folder = Path(workdir or os.environ.get("SHOPAGENT_WORKDIR") or DEFAULT_WORKDIR)
        toml_path = folder / SETTINGS_FILE

        # The file's location depends on the work directory, so it is bound per load.
        class _FromFolder(cls):  # type: ignore[valid-type, misc]
            model_config = SettingsConfigDict(toml_file=toml_path)

        return _FromFolder(**{**overrides, "workdir": folder})

    @property
    def db_url(self) -> str:
        """The effective database URL."""
        return self.database_url or f"sqlite:///{(self.workdir / 'shop.db').resolve()}"

    def masked(self) -> dict[str, Any]:
        """The effective settings as plain values, with secrets shown as '****'."""
        shown: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = "****" if value.get_secret_value() else ""
            elif isinstance(value, (Path, Decimal)):
                value = str(value)
            shown[name] = value
        shown["database_url"] = _mask_url(self.db_url)
        return shown


def _mask_url(url: str) -> str:
    """Hide the password in a URL such as postgresql://user:secret@host/db."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:****@{host}"


def write_settings_file(workdir: Path, values: dict[str, Any]) -> Path:
    """Write a starter shopagent.toml with `values` and commented hints for the rest."""
    lines = ["# shopagent settings for this work directory; SHOPAGENT_* variables override them."]
    for name, field in Settings.model_fields.items():
        if name == "workdir":
            continue
        hint = f"  # {field.description}" if field.description else ""
        if name in values:
            lines.append(f"{name} = {_toml_value(values[name])}{hint}")
        elif field.default is not None and not isinstance(field.default, SecretStr):
            lines.append(f"# {name} = {_toml_value(field.default)}{hint}")
        else:
            lines.append(f"# {name} = \"\"{hint}")
    path = workdir / SETTINGS_FILE
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
