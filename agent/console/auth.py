"""The console's login: the owner's password (kept only as a scrypt hash), sessions held in
this process behind a signed cookie, a CSRF token per session, and a pause after repeated
wrong passwords, per client: a browser that logged in before (its signed device cookie),
else the address asking, so nobody else's wrong guesses lock the owner's browser out.

Sessions live in memory: restarting the console logs the owner out, and logging out ends
the session on the server, so a copied cookie stops working too.
"""

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

from agent.errors import UserError

SESSION_COOKIE = "shopagent_console"
LOGIN_COOKIE = "shopagent_console_login"
DEVICE_COOKIE = "shopagent_console_device"
DEVICE_DAYS = 90
SESSION_HOURS = 12
LOGIN_FORM_SECONDS = 3600
MIN_PASSWORD = 8
# After this many wrong passwords in a row from one client, its attempts are refused for PAUSE_S seconds.
MAX_FAILURES, PAUSE_S = 5, 30
SECRET_FILE = "console_secret"


class PasswordCheck:
    """The owner's password as a salted scrypt hash made at startup; the text is not kept."""

    def __init__(self, password: str):
        if len(password) < MIN_PASSWORD:
            raise UserError(f"console_password is shorter than {MIN_PASSWORD} characters; set a longer one "
                            "in shopagent.toml or SHOPAGENT_CONSOLE_PASSWORD")
        self._salt = secrets.token_bytes(16)
        self._digest = self._hash(password)

    def _hash(self, password: str) -> bytes:
        return hashlib.scrypt(password.encode("utf-8"), salt=self._salt, n=2**14, r=8, p=1, dklen=32)

    def matches(self, attempt: str) -> bool:
        return hmac.compare_digest(self._hash(attempt), self._digest)


def load_secret(workdir: Path) -> bytes:
    """The cookie-signing key of this work directory, made once and readable by the owner only."""
    path = Path(workdir) / SECRET_FILE
    if not path.exists():
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip().encode("ascii")


@dataclass
class OwnerSession:
    sid: str
    csrf: str
    expires: float
    notes: list[str] = field(default_factory=list)  # told to the owner on the next page


class Sessions:
    """Logged-in sessions by id; the cookie carries the id, signed."""

    def __init__(self, secret: bytes, password: PasswordCheck):
        self._password = password
        self._cookies = URLSafeTimedSerializer(secret, salt="shopagent-console-session")
        self._login_forms = URLSafeTimedSerializer(secret, salt="shopagent-console-login")
        self._devices = URLSafeTimedSerializer(secret, salt="shopagent-console-device")
        self._live: dict[str, OwnerSession] = {}
        self._lock = threading.Lock()
        # Per client; the keys are addresses and devices that logged in, so they stay few.
        self._failures: dict[str, int] = {}
        self._paused_until: dict[str, float] = {}

    # --- login ------------------------------------------------------------------------------

    def login_form(self) -> tuple[str, str]:
        """A CSRF token for the login form and the signed cookie that vouches for it."""
        token = secrets.token_urlsafe(24)
        return token, self._login_forms.dumps(token)

    def login_form_ok(self, cookie: str | None, token: str) -> bool:
        try:
            expected = self._login_forms.loads(cookie or "", max_age=LOGIN_FORM_SECONDS)
        except BadSignature:
            return False
        return bool(token) and hmac.compare_digest(str(expected), token)

    def client(self, device_cookie: str | None, address: str) -> str:
        """Who is trying to log in: a browser that logged in before, by its device cookie;
        else the address the request comes from."""
        try:
            return "device:" + str(self._devices.loads(device_cookie or "", max_age=DEVICE_DAYS * 86400))
        except BadSignature:
            return "address:" + address

    def paused_for(self, client: str) -> int:
        """Seconds left before `client`'s next password attempt is heard (0: now)."""
        return max(0, int(self._paused_until.get(client, 0.0) - time.monotonic() + 0.999))

    def log_in(self, password: str, client: str) -> tuple[str, OwnerSession, str] | None:
        """A new session, its cookie value and a device cookie for the browser when the
        password is right, else None."""
        if self.paused_for(client):
            return None
        if not self._password.matches(password):
            with self._lock:
                self._failures[client] = self._failures.get(client, 0) + 1
                if self._failures[client] >= MAX_FAILURES:
                    del self._failures[client]
                    self._paused_until[client] = time.monotonic() + PAUSE_S
            return None
        session = OwnerSession(sid=secrets.token_urlsafe(32), csrf=secrets.token_urlsafe(32),
                               expires=time.time() + SESSION_HOURS * 3600)
        with self._lock:
            self._failures.pop(client, None)
            self._live[session.sid] = session
        device = client.removeprefix("device:") if client.startswith("device:") else secrets.token_urlsafe(16)
        return self._cookies.dumps(session.sid), session, self._devices.dumps(device)

    # --- requests ---------------------------------------------------------------------------

    def find(self, cookie: str | None) -> OwnerSession | None:
        """The live session a cookie names, or None (unsigned, expired, logged out)."""
        if not cookie:
            return None
        try:
            sid = self._cookies.loads(cookie, max_age=SESSION_HOURS * 3600)
        except BadSignature:
            return None
        with self._lock:
            session = self._live.get(str(sid))
            if session is not None and session.expires < time.time():
                del self._live[session.sid]
                session = None
        return session

    def log_out(self, session: OwnerSession) -> None:
        with self._lock:
            self._live.pop(session.sid, None)


def csrf_ok(session: OwnerSession, token: str | None) -> bool:
    """Whether a submitted form carries this session's CSRF token."""
    return bool(token) and hmac.compare_digest(session.csrf, str(token))
