"""The marketplace web app: ``create_app(data_dir, settings)``."""

from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI
from sqlmodel import func, select
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from marketplace import (backoffice, buyer_orders, buyers, db, faults, inventory, listings, profile, seller_messages,
                         stats, storefront)
from marketplace.models import Order, Seller, Shop
from marketplace.security import BadForm, BodyTooLarge, CsrfError, LoginThrottle, hash_password
from marketplace.settings import DEMO_SELLER_EMAIL, DEMO_SELLER_PASSWORD, Settings
from marketplace.web import LoginRequired, login_redirect, make_templates, render

HERE = Path(__file__).parent


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes, declared or streamed (ASGI middleware)."""

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared and declared.isdigit() and int(declared) > self.limit:
            response = HTMLResponse("<h1>Upload too large</h1>", status_code=413)
            return await response(scope, receive, send)
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise BodyTooLarge(f"request body over {self.limit} bytes")
            return message

        return await self.app(scope, limited, send)


def create_app(data_dir: Path | str, settings: Settings | None = None) -> FastAPI:
    """Build the app on ``data_dir`` (database, media, keys), creating what is missing."""
    data_dir = Path(data_dir)
    settings = settings or Settings.from_env()
    engine = db.make_engine(data_dir)
    media_dir = data_dir / "media"
    media_dir.mkdir(exist_ok=True)

    app = FastAPI(title="Sandbox marketplace", docs_url=None, redoc_url=None, openapi_url=None)
    state = app.state
    state.settings = settings
    state.engine = engine
    state.data_dir = data_dir
    state.media_dir = media_dir
    state.faults = settings.faults
    state.fault_rng = random.Random(settings.fault_seed)
    state.secret = settings.resolve_secret(data_dir)
    state.admin_token = settings.admin_token or _admin_token(data_dir)
    state.throttle = LoginThrottle(settings.login_attempts, settings.login_lockout_s)
    state.templates = make_templates(str(HERE / "templates"))

    _ensure_shop_and_seller(engine, settings)
    if settings.seed_demo:
        from marketplace.demo import seed_demo  # only needed once, at first start

        seed_demo(engine, media_dir)

    for module in (faults, backoffice, listings, inventory, profile, seller_messages, stats, storefront, buyer_orders,
                   buyers):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.mount("/media", StaticFiles(directory=media_dir), name="media")

    app.add_middleware(faults.FaultMiddleware)
    # Sessions wrap the fault middleware (it reads the session); the body limit wraps all.
    app.add_middleware(SessionMiddleware, secret_key=state.secret, session_cookie="mp_session",
                       same_site="lax", max_age=14 * 24 * 3600)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)

    @app.get("/health")
    def health():
        """Liveness and a few facts for the CLI that started us."""
        with db.session(engine) as s:
            orders = s.exec(select(func.count()).select_from(Order)).one()
        return {"status": "ok", "orders": orders, "sim_clock": settings.sim_clock,
                "time": datetime.now(UTC).isoformat()}

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired):
        return login_redirect(exc)

    @app.exception_handler(CsrfError)
    async def _csrf(request: Request, exc: CsrfError):
        return _error_page(request, "Form expired", str(exc), 403)

    @app.exception_handler(BodyTooLarge)
    async def _too_large(request: Request, exc: BodyTooLarge):
        return _error_page(request, "Upload too large", "That upload is over the size limit.", 413)

    @app.exception_handler(BadForm)
    async def _bad_form(request: Request, exc: BadForm):
        return _error_page(request, "Bad form", str(exc), 400)

    return app


def _error_page(request: Request, title: str, text: str, status: int) -> HTMLResponse:
    return render(request, "error.html", {"title": title, "text": text}, status=status)


def _admin_token(data_dir: Path) -> str:
    # Kept in the data folder (owner-only) so the operator can read it.
    path = data_dir / "admin_token"
    if path.exists():
        return path.read_text().strip()
    token = secrets.token_urlsafe(24)
    path.write_text(token)
    path.chmod(0o600)
    return token


def _ensure_shop_and_seller(engine, settings: Settings) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    email, password = settings.seller_email, settings.seller_password
    if settings.seed_demo and not email:
        email, password = DEMO_SELLER_EMAIL, DEMO_SELLER_PASSWORD
    with db.session(engine) as s:
        if not s.get(Shop, 1):
            s.add(Shop(id=1, name=settings.shop_name))
        if email and password:
            seller = s.exec(select(Seller).where(Seller.email == email.lower())).first()
            if seller is None:
                s.add(Seller(email=email.lower(), password_hash=hash_password(password), created_at=now))
            else:  # the settings are the source of truth for the seller's password
                seller.password_hash = hash_password(password)
                s.add(seller)
        s.commit()
