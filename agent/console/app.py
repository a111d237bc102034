"""The web console's application: login, the shared page frame, files of the work directory,
and the routers for the approval queue and the other pages. Nothing is served without login."""

import json
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData
from starlette.middleware.trustedhost import TrustedHostMiddleware

from agent.console.auth import DEVICE_COOKIE, DEVICE_DAYS, LOGIN_COOKIE, SESSION_COOKIE, SESSION_HOURS, OwnerSession, \
    PasswordCheck, Sessions, csrf_ok, load_secret
from agent.console.files import FILE_HEADERS, file_url, served_file
from agent.console.jobs import Resumer
from agent.workspace import Workspace
from store_data.money import format_money

TEMPLATES = Path(__file__).parent / "templates"
LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; media-src 'self'; "
                               "style-src 'self' 'unsafe-inline'; script-src 'none'; frame-src 'self'; "
                               "frame-ancestors 'self'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class NotLoggedIn(Exception):
    """The request carries no live session."""


@dataclass
class Console:
    workspace: Workspace
    sessions: Sessions
    resumer: Resumer
    templates: Jinja2Templates

    def render(self, request: Request, name: str, session: OwnerSession | None, status_code: int = 200,
               **context: Any) -> Response:
        notes = list(session.notes) if session else []
        if session:
            session.notes.clear()
        defaults = {"session": session, "notes": notes, "currency": self.workspace.settings.currency}
        return self.templates.TemplateResponse(request, name, {**defaults, **context},
                                               status_code=status_code)


def console_of(request: Request) -> Console:
    return request.app.state.console


def owner(request: Request) -> OwnerSession:
    """The logged-in owner's session; anything else is refused."""
    session = console_of(request).sessions.find(request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise NotLoggedIn()
    return session


async def checked_form(request: Request, session: OwnerSession = Depends(owner)) -> FormData:
    """The submitted form, only when it carries the session's CSRF token."""
    form = await request.form()
    token = form.get("csrf_token")
    if not isinstance(token, str) or not csrf_ok(session, token):
        raise HTTPException(403, "this form has no valid CSRF token; reload the page and try again")
    return form


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    env = templates.env
    env.filters["money"] = lambda cents, currency="USD": "" if cents is None else format_money(int(cents), currency)
    env.filters["pretty"] = lambda value: json.dumps(value, indent=2, ensure_ascii=False, default=str)
    env.filters["when"] = lambda value: f"{value:%Y-%m-%d %H:%M:%S} UTC" if isinstance(value, datetime) else ""
    return templates


def create_app(workspace: Workspace, password: PasswordCheck, resumer: Resumer | None = None) -> FastAPI:
    """The console app for one work directory. `resumer` resumes runs after decisions; by
    default it resumes them as the CLI does (agent.approvals.resume_after)."""
    from agent.approvals import resume_after
    from agent.console import decisions, pages

    # The console's worker waits for a run in progress (a scheduled daily pass) to finish.
    resumer = resumer or Resumer(lambda run_id: resume_after(workspace, run_id, wait_s=3600),
                                 redact=workspace.settings.redact)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        resumer.close()

    app = FastAPI(title="shopagent console", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.console = Console(workspace, Sessions(load_secret(workspace.workdir), password), resumer, _templates())
    app.state.console.templates.env.globals["file_url"] = lambda path: file_url(workspace.workdir, path)
    # Only loopback names: a page elsewhere cannot reach the console by re-pointing its own name.
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=LOCAL_HOSTS)

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in PAGE_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(NotLoggedIn)
    async def not_logged_in(request: Request, _exc: NotLoggedIn):
        if request.method == "GET" and not request.url.path.startswith("/files/"):
            return RedirectResponse("/login", status_code=303)
        return PlainTextResponse("log in first", status_code=401)

    @app.get("/login")
    def login_page(request: Request, problem: str = "") -> Response:
        console = console_of(request)
        token, cookie = console.sessions.login_form()
        response = console.render(request, "login.html", None, token=token, problem=problem)
        response.set_cookie(LOGIN_COOKIE, cookie, httponly=True, samesite="strict", max_age=3600)
        return response

    @app.post("/login")
    def log_in(request: Request, password: str = Form(""), csrf_token: str = Form("")) -> Response:
        console = console_of(request)
        if not console.sessions.login_form_ok(request.cookies.get(LOGIN_COOKIE), csrf_token):
            raise HTTPException(403, "the login form has no valid CSRF token; reload the page and try again")
        client = console.sessions.client(request.cookies.get(DEVICE_COOKIE), request.client.host if request.client else "")
        if console.sessions.paused_for(client):
            return PlainTextResponse(f"too many wrong passwords; try again in {console.sessions.paused_for(client)} s",
                                     status_code=429)
        found = console.sessions.log_in(password, client)
        if found is None:
            return RedirectResponse("/login?problem=wrong", status_code=303)
        cookie, _session, device = found
        response = RedirectResponse("/approvals", status_code=303)
        response.set_cookie(SESSION_COOKIE, cookie, httponly=True, samesite="strict", max_age=SESSION_HOURS * 3600)
        response.set_cookie(DEVICE_COOKIE, device, httponly=True, samesite="strict", max_age=DEVICE_DAYS * 86400)
        response.delete_cookie(LOGIN_COOKIE)
        return response

    @app.post("/logout")
    def log_out(request: Request, _form: FormData = Depends(checked_form),
                session: OwnerSession = Depends(owner)) -> Response:
        console_of(request).sessions.log_out(session)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/")
    def home(_session: OwnerSession = Depends(owner)) -> Response:
        return RedirectResponse("/approvals", status_code=303)

    @app.get("/files/{requested:path}")
    def files(requested: str, _session: OwnerSession = Depends(owner)) -> Response:
        path = served_file(workspace.workdir, requested)
        if path is None:
            raise HTTPException(404, "no such file in the work directory's assets or runs")
        return FileResponse(path, headers=FILE_HEADERS)

    app.include_router(decisions.router, dependencies=[Depends(owner)])
    app.include_router(pages.router, dependencies=[Depends(owner)])
    return app
