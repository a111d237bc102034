"""What a run needs from the outside world, built once per process from settings:
the model and the marketplace driver. The CLI and the console both come through here."""

from contextlib import contextmanager
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from agent.errors import UserError
from agent.llm import make_llm
from agent.sandbox import SandboxProcess
from agent.settings import PlatformLogin
from agent.workspace import Workspace
from tools.drivers.automation import Automation
from tools.drivers.marketplace import MarketplaceDriver
from tools.drivers.sandbox_browser import SandboxBrowserDriver
from tools.llm import LLM


@dataclass
class Operator:
    workspace: Workspace
    llm: LLM
    # One per platform the shop sells on, the main one first.
    drivers: dict[str, MarketplaceDriver] = field(default_factory=dict)

    @property
    def driver(self) -> MarketplaceDriver | None:
        """The main platform's driver."""
        return next(iter(self.drivers.values()), None)


def make_driver(workspace: Workspace, platform: str | None = None
                ) -> tuple[MarketplaceDriver | None, SandboxProcess | None]:
    """The driver of `platform` (default: the main one) per settings, and the sandbox process
    it may start.

    Nothing starts here: the sandbox process starts when the driver first needs its URL,
    and the browser when the driver first loads a page, so commands that never touch the
    platform start neither.
    """
    settings = workspace.settings
    platform = platform or settings.platform
    login = settings.login_for(platform)
    if platform == "oscar":
        return _oscar_driver(workspace, login), None
    if platform == "vendure":
        return _vendure_driver(workspace, login), None
    url: str | Callable[[], str]
    password: str | Callable[[], str]
    process: SandboxProcess | None = None
    if login.url:
        url = login.url
        password = login.password.get_secret_value() if login.password else ""
    else:
        sandbox = process = SandboxProcess(settings, login.user, login.password)
        url, password = (lambda: sandbox.url), (lambda: sandbox.password)  # both asked on first use
    driver = SandboxBrowserDriver(url, login.user, password, workspace.runs,
                                  browser_executable=settings.browser_executable,
                                  timeout_s=settings.browser_timeout_s, retries=settings.browser_retries,
                                  automation=automation_for(settings, platform))
    return driver, process


def automation_for(settings, platform: str | None = None) -> Automation:
    """How the browser driver presents itself on `platform` (default: the main one), per settings."""
    platform = platform or settings.platform
    return Automation(user_agent_suffix=settings.browser_user_agent_suffix,
                      headers=settings.browser_headers.get(platform, {}),
                      requests_per_s=settings.browser_rate_limit.get(platform))


def _oscar_driver(workspace: Workspace, login: PlatformLogin) -> MarketplaceDriver:
    """The staff dashboard of the django-oscar shop at the login's address."""
    from tools.drivers.oscar_browser import OscarBrowserDriver

    settings = workspace.settings
    if not login.url or login.password is None:
        where = ("marketplace_url, marketplace_user (the staff e-mail) and marketplace_password"
                 if settings.platform == "oscar" else "url, user (the staff e-mail) and password under [platform_logins.oscar]")
        raise UserError(f"platform 'oscar' needs the shop's address and a staff login: set {where} in shopagent.toml")
    return OscarBrowserDriver(login.url, login.user, login.password.get_secret_value(), workspace.runs,
                              browser_executable=settings.browser_executable, timeout_s=settings.browser_timeout_s,
                              retries=settings.browser_retries, shop_timezone=settings.timezone,
                              status_map=settings.oscar_status_map, shipped_event=settings.oscar_shipping_event,
                              refund_event=settings.oscar_refund_event, partner=settings.oscar_partner,
                              product_class=settings.oscar_product_class, locale=login.locale,
                              automation=automation_for(settings, "oscar"))


def _vendure_driver(workspace: Workspace, login: PlatformLogin) -> MarketplaceDriver:
    """The Admin API of the Vendure shop at the login's address, as an administrator."""
    from tools.drivers.vendure_api import VendureApiDriver

    settings = workspace.settings
    if not login.url or login.password is None:
        where = ("marketplace_url (e.g. http://127.0.0.1:3000), marketplace_user and marketplace_password"
                 if settings.platform == "vendure" else "url, user and password under [platform_logins.vendure]")
        raise UserError(f"platform 'vendure' needs the shop's address and an administrator's login: set {where} "
                        "in shopagent.toml")
    return VendureApiDriver(login.url, login.user, login.password.get_secret_value(),
                            timeout_s=settings.browser_timeout_s, retries=settings.browser_retries,
                            automation=automation_for(settings, "vendure"), currency=settings.currency)


@contextmanager
def operator(workspace: Workspace) -> Iterator[Operator]:
    """The model (started lazily) and the driver for runs in `workspace`."""
    llm = make_llm(workspace.settings)
    drivers: dict[str, MarketplaceDriver] = {}
    processes: list[SandboxProcess] = []
    try:
        for platform in workspace.settings.selling_on:
            driver, process = make_driver(workspace, platform)
            if driver is not None:
                drivers[platform] = driver
            if process is not None:
                processes.append(process)
        yield Operator(workspace=workspace, llm=llm, drivers=drivers)
    finally:
        llm.close()
        for driver in drivers.values():
            driver.close()
        for process in processes:
            process.stop()
