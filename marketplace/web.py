"""What every route shares: rendering, the request's clock, DB sessions, seller login."""

from __future__ import annotations

import functools
import hashlib
import time
from datetime import UTC, datetime
from urllib.parse import quote

from fastapi.templating import Jinja2Templates
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from marketplace import db
from marketplace.models import Shop
from marketplace.orders import cents
from marketplace.security import csrf_token, logout

# The alternate layout's wording: different words a person would still recognise, and
# the original verb kept so a driver that finds buttons by text keeps working.
ALT_WORDS = {
    "Ship": "Ship now", "Refund": "Refund", "Cancel order": "Cancel order", "Save": "Save changes",
    "Log in": "Log in to continue", "Reply": "Reply to buyer", "Accept return": "Accept return",
    "Reject return": "Reject return", "Publish": "Publish", "Pause": "Pause", "Delete": "Delete",
    "Orders": "Sales orders", "Listings": "Products", "Messages": "Inbox", "Filter": "Filter orders",
    "Change address": "Change address",
}


class LoginRequired(Exception):
    """Raised by ``require_seller``; the app answers with a redirect to the login page."""

    def __init__(self, next_url: str, reason: str = ""):
        self.next_url = next_url
        self.reason = reason


def session_for(request: Request) -> Session:
    """A DB session on the app's engine."""
    return db.session(request.app.state.engine)


def now(request: Request) -> datetime:
    """The request's time: the simulator's ``X-Sim-Time`` when the sim clock is on."""
    stamp = request.headers.get("x-sim-time")
    if stamp and request.app.state.settings.sim_clock:
        parsed = datetime.fromisoformat(stamp)
        return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
    return datetime.now(UTC).replace(tzinfo=None)


def require_seller(request: Request) -> int:
    """The logged-in seller's id; raise LoginRequired if there is none or it expired."""
    seller_id = request.session.get("seller_id")
    next_url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if not seller_id:
        raise LoginRequired(next_url)
    limit = request.app.state.faults.session_minutes
    if limit and time.time() - request.session.get("login_at", 0) > limit * 60:
        logout(request)
        raise LoginRequired(next_url, "Your session expired. Please log in again.")
    return seller_id


def login_redirect(exc: LoginRequired) -> RedirectResponse:
    """Where LoginRequired sends the browser."""
    url = "/seller/login?next=" + quote(exc.next_url)
    if exc.reason:
        url += "&expired=1"
    return RedirectResponse(url, status_code=303)


def flash(request: Request, text: str, kind: str = "ok") -> None:
    """Queue a one-line notice for the next page."""
    request.session.setdefault("flash", []).append([kind, text])


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def render(request: Request, name: str, context: dict | None = None, status: int = 200) -> HTMLResponse:
    """Render a template with the shared context (shop, CSRF token, layout, notices)."""
    state = request.app.state
    alt = state.faults.alt_layout
    with session_for(request) as s:
        shop = s.get(Shop, 1)
    ctx = {
        "shop": shop,
        "csrf": csrf_token(request),
        "alt": alt,
        "id_": (lambda name: _alt_name(name) if alt else name),
        "word": (lambda text: ALT_WORDS.get(text, text) if alt else text),
        "notices": request.session.pop("flash", []),
        "logged_in": bool(request.session.get("seller_id")),
    }
    ctx.update(context or {})
    return state.templates.TemplateResponse(request, name, ctx, status_code=status)


def _alt_name(name: str) -> str:
    return "c" + hashlib.sha1(name.encode()).hexdigest()[:7]


@functools.cache
def make_templates(directory: str) -> Jinja2Templates:
    """Jinja2 templates with autoescape and the money filter.

    Cached per folder: the templates are read-only code, and compiling them again for
    every app (tests build many) is the slowest part of a first page.
    """
    templates = Jinja2Templates(directory=directory)
    templates.env.filters["money"] = cents
    templates.env.filters["dt"] = lambda d: d.strftime("%Y-%m-%d %H:%M") if d else ""
    return templates
