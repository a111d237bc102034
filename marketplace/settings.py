"""Settings of one marketplace server: seller account, limits, sandbox switches.

Everything can come from the environment (``MARKETPLACE_*``) and be overridden by
CLI flags, so the shop's CLI can start the sandbox as a subprocess without a file.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

DEMO_SELLER_EMAIL = "seller@example.com"
DEMO_SELLER_PASSWORD = "sandbox-seller"


@dataclass
class Faults:
    """Fault switches; all off by default. Changed at runtime through /admin/faults."""

    latency_ms: int = 0
    error_rate: float = 0.0
    session_minutes: float = 0.0  # 0 = sessions do not expire
    human_check: bool = False
    alt_layout: bool = False
    fail_posts: int = 0  # the next N form submissions answer 500 (counted down)

    def update(self, values: dict) -> Faults:
        """Return a copy with ``values`` applied; raise ValueError on a bad name or value."""
        known = {f.name: f.type for f in fields(self)}
        changes = {}
        for name, value in values.items():
            if name not in known:
                raise ValueError(f"unknown fault {name!r}; known: {', '.join(known)}")
            changes[name] = _coerce(name, value, type(getattr(self, name)))
        return replace(self, **changes)


def _coerce(name: str, value, kind):
    if kind is bool:
        if isinstance(value, str):
            return value.strip().lower() in {"1", "true", "yes", "on"}
        return bool(value)
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ValueError(f"fault {name!r} needs a number, got {value!r}") from None
    if number < 0 or (name == "error_rate" and number > 1):
        raise ValueError(f"fault {name!r} out of range: {value!r}")
    return number


@dataclass
class Settings:
    """Server settings. ``seller_email``/``seller_password`` create the seller at start."""

    seller_email: str | None = None
    seller_password: str | None = None
    shop_name: str = "Sandbox Shop"
    secret_key: str | None = None
    admin_token: str | None = None
    sim_clock: bool = False  # honour X-Sim-Time from the simulator and tests
    seed_demo: bool = False
    max_image_bytes: int = 8 * 1024 * 1024
    max_video_bytes: int = 60 * 1024 * 1024
    max_videos_per_listing: int = 4  # one per look of a product (colourways)
    max_images_per_listing: int = 8
    login_attempts: int = 5  # failed logins per email before a lockout
    login_lockout_s: int = 900
    fault_seed: int | None = None
    faults: Faults = field(default_factory=Faults)

    @property
    def max_body_bytes(self) -> int:
        """Largest request body accepted: a listing's videos and images and the form."""
        return self.max_videos_per_listing * self.max_video_bytes + self.max_images_per_listing * self.max_image_bytes + 1_000_000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read ``MARKETPLACE_*`` variables."""
        get = (os.environ if env is None else env).get
        faults = Faults().update({
            key: get(f"MARKETPLACE_FAULT_{key.upper()}")
            for key in ("latency_ms", "error_rate", "session_minutes", "human_check", "alt_layout")
            if get(f"MARKETPLACE_FAULT_{key.upper()}") not in (None, "")
        })
        seed = get("MARKETPLACE_FAULT_SEED")
        return cls(
            seller_email=get("MARKETPLACE_SELLER_EMAIL") or None,
            seller_password=get("MARKETPLACE_SELLER_PASSWORD") or None,
            shop_name=get("MARKETPLACE_SHOP_NAME") or cls.shop_name,
            secret_key=get("MARKETPLACE_SECRET_KEY") or None,
            admin_token=get("MARKETPLACE_ADMIN_TOKEN") or None,
            sim_clock=get("MARKETPLACE_SIM_CLOCK", "").lower() in {"1", "true", "yes", "on"},
            fault_seed=int(seed) if seed else None,
            faults=faults,
        )

    def resolve_secret(self, data_dir: Path) -> str:
        """The session signing key: from settings, else one kept in the data folder.

        Kept on disk so that a restarted server keeps its sellers logged in.
        """
        if self.secret_key:
            return self.secret_key
        path = data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        key = secrets.token_urlsafe(32)
        path.write_text(key)
        path.chmod(0o600)
        return key
