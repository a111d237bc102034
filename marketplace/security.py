"""Password hashing, seller sessions, CSRF tokens and a login throttle."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections import defaultdict, deque

from starlette.datastructures import FormData
from starlette.formparsers import MultiPartException
from starlette.requests import Request

_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def hash_password(password: str) -> str:
    """Return ``scrypt$salt$hash`` for storage; never store the password itself."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_password(password: str, stored: str) -> bool:
    """Check ``password`` against a value from ``hash_password`` in constant time."""
    try:
        scheme, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), **_SCRYPT)
    return hmac.compare_digest(got, base64.b64decode(digest))


class CsrfError(Exception):
    """A form POST without the session's CSRF token."""


class BodyTooLarge(Exception):
    """The request body is over the server's limit."""


class BadForm(Exception):
    """The form could not be parsed."""


def form_int(form: FormData, name: str, default: int = 0) -> int:
    """The whole number a form field holds (`default` when it is missing or empty)."""
    value = form.get(name)
    if value is None or value == "":
        return default
    text = value.strip() if isinstance(value, str) else ""
    if not text.isdecimal() or len(text) > 9:  # isdecimal: what int() reads; 9 digits: no huge ints
        raise BadForm(f"The form's field {name} must be a whole number.")
    return int(text)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use; templates put it in every form."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


async def read_form(request: Request) -> FormData:
    """Parse a POSTed form and check its ``csrf_token`` against the session's.

    Raises CsrfError (403), BodyTooLarge (413) or BadForm (400); the app turns them
    into pages.
    """
    try:
        form = await request.form(max_files=20, max_fields=200, max_part_size=256 * 1024)
    except BodyTooLarge:
        raise
    except MultiPartException as exc:
        raise BadForm(str(exc)) from None
    expected = request.session.get("csrf")
    sent = form.get("csrf_token")
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise CsrfError("The form's security token is missing or out of date. Reload the page and try again.")
    return form


def login_seller(request: Request, seller_id: int) -> None:
    """Start a fresh seller session (new CSRF token, so a pre-login token is useless)."""
    cart = request.session.get("cart")
    request.session.clear()
    if cart:
        request.session["cart"] = cart
    request.session["seller_id"] = seller_id
    request.session["login_at"] = time.time()
    request.session["csrf"] = secrets.token_urlsafe(24)


def logout(request: Request) -> None:
    """End the session."""
    request.session.clear()


class LoginThrottle:
    """Refuses logins for an email after too many failures in a window."""

    def __init__(self, attempts: int, window_s: int):
        self.attempts = attempts
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def blocked(self, email: str) -> bool:
        """True while ``email`` has used up its failed attempts."""
        failures = self._failures[email.lower()]
        cutoff = time.monotonic() - self.window_s
        while failures and failures[0] < cutoff:
            failures.popleft()
        return len(failures) >= self.attempts

    def failed(self, email: str) -> None:
        self._failures[email.lower()].append(time.monotonic())

    def succeeded(self, email: str) -> None:
        self._failures.pop(email.lower(), None)
