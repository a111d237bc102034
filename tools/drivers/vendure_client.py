"""A Vendure Admin API client: GraphQL over HTTP, signed in as an administrator.

The session is a bearer token from the `login` mutation (Vendure's `vendure-auth-token`
answer header). The client is an identified automated agent like the browser drivers
(tools/drivers/automation.py): its User-Agent names it, it keeps to the rate limit, and an
answer saying automated access must stop ends the run (PlatformStopped). A 5xx answer, a timeout or a refused connection is Transient; an expired
session signs in again once; a GraphQL error the platform gives for the request itself is a
PlatformRefused naming it. `with_retries` runs an attempt (which reads the platform's state
before it writes) again after a Transient, with backoff, as the browser drivers do.
"""

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx

from tools.drivers.automation import Automation, stop_reason
from tools.drivers.browser import PlatformRefused
from tools.drivers.marketplace import Transient
from tools.errors import PlatformStopped, ToolFailed

T = TypeVar("T")
TOKEN_HEADER = "vendure-auth-token"
LOGIN = """mutation($username: String!, $password: String!) {
  login(username: $username, password: $password) {
    __typename ... on CurrentUser { id } ... on ErrorResult { errorCode message } } }"""


class VendureClient:
    """The Admin API at `base_url`/admin-api, as the administrator `user`."""

    def __init__(self, base_url: str, user: str, password: str, timeout_s: float = 15.0,
                 retries: int = 3, backoff_s: float = 0.25, automation: Automation | None = None):
        self.base_url = base_url.rstrip("/")
        self.endpoint = f"{self.base_url}/admin-api"
        self.user, self.password = user, password
        self.retries, self.backoff_s = retries, backoff_s
        # An identified automated agent, as the browser drivers are: named in the User-Agent,
        # paced to the platform's rate limit, stopping when the platform says so.
        self.automation = automation or Automation()
        self.http = httpx.Client(timeout=timeout_s, headers={
            "User-Agent": self.automation.user_agent(f"python-httpx/{httpx.__version__}"), **self.automation.headers})
        self.token: str | None = None
        self.logins = 0  # how many times this client signed in (tests and the bench read it)
        self.requests = 0  # GraphQL requests sent (the bench reports it)

    def close(self) -> None:
        self.http.close()

    def login(self) -> None:
        self.token = None
        data, headers = self._post({"query": LOGIN, "variables": {"username": self.user, "password": self.password}})
        answer = data["login"]
        if answer["__typename"] != "CurrentUser":
            raise ToolFailed(f"the Vendure shop at {self.base_url} refused the login of {self.user!r} "
                             f"({answer.get('message', answer['__typename'])}); check marketplace_user and "
                             "marketplace_password (an administrator of the shop)")
        self.token = headers.get(TOKEN_HEADER)
        if not self.token:
            raise ToolFailed(f"the Vendure shop at {self.base_url} gave no session token; its authOptions.tokenMethod "
                             "must include 'bearer'")
        self.logins += 1

    def query(self, query: str, variables: dict | None = None, files: dict[str, Path] | None = None) -> dict:
        """The `data` of one GraphQL request, signing in first (and again once if the session expired).
        `files` maps a variable path such as 'input.0.file' to a file sent as a multipart upload."""
        if self.token is None:
            self.login()
        try:
            return self._send(query, variables or {}, files)[0]
        except _Forbidden:
            self.login()
            return self._send(query, variables or {}, files)[0]

    def _send(self, query: str, variables: dict, files: dict[str, Path] | None) -> tuple[dict, httpx.Headers]:
        if not files:
            return self._post({"query": query, "variables": variables})
        # The GraphQL multipart request spec: operations, a map of file parts to variables, the files.
        names = sorted(files)
        mapping = {str(number): [f"variables.{name}"] for number, name in enumerate(names)}
        handles = [files[name].open("rb") for name in names]
        try:
            parts = {str(number): (files[name].name, handle) for number, (name, handle) in
                     enumerate(zip(names, handles))}
            return self._post(None, data={"operations": json.dumps({"query": query, "variables": variables}),
                                          "map": json.dumps(mapping)}, files=parts)
        finally:
            for handle in handles:
                handle.close()

    def _post(self, body: dict | None, **multipart: Any) -> tuple[dict, httpx.Headers]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if multipart:
            headers["Apollo-Require-Preflight"] = "true"  # Vendure's CSRF guard asks uploads for it
        self.requests += 1
        self.automation.pace()
        try:
            response = self.http.post(self.endpoint, json=body, headers=headers, **multipart)
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            raise Transient(f"the Vendure shop did not answer ({type(exc).__name__}: {exc})") from exc
        reason = stop_reason(response.status_code, dict(response.headers), lambda: response.text)
        if reason:
            raise PlatformStopped(f"the Vendure shop at {self.base_url} asked automated access to stop ({reason}); "
                                  "shopagent stopped the run and will not go on by itself: settle it with the "
                                  "platform, then resume the run")
        if response.status_code >= 500:
            raise Transient(f"the Vendure shop answered HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError as exc:
            raise Transient(f"the Vendure shop answered HTTP {response.status_code} without JSON") from exc
        errors = answer.get("errors") or []
        if any((e.get("extensions") or {}).get("code") == "FORBIDDEN" for e in errors):
            raise _Forbidden(errors[0].get("message", "forbidden"))
        if errors:
            messages = "; ".join(e.get("message", "") for e in errors)
            if any((e.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR" for e in errors):
                raise Transient(f"the Vendure shop failed: {messages}")
            raise PlatformRefused(f"the Vendure shop refused the request: {messages}")
        if response.status_code >= 400:
            raise PlatformRefused(f"the Vendure shop answered HTTP {response.status_code}: {response.text[:300]}")
        return answer["data"], response.headers

    def with_retries(self, what: str, attempt: Callable[[], T]) -> T:
        """Run `attempt` until it succeeds; after retries run out, a ToolFailed naming `what`."""
        problem = ""
        for number in range(self.retries + 1):
            try:
                return attempt()
            except Transient as exc:
                problem = str(exc)
                time.sleep(self.backoff_s * (2 ** number))
        raise ToolFailed(f"could not {what} on the Vendure shop at {self.base_url} after {self.retries + 1} tries "
                         f"({problem}); check that it runs, then run the step again")


class _Forbidden(Exception):
    """The session expired or was never valid: sign in again."""


def refused(result: dict, what: str) -> dict:
    """A mutation's union answer: the object, or a PlatformRefused with Vendure's ErrorResult message."""
    if result is None:
        raise PlatformRefused(f"the Vendure shop answered nothing to {what}")
    if "errorCode" in result:
        raise PlatformRefused(f"the Vendure shop refused to {what}: {result.get('message', result['errorCode'])}")
    return result
