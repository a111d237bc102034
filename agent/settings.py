"""The operator's settings: one object, from (highest first) command-line options,
SHOPAGENT_* environment variables, `<workdir>/shopagent.toml`, then defaults."""

import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from agent.masking import URL_SETTINGS, mask_url, masked_url_setting, redact
from store_data.private_file import tighten, write_private

SETTINGS_FILE = "shopagent.toml"
DEFAULT_WORKDIR = Path("shop")

Platform = Literal["sandbox", "oscar", "vendure"]


class PlatformLogin(BaseModel):
    """Where a platform the shop also sells on is, and the seller's login there."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, description="its seller back-office or API address; none for the sandbox: "
                            "shopagent starts one on 127.0.0.1")
    user: str = "seller@example.com"
    password: SecretStr | None = None
    locale: str | None = None


class Settings(BaseSettings):
    """Everything a run may be configured with. Build it with `Settings.load(workdir)`."""

    model_config = SettingsConfigDict(env_prefix="SHOPAGENT_", extra="forbid", validate_default=True)

    workdir: Path = Field(DEFAULT_WORKDIR, description="folder holding shop.db, assets/ and runs/")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default SQLite at <workdir>/shop.db")

    llm_provider: Literal["embedded", "openai", "scripted"] = "embedded"
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1")
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_script: Path | None = Field(None, description="JSON list of replies for llm_provider = scripted")
    llm_max_reply_tokens: int = Field(512, ge=16)
    llm_skip_failing: bool = Field(True, description="stop asking the model for listing copy after its drafts for 4 "
                                   "listings in a row were rejected (it is tried again every 5th listing)")

    # Per-run caps; reaching one stops the run cleanly with a summary.
    budget_steps: dict[str, int] = Field(default_factory=lambda: {"open": 600, "daily": 400, "ask": 40})
    budget_tokens: dict[str, int] = Field(default_factory=lambda: {"open": 400_000, "daily": 200_000, "ask": 40_000})

    approval_mode: Literal["auto", "risky", "all"] = "risky"
    approval_price_change_pct: Decimal = Field(Decimal("10"), ge=0, description="price changes above this % wait for the owner")
    approval_refund_above: Decimal = Field(Decimal("50.00"), ge=0, description="refunds above this amount wait even in auto mode")
    approval_expire_hours: int = Field(72, ge=1)
    # Caps on the money calls move without the owner, in every mode (auto included).
    max_refund_per_run: Decimal = Field(Decimal("100.00"), ge=0, description="a money call that would take one run's "
                                        "refunds and cancellations past this waits for the owner, in every mode")
    max_refund_per_day: Decimal = Field(Decimal("200.00"), ge=0, description="the same for all runs of one day "
                                        "(the shop's timezone)")
    proposal_cooldown_days: int = Field(7, ge=0, description="a proposal the owner rejected is not put to them "
                                        "again for this many days (0: proposed again at once)")
    price_test_min_age_days: int = Field(14, ge=0, description="no price test is proposed for a listing published "
                                         "on the platform fewer days ago than this")

    platform: Platform = "sandbox"
    # One shop on several platforms: one stock pool, each platform's orders synced and shipped.
    platforms: list[Platform] = Field(default_factory=list, description="every platform the shop sells on, the "
                                      "main one first (it becomes `platform`); [] = only `platform`")
    platform_logins: dict[str, PlatformLogin] = Field(
        default_factory=dict, description="address and login per platform other than the main one (whose are "
        "marketplace_url, marketplace_user and marketplace_password), e.g. [platform_logins.oscar] url = ...")
    marketplace_url: str | None = Field(None, description="seller back-office URL; none: start the sandbox on 127.0.0.1")
    marketplace_user: str = "seller@example.com"
    marketplace_password: SecretStr | None = None
    browser_executable: Path = Path("/usr/bin/chromium")
    marketplace_locale: str | None = Field(None, description="the back-office's language for reading dates and "
                                           "money, e.g. en-gb or de; none: the language its pages state")
    # A django-oscar shop (platform = "oscar"): how its own words map onto shopagent's.
    oscar_status_map: dict[str, Literal["paid", "shipped", "delivered", "returned", "closed", "cancelled"]] = Field(
        default_factory=dict, description="Oscar order status -> shopagent's, e.g. { Complete = \"shipped\" }; "
        "a status not named here is placed by its words (Pending, Being processed: paid; Shipped; ...)")
    oscar_product_class: str | None = Field(None, description="product type new products get; none: the first")
    oscar_partner: str | None = Field(None, description="partner (fulfilment) of stock records; none: the first")
    oscar_shipping_event: str = Field("shipped", description="code of the shipping event type a shipment is")
    oscar_refund_event: str = Field("refunded", description="code of the payment event type a refund is")

    # Shop policy and pricing: numbers code enforces, never the model.
    return_days: int = Field(7, ge=0, description="returns accepted this many days after the platform's shipment date")
    ship_within_days: int = Field(2, ge=0)
    price_markup: Decimal = Field(Decimal("2.5"), gt=1, description="price = cost x markup, then the price ending")
    price_min_markup: Decimal = Field(Decimal("1.3"), gt=1, description="never price below cost x this")
    price_ending: Decimal = Field(Decimal("0.99"), ge=0, lt=1, description="cents every price ends in")
    price_floor_pct: Decimal = Field(Decimal("100"), gt=0, le=100, description=(
        "the lowest price the service desk may offer a haggling buyer, in % of the list price (never below cost x "
        "price_min_markup either); 100: no lower offers. An offer waits for the owner"))

    # Order handling (tools/orders.py): the policy's numbers stay in code; these say where
    # tracking numbers come from, what to propose for paid orders without stock, when stock
    # is low, and how patient the browser driver is with a slow or failing platform.
    shipping_carrier: str = Field("Sandbox Post", min_length=1, description="carrier named on shipments")
    shipping_carriers: dict[str, str] = Field(default_factory=dict, description="the carrier per platform, e.g. "
                                              "{ oscar = \"Royal Mail\" }; others use shipping_carrier")
    tracking_source: Literal["generated", "file"] = Field(
        "generated", description="generated: a number derived from the order; file: tracking_file from the logistics provider")
    tracking_file: Path | None = Field(None, description="CSV with order,carrier,tracking columns (tracking_source = file)")
    stockout_proposal: Literal["backorder", "refund"] = Field(
        "backorder", description="proposed to the owner for a paid order without stock")
    low_stock_units: int = Field(3, ge=0, description="check_stock lists SKUs with this many free units or fewer")
    browser_timeout_s: float = Field(15.0, gt=0, description="seconds a page may take before a retry")
    browser_retries: int = Field(3, ge=0, description="retries with backoff on 5xx answers and timeouts")
    action_retries: int = Field(3, ge=0, description="later runs retry a failed ship or return this many times, "
                                "waiting retry_backoff_minutes, then twice as long each time; after that it waits "
                                "for the owner")
    retry_backoff_minutes: int = Field(60, ge=0, description="wait before the first retry of a failed platform action")
    # The browser drivers act as an identified automated agent (tools/drivers/automation.py).
    browser_user_agent_suffix: str = Field("shopagent/0.1 (automated seller agent)", max_length=200,
                                           description="added to the browser's User-Agent on every platform")
    browser_headers: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="HTTP headers per platform where it asks agents for one, "
        "e.g. { oscar = { \"X-Automated-Agent\" = \"shopagent\" } }")
    browser_rate_limit: dict[str, Annotated[float, Field(gt=0)]] = Field(
        default_factory=dict, description="most page loads and form posts per second, per platform, "
        "e.g. { oscar = 2 }; a platform not named: no limit")

    # Owner notifications (both optional): approvals waiting, a failed run, the daily report.
    notify_webhook_url: str | None = Field(None, description="JSON POST target, e.g. a chat-bot webhook")
    notify_email_to: str | None = None
    notify_shop_label: str = ""
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None
    smtp_starttls: bool = False

    # `shopagent serve`: when the daily loop runs (shop timezone) and where the console listens.
    daily_at: str = Field("07:00", description="time of day of the daily loop, HH:MM from 00:00 to 23:59")
    desk_model_replies: Literal["auto", "send", "owner", "off"] = Field(
        "auto", description="buyer questions code cannot answer from the records: send (the model's draft, after the "
                            "reply checks), owner (its draft waits for the owner), off (the owner answers); auto: "
                            "off with the embedded model, send with any other")
    stock_interval: int = Field(300, ge=0, description="seconds between stock passes under `serve` for a shop on "
                                "several platforms (new orders from each, then the units left shown on each); 0: "
                                "only in the daily pass")
    desk_interval: int = Field(60, ge=0, description="seconds between service desk passes (buyer messages) under "
                                                     "`shopagent serve`; 0: messages only in the daily pass")
    console_port: int = Field(8770, ge=1, le=65535)
    console_password: SecretStr | None = Field(None, description="the owner's password for the web console; serve refuses to start the console without one")

    currency: str = Field("USD", min_length=3, max_length=3)
    locale: Literal["en", "zh-CN"] = "en"
    timezone: str = Field("UTC", description="IANA time zone name, e.g. Asia/Shanghai")

    # Product images: the compositor always runs; a diffusers model adds lifestyle scenes.
    image_model: str | None = Field(None, description="diffusers model: local folder or model id; none: compositor only")
    image_device: Literal["auto", "cpu", "cuda", "mps"] = "auto"
    image_steps: int = Field(30, ge=1, le=200, description="diffusion steps per picture")
    image_size: int = Field(512, ge=64, le=2048, multiple_of=8, description="side of the square the model paints at")
    image_profile: Literal["sandbox", "taobao", "shopify"] = Field("sandbox", description="marketplace picture rules: format, byte limit, visible AI label")
    image_badge: str | None = Field(None, max_length=12, description="short word on a seal on main images, e.g. NEW")
    image_font: Path | None = Field(None, description="font with CJK glyphs; default: Noto Sans CJK")
    ai_label_text: str | None = Field(None, max_length=40, description="visible label on model-made pictures; default: the profile's")

    # Promo clips and the live room (tools/clips/): the offline voice per language, who
    # presents, and the visible AI mark that platforms and China's AIGC labelling rules
    # require on digital-human videos ("platform:language" keys override a language's text).
    clip_voice_en: str = Field("piper:joe", description="voice for English clips: piper:joe, piper:/path/voice.onnx or espeak:VOICE")
    clip_voice_zh: str = Field("espeak:cmn-latn-pinyin", description="voice for Mandarin clips (same forms)")
    clip_presenter: Literal["avatar", "twin", "talking-head"] = Field(
        "avatar", description="drawn avatar, the owner's photo as a digital twin, or a neural talking-head backend")
    clip_avatar_look: Literal["ava", "ben", "mei"] = Field("ava", description="the drawn avatar's look")
    clip_owner_photo: Path | None = Field(None, description="the owner's front-facing portrait (twin and talking-head presenters)")
    clip_talking_head: str | None = Field(None, description="module:factory of a talking-head backend (clip_presenter = talking-head)")
    clip_ai_label: dict[str, str] = Field(
        default_factory=lambda: {"en": "AI-generated", "zh-CN": "AI生成"},
        description="visible AI mark on every clip, per language or platform:language")
    clip_crf: int = Field(26, ge=14, le=35, description="H.264 quality of clips: lower is sharper and larger "
                          "(26 with ultrafast: about 1.5 Mbps; 20 clips then fit the live room's 60 MB)")
    clip_preset: Literal["ultrafast", "superfast", "veryfast", "faster"] = Field(
        "ultrafast", description="x264 speed; ultrafast (with CABAC and B-frames back on) encodes a clip in half "
        "of veryfast's time; at crf 26 its files are as large as superfast's at 23, with about the same PSNR")

    @model_validator(mode="after")
    def _main_platform_first(self) -> "Settings":
        if len(set(self.platforms)) != len(self.platforms):
            raise ValueError(f"platforms names one twice ({', '.join(self.platforms)}); name each platform once")
        if self.platforms and "platform" in self.model_fields_set and self.platform != self.platforms[0]:
            # `--platform X` (or platform = X beside platforms): X is the main one of this run.
            if self.platform not in self.platforms:
                raise ValueError(f"platform '{self.platform}' is not one of platforms ({', '.join(self.platforms)}); "
                                 f"add it there or choose one of them")
            self.platforms = [self.platform, *(p for p in self.platforms if p != self.platform)]
        if self.platforms:
            self.platform = self.platforms[0]
        unknown = sorted(set(self.platform_logins) - set(self.platforms))
        if unknown:
            raise ValueError(f"platform_logins names {', '.join(unknown)}, which platforms does not list; "
                             f"add it to platforms or remove its login")
        return self

    @property
    def selling_on(self) -> list[str]:
        """The platforms the shop sells on, the main one first."""
        return list(self.platforms) or [self.platform]

    def login_for(self, platform: str) -> PlatformLogin:
        """The address and login of `platform`: the marketplace_* settings for the main one."""
        if platform in self.platform_logins:
            return self.platform_logins[platform]
        if platform != self.platform:
            return PlatformLogin(url=None)
        return PlatformLogin(url=self.marketplace_url, user=self.marketplace_user,
                             password=self.marketplace_password, locale=self.marketplace_locale)

    @field_validator("currency")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    # Checked at load, so `serve` does not start and then fail in the scheduler.
    @field_validator("daily_at")
    @classmethod
    def _time_of_day(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError(f"'{value}' is not a time of day; write HH:MM from 00:00 to 23:59, e.g. 07:00")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}'; use an IANA name such as UTC or Asia/Shanghai") from None
        return value

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
        tighten(toml_path)  # it may hold passwords; one made before files were kept private

        # The file's location depends on the work directory, so it is bound per load.
        class _FromFolder(cls):  # type: ignore[valid-type, misc]
            model_config = SettingsConfigDict(toml_file=toml_path)

        return _FromFolder(**{**overrides, "workdir": folder})

    @property
    def db_url(self) -> str:
        """The effective database URL."""
        return self.database_url or f"sqlite:///{(self.workdir / 'shop.db').resolve()}"

    def masked(self) -> dict[str, Any]:
        """The effective settings as plain values, with secrets (passwords and tokens inside
        URLs too) shown as '****'."""
        shown: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = "****" if value.get_secret_value() else ""
            elif name == "platform_logins":
                value = {platform: {"url": mask_url(login.url), "user": login.user, "locale": login.locale,
                                    "password": "****" if login.password else ""} for platform, login in value.items()}
            elif isinstance(value, (Path, Decimal)):
                value = str(value)
            shown[name] = value
        for name in URL_SETTINGS:  # passwords and tokens inside URLs
            shown[name] = masked_url_setting(self, name)
        shown["database_url"] = mask_url(self.db_url)
        return shown

    def redact(self, text: str) -> str:
        """`text` (an error message, a log line) with every secret of these settings hidden."""
        return redact(self, text)


def write_settings_file(workdir: Path, values: dict[str, Any]) -> Path:
    """Write a starter shopagent.toml (mode 0600) with `values` and commented hints for the rest."""
    lines = ["# shopagent settings for this work directory; SHOPAGENT_* variables override them."]
    for name, field in Settings.model_fields.items():
        if name == "workdir":
            continue
        hint = f"  # {field.description}" if field.description else ""
        default = field.get_default(call_default_factory=True)
        if name in values:
            lines.append(f"{name} = {_toml_value(values[name])}{hint}")
        elif default is not None:
            lines.append(f"# {name} = {_toml_value(default)}{hint}")
        else:
            lines.append(f"# {name} = \"\"{hint}")
    path = workdir / SETTINGS_FILE
    write_private(path, "\n".join(lines) + "\n")  # 0600: passwords may be added to it
    return path


def _toml_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f'"{k}" = {_toml_value(v)}' for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
