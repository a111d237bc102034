"""Fault switches: latency, HTTP 500s (random, or the next N form posts), a human check,
session expiry, alternate layout.

They make the sandbox behave like a real platform on a bad day, so the shop's browser
driver can be tested against it. Switches come from settings/env at start and can be
changed while running through ``/admin/faults`` (bearer admin token). Session expiry
lives in ``web.require_seller`` and the alternate layout in the templates; this module
holds the request-level faults and the human check.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import io
import random
import secrets
import string
from dataclasses import replace

from fastapi import APIRouter
from PIL import Image, ImageDraw, ImageFilter
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from marketplace.security import read_form
from marketplace.web import redirect, render

# Paths no fault touches: the operator must always be able to see health and turn faults off.
EXEMPT = ("/health", "/admin/", "/static/", "/media/")
HUMAN_CHECK_PATH = "/seller/human-check"

router = APIRouter()


class FaultMiddleware:
    """Apply latency, random 500s and the human check before the route runs.

    A plain ASGI middleware (not ``@app.middleware``) because it sits on every request
    and the generic wrapper costs more than the faults themselves.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT):
            return await self.app(scope, receive, send)
        request = Request(scope, receive)
        response = await self._fault(request)
        if response is None:
            return await self.app(scope, receive, send)
        return await response(scope, receive, send)

    async def _fault(self, request: Request) -> Response | None:
        state = request.app.state
        faults = state.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.fail_posts and request.method == "POST":
            state.faults = replace(faults, fail_posts=faults.fail_posts - 1)
            return _server_error()
        if faults.error_rate and state.fault_rng.random() < faults.error_rate:
            return _server_error()
        path = request.url.path
        if (faults.human_check and path.startswith("/seller") and path != HUMAN_CHECK_PATH
                and not request.session.get("human_ok")):
            if request.method == "GET":
                return redirect(f"{HUMAN_CHECK_PATH}?next={path}")
            return _challenge(request, status=403)
        return None


def _server_error() -> HTMLResponse:
    return HTMLResponse("<h1>Internal Server Error</h1><p>Something went wrong. Try again.</p>", status_code=500)


def _code_hash(request: Request, code: str) -> str:
    key = request.app.state.secret.encode()
    return hmac.new(key, code.strip().upper().encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    """Six letters, without the easily confused I and O."""
    return "".join(secrets.choice(string.ascii_uppercase.replace("O", "").replace("I", "")) for _ in range(6))


def _challenge(request: Request, error: str = "", status: int = 200) -> HTMLResponse:
    # Only a hash of the code goes in the (signed, but readable) session cookie.
    code = new_code()
    request.session["human_code"] = _code_hash(request, code)
    return render(request, "human_check.html", {"image": _picture(code), "error": error,
                                                "next": request.query_params.get("next", "/seller")},
                  status=status)


def _picture(code: str) -> str:
    # A noisy picture of the code: a person reads it, a form-filling script does not.
    rng = random.Random(code)
    img = Image.new("RGB", (240, 80), (245, 240, 230))
    draw = ImageDraw.Draw(img)
    for _ in range(40):
        draw.line([(rng.randrange(240), rng.randrange(80)), (rng.randrange(240), rng.randrange(80))],
                  fill=(rng.randrange(120, 220),) * 3, width=1)
    for i, char in enumerate(code):
        draw.text((20 + i * 35, 25 + rng.randrange(-10, 10)), char, fill=(30, 30, 80),
                  font_size=34)
    img = img.filter(ImageFilter.SMOOTH)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


@router.get(HUMAN_CHECK_PATH)
async def human_check_page(request: Request):
    """The interstitial: a picture of a code to type."""
    return _challenge(request)


@router.post(HUMAN_CHECK_PATH)
async def human_check_answer(request: Request):
    """Pass the check with the right code; a wrong one gets a new picture."""
    form = await read_form(request)
    expected = request.session.pop("human_code", None)
    answer = str(form.get("code", ""))
    if expected and hmac.compare_digest(expected, _code_hash(request, answer)):
        request.session["human_ok"] = True
        target = str(form.get("next") or "/seller")
        return redirect(target if target.startswith("/") and not target.startswith("//") else "/seller")
    return _challenge(request, "That was not the code in the picture. Try this one.", status=403)


def _admin_ok(request: Request) -> bool:
    token = request.app.state.admin_token
    sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    sent = sent or request.headers.get("x-admin-token", "")
    return bool(token) and hmac.compare_digest(sent.encode(), token.encode())


@router.get("/admin/faults")
async def get_faults(request: Request):
    """The current fault switches (admin token required)."""
    if not _admin_ok(request):
        return JSONResponse({"error": "admin token required"}, status_code=401)
    return vars(request.app.state.faults)


@router.post("/admin/faults")
async def set_faults(request: Request):
    """Change fault switches with a JSON object, e.g. {"latency_ms": 200}."""
    if not _admin_ok(request):
        return JSONResponse({"error": "admin token required"}, status_code=401)
    try:
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("send a JSON object of switches")
        request.app.state.faults = request.app.state.faults.update(body)
    except ValueError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return vars(request.app.state.faults)
