"""What every back-office driven in a real headless Chromium shares: starting the browser
on first use, keeping the login in `runs/`, loading pages and submitting forms with 5xx and
timeouts turned into retries with backoff, and saving evidence when retries run out.

A platform's driver adds its own page knowledge (selectors, what a page's state means) on
top of this; the order, message and listing tools never see a page.
"""

import json
import threading
import time
from abc import abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urljoin, urlparse

from store_data.clock import utcnow
from store_data.private_file import tighten, write_private
from tools.drivers.automation import Automation, stop_reason
from tools.drivers.marketplace import MarketplaceDriver, Transient
from tools.errors import PlatformStopped, ToolFailed

# The flags a closed network needs: no background connections, no GPU, no sandbox as root.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STATE_FILE = "browser-state.json"
T = TypeVar("T")

# A form's filled fields (the file fields left out) as clicking `button` would send them.
FORM_ENTRIES = """([formSelector, buttonSelector]) => {
  const form = document.querySelector(formSelector);
  if (!form) return null;
  const button = buttonSelector ? form.querySelector(buttonSelector) || document.querySelector(buttonSelector) : null;
  const entries = [...new FormData(form, button || undefined)].filter(([, value]) => typeof value === 'string');
  // form.action would be the form's own field named 'action' where it has one (Oscar's buttons)
  return {action: new URL(form.getAttribute('action') || '', document.baseURI).href, entries};
}"""

if TYPE_CHECKING:  # playwright is imported when the browser starts, not with the tools
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright


class _SharedBrowser(threading.local):
    """One Playwright and one Chromium per thread for every driver in it: Playwright's sync
    API runs one instance per thread, and a shop on several platforms has a driver for each.
    Each driver keeps its own context (cookies, User-Agent, headers)."""

    playwright: "Playwright | None" = None
    browser: "Browser | None" = None
    users = 0

    def acquire(self, executable: str) -> "Browser":
        if self.browser is not None and not self.browser.is_connected():  # the process died: start anew
            self.playwright.stop() if self.playwright is not None else None
            self.playwright, self.browser = None, None
        if self.browser is None:
            from playwright.sync_api import sync_playwright

            self.playwright = sync_playwright().start()
            try:
                self.browser = self.playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS,
                                                               headless=True)
            except Exception as exc:
                self.playwright.stop()
                self.playwright = None
                raise ToolFailed(f"cannot start the browser {executable}: {str(exc).splitlines()[0]}; "
                                 "install Chromium or set browser_executable") from None
        self.users += 1
        return self.browser

    def release(self) -> None:
        self.users -= 1
        if self.users > 0:
            return
        try:
            if self.browser is not None:
                self.browser.close()
        except Exception:  # already gone
            pass
        if self.playwright is not None:
            self.playwright.stop()
        self.playwright, self.browser, self.users = None, None, 0


_shared = _SharedBrowser()


class PlatformRefused(ToolFailed):
    """The platform answered the form with a refusal (e.g. 'cannot become shipped')."""


class BrowserDriver(MarketplaceDriver):
    """A marketplace driver that works one page of a headless Chromium."""

    state_name = STATE_FILE  # the login state's file in runs/, one per platform
    # Whether the platform's pages run their own scripts. A driver that fills and sends every
    # form itself turns them off where they only dress the forms for a person (rich text
    # editors, dropdown overlays, date pickers): pages then load in a fraction of the time.
    page_scripts = True
    page_state_script = ""  # JS returning the page's state (login page? alert? ...) as a dict
    base_url: str  # the platform's address; each platform's driver sets it

    def __init__(self, runs_dir: Path, browser_executable: Path | str = "/usr/bin/chromium",
                 timeout_s: float = 15.0, retries: int = 3, backoff_s: float = 0.25,
                 automation: Automation | None = None):
        self.runs_dir = Path(runs_dir)
        self.automation = automation or Automation()
        self.executable = str(browser_executable)
        self.timeout_ms = int(timeout_s * 1000)
        self.retries, self.backoff_s = retries, backoff_s
        self._browser: Browser | None = None  # the thread's shared one, while this driver uses it
        self._context: BrowserContext | None = None
        self._page: Page | None = None
        self.logins = 0  # how many times this driver signed in (tests and the bench read it)

    @property
    def state_path(self) -> Path:
        return self.runs_dir / self.state_name

    @property
    def page(self) -> "Page":
        """The one page this driver works in; the browser starts on first use."""
        if self._page is None:
            self.runs_dir.mkdir(parents=True, exist_ok=True)
            self._browser = _shared.acquire(self.executable)
            tighten(self.state_path)  # the session's cookies log anyone in as the seller
            stored = str(self.state_path) if self.state_path.exists() else None
            browser_agent = self._browser.new_browser_cdp_session().send("Browser.getVersion")["userAgent"]
            self._context = self._browser.new_context(
                storage_state=stored, user_agent=self.automation.user_agent(browser_agent),
                java_script_enabled=self.page_scripts,
                extra_http_headers=self.automation.headers or None)
            self._context.set_default_timeout(self.timeout_ms)
            self._page = self._context.new_page()
        return self._page

    def close(self) -> None:
        try:
            if self._context is not None:
                self._context.close()
        except Exception:  # already gone with the browser process
            pass
        if self._browser is not None:
            _shared.release()
        self._browser = self._context = self._page = None

    def _remember_login(self) -> None:
        if self._context is None:  # a login happens on a page, which starts the context
            raise ToolFailed("the browser closed before its login could be saved; run again")
        self.logins += 1
        write_private(self.state_path, json.dumps(self._context.storage_state()))

    @abstractmethod
    def _open(self, path: str) -> None:
        """Load a back-office page as the signed-in seller (signing in again if needed)."""

    @abstractmethod
    def _submit(self, click: Callable[[], None], what: str) -> None:
        """Click a form's button and check the page that comes back for the platform's errors."""

    def _state(self) -> dict:
        return self.page.evaluate(self.page_state_script)

    def _goto(self, path: str):
        """Load `path`; a timeout, a refused connection or a 5xx is Transient (retried)."""
        from playwright.sync_api import Error as PlaywrightError

        self.automation.pace()
        try:
            response = self.page.goto(self.base_url + path, wait_until="domcontentloaded")
        except PlaywrightError as exc:
            raise Transient(f"loading {path}: {str(exc).splitlines()[0]}") from None
        self._check_stop(response, f"loading {path}")
        if response is not None and response.status >= 500:
            raise Transient(f"loading {path}: HTTP {response.status}")
        return response

    def _click_and_wait(self, click: Callable[[], None], what: str) -> int | None:
        """Click a form's button and wait for the page it leads to; 5xx and timeouts are Transient.
        Returns the answer's HTTP status (None when the browser saw none)."""
        from playwright.sync_api import Error as PlaywrightError

        self.automation.pace()
        try:
            with self.page.expect_navigation(wait_until="domcontentloaded") as navigation:
                click()
            response = navigation.value
        except PlaywrightError as exc:
            raise Transient(f"{what}: {str(exc).splitlines()[0]}") from None
        self._check_stop(response, what)
        if response is not None and response.status >= 500:
            raise Transient(f"{what}: HTTP {response.status}")
        return response.status if response is not None else None

    def _send_form(self, form: str, button: str, what: str, files: dict[str, Path] | None = None) -> str | None:
        """Send the page's filled `form` as clicking `button` would, with `files` for its file
        fields, from the browser's session but without loading the page a success redirects
        to: returns that page's address (the driver needs only what it names, such as a new
        product's id). None when the platform answered with a page instead (the form again,
        with its errors), which is then put in the browser page to be read like any other.
        5xx and timeouts are Transient, as for a click."""
        from playwright.sync_api import Error as PlaywrightError, FormData

        filled = self.page.evaluate(FORM_ENTRIES, [form, button])
        if filled is None:
            raise Transient(f"{what}: the page has no form {form}")
        data = FormData()
        for name, value in filled["entries"]:
            data.append(name, value)
        for name, path in (files or {}).items():
            data.append(name, Path(path))
        here = urlparse(self.page.url)
        self.automation.pace()
        try:
            # The Referer and Origin a browser sends: Django checks them on HTTPS forms.
            response = self.page.request.post(filled["action"], multipart=data, max_redirects=0,
                                              timeout=self.timeout_ms,
                                              headers={"Referer": self.page.url,
                                                       "Origin": f"{here.scheme}://{here.netloc}"})
        except PlaywrightError as exc:
            raise Transient(f"{what}: {str(exc).splitlines()[0]}") from None
        self._check_stop(response, what, response.text)
        if response.status >= 500:
            raise Transient(f"{what}: HTTP {response.status}")
        if 300 <= response.status < 400:
            return urljoin(filled["action"], response.headers.get("location", ""))
        self.page.set_content(response.text())  # keeps the form's address, so the page reads as it
        return None

    def _check_stop(self, response, what: str, text: Callable[[], str] | None = None) -> None:
        """End the run when the platform's answer says automated access must stop."""
        if response is None:
            return
        reason = stop_reason(response.status, response.headers,
                             text or (lambda: self.page.evaluate("document.body ? document.body.innerText : ''")))
        if reason:
            raise PlatformStopped(f"the {self.name} platform asked automated access to stop while {what} "
                                  f"({reason}); shopagent stopped the run and will not go on by itself: settle it "
                                  f"with the platform, then resume the run; {self.evidence('stopped ' + what)['note']}")

    def _with_retries(self, what: str, attempt: Callable[[], T]) -> T:
        """Run `attempt` (which reads the platform's state before acting) until it succeeds."""
        problem = ""
        for number in range(self.retries + 1):
            try:
                return attempt()
            except Transient as exc:  # the next attempt reads the page again (and signs in if asked)
                problem = str(exc)
                time.sleep(self.backoff_s * (2 ** number))
        raise ToolFailed(f"could not {what} after {self.retries + 1} tries ({problem}); "
                         f"{self.evidence(what)['note']}")

    def evidence(self, what: str) -> dict:
        """Save a screenshot and the page's HTML in runs/; return their paths."""
        stamp = f"{utcnow():%Y%m%d-%H%M%S-%f}"
        slug = "".join(c if c.isalnum() else "-" for c in what)[:40]
        shot, html = self.runs_dir / f"{stamp}-{slug}.png", self.runs_dir / f"{stamp}-{slug}.html"
        try:
            self.page.screenshot(path=str(shot), full_page=True)
            html.write_text(self.page.content(), encoding="utf-8")
        except Exception:  # the page itself may be what broke
            return {"note": "no screenshot could be taken", "url": ""}
        return {"screenshot": str(shot), "html": str(html), "url": self.page.url,
                "note": f"screenshot {shot} and page {html}"}
