"""What a run needs from the outside world, built once per process from settings:
the model and the marketplace driver. The CLI and the console both come through here."""

from contextlib import contextmanager
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from agent.errors import UserError
from agent.llm import make_llm
from agent.sandbox import SandboxProcess, seller_password
from agent.workspace import Workspace
from tools.drivers.automation import Automation
from tools.drivers.marketplace import MarketplaceDriver
from tools.drivers.sandbox_browser import SandboxBrowserDriver
from tools.llm import LLM


@dataclass
class Operator:
    workspace: Workspace
    llm: LLM
    driver: MarketplaceDriver | None = None


def make_driver(workspace: Workspace) -> tuple[MarketplaceDriver | None, SandboxProcess | None]:
    """The marketplace driver per settings, and the sandbox process it may start.

    Nothing starts here: the sandbox process starts when the driver first needs its URL,
    and the browser when the driver first loads a page, so commands that never touch the
    platform start neither.
    """
    settings = workspace.settings
    if settings.platform == "oscar":
        return _oscar_driver(workspace), None
    if settings.platform == "vendure":
        return _vendure_driver(workspace), None
    url: str | Callable[[], str]
    password: str | Callable[[], str]
    process: SandboxProcess | None = None
    if settings.marketplace_url:
        url = settings.marketplace_url
        password = settings.marketplace_password.get_secret_value() if settings.marketplace_password else ""
    else:
        sandbox = process = SandboxProcess(settings)
        url, password = (lambda: sandbox.url), (lambda: seller_password(settings))  # both asked on first use
    driver = SandboxBrowserDriver(url, settings.marketplace_user, password, workspace.runs,
                                  browser_executable=settings.browser_executable,
                                  timeout_s=settings.browser_timeout_s, retries=settings.browser_retries,
                                  automation=automation_for(settings))
    return driver, process


def automation_for(settings) -> Automation:
    """How the browser driver presents itself on the platform in use, per settings."""
    platform = settings.platform
    return Automation(user_agent_suffix=settings.browser_user_agent_suffix,
                      headers=settings.browser_headers.get(platform, {}),
                      requests_per_s=settings.browser_rate_limit.get(platform))


def _oscar_driver(workspace: Workspace) -> MarketplaceDriver:
    """The staff dashboard of the django-oscar shop at marketplace_url."""
    from tools.drivers.oscar_browser import OscarBrowserDriver

    settings = workspace.settings
    if not settings.marketplace_url or settings.marketplace_password is None:
        raise UserError("platform 'oscar' needs the shop's address and a staff login: set marketplace_url, "
                        "marketplace_user (the staff e-mail) and marketplace_password in shopagent.toml")
    return OscarBrowserDriver(settings.marketplace_url, settings.marketplace_user,
                              settings.marketplace_password.get_secret_value(), workspace.runs,
                              browser_executable=settings.browser_executable, timeout_s=settings.browser_timeout_s,
                              retries=settings.browser_retries, shop_timezone=settings.timezone,
                              status_map=settings.oscar_status_map, shipped_event=settings.oscar_shipping_event,
                              refund_event=settings.oscar_refund_event, partner=settings.oscar_partner,
                              product_class=settings.oscar_product_class, locale=settings.marketplace_locale,
                              automation=automation_for(settings))


def _vendure_driver(workspace: Workspace) -> MarketplaceDriver:
    """The Admin API of the Vendure shop at marketplace_url, as an administrator."""
    from tools.drivers.vendure_api import VendureApiDriver

    settings = workspace.settings
    if not settings.marketplace_url or settings.marketplace_password is None:
        raise UserError("platform 'vendure' needs the shop's address and an administrator's login: set "
                        "marketplace_url (e.g. http://127.0.0.1:3000), marketplace_user and marketplace_password "
                        "in shopagent.toml")
    return VendureApiDriver(settings.marketplace_url, settings.marketplace_user,
                            settings.marketplace_password.get_secret_value(), timeout_s=settings.browser_timeout_s,
                            retries=settings.browser_retries, automation=automation_for(settings),
                            currency=settings.currency)


@contextmanager
def operator(workspace: Workspace) -> Iterator[Operator]:
    """The model (started lazily) and the driver for runs in `workspace`."""
    llm = make_llm(workspace.settings)
    driver, process = make_driver(workspace)
    try:
        yield Operator(workspace=workspace, llm=llm, driver=driver)
    finally:
        llm.close()
        if driver is not None:
            driver.close()
        if process is not None:
            process.stop()
