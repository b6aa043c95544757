"""Signing in and out, the password, the language switch, and who am I.

Failed sign-ins are counted per client address and user name; after
``THROTTLE_FAILURES`` within ``THROTTLE_SECONDS`` the next attempts are refused (429)
until the window passes, whether or not the password is right. A user name that fails
``NAME_FAILURES`` times in the window, from whatever addresses, is refused the same way
(guessing one password from many machines, or behind a proxy that forwards any
``X-Forwarded-For``), and so is an address that fails ``ADDRESS_FAILURES`` times whatever the
names (guessing many names from one machine).

Names are counted by their key (:func:`tierwise.workspace.name_key`: NFKC, case-folded), the
way they are looked up, so ``ｇｕｅｓｔ`` and ``GUEST`` spend ``guest``'s budget. The address is
the peer's; ``X-Forwarded-For`` counts only when the peer is a proxy the server was told to
trust (``tierwise serve --trusted-proxy``). Checking a password (Argon2) runs in the
pool of low-priority threads, a bounded number at once (``_worker.hashing``), never on the event loop.
"""

import threading
import time
from collections import defaultdict, deque
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from tierwise.web._access import route
from tierwise.web._context import COOKIE, LANG_COOKIE, Ctx, body, context, done, render
from tierwise.web._params import Key
from tierwise.web._worker import hashing
from tierwise.workspace import (
    AccessDenied,
    close_session,
    name_key,
    open_session,
    role_label,
    set_password,
    verify_password,
)

__all__ = ["ADDRESS_FAILURES", "NAME_FAILURES", "THROTTLE_FAILURES", "THROTTLE_SECONDS", "Throttle", "router"]

THROTTLE_FAILURES = 5
NAME_FAILURES = 10
ADDRESS_FAILURES = 30
THROTTLE_SECONDS = 300.0

router = APIRouter()


class Throttle:
    """Failed sign-ins per key in a sliding window, shared by the server's threads."""

    def __init__(self, failures: int = THROTTLE_FAILURES, seconds: float = THROTTLE_SECONDS) -> None:
        self.failures, self.seconds = failures, seconds
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def wait(self, key: str, failures: int | None = None) -> int:
        """Seconds until ``key`` may try again (0: now), once it has failed ``failures`` times (default: the limit)."""
        with self._lock:
            seen = self._seen[key]
            now = time.monotonic()
            while seen and seen[0] <= now - self.seconds:
                seen.popleft()
            return int(seen[0] + self.seconds - now) + 1 if len(seen) >= (failures or self.failures) else 0

    def failed(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._seen[key].append(time.monotonic())


class Login(BaseModel):
    """Sign in with a user name and password."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class PasswordChange(BaseModel):
    """Change your own password: the current one, and the new one."""

    model_config = ConfigDict(extra="forbid")
    current: str = Field(min_length=1, max_length=1024)
    new: str = Field(min_length=8, max_length=1024)


class Me(BaseModel):
    """The signed-in user."""

    name: str
    role: str
    role_label: str
    regions: list[str]


def _me(ctx: Ctx) -> Me:
    assert ctx.user is not None
    return Me(
        name=ctx.user.name,
        role=ctx.user.role,
        role_label=ctx.t(f"role.{ctx.user.role}"),
        regions=list(ctx.user.regions),
    )


def _sign_in(request: Request, login: Login) -> tuple[str, Me] | None:
    """Check the password (throttled) and open a session; its token and the user, or None when refused."""
    app = request.app.state
    address = request.client.host if request.client else "-"  # the proxy's client only from a trusted proxy
    name = f"name|{name_key(login.name)}"
    pair, peer = f"{address}|{name}", f"address|{address}"
    throttle: Throttle = app.throttle
    wait = max(throttle.wait(pair), throttle.wait(name, NAME_FAILURES), throttle.wait(peer, ADDRESS_FAILURES))
    if wait:
        raise _Throttled(wait)
    try:
        token, user = open_session(app.workspace, login.name, login.password, hours=app.session_hours)
    except AccessDenied:
        throttle.failed(pair, name, peer)
        return None
    label = role_label(user.role, request.cookies.get(LANG_COOKIE, app.lang))
    return token, Me(name=user.name, role=user.role, role_label=label, regions=list(user.regions))


def _set_cookie(request: Request, response: Response, token: str) -> Response:
    """The session cookie: HttpOnly, SameSite=Lax, Secure when the site is served over HTTPS."""
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(request.app.state.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


class _Throttled(Exception):
    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def _next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return "/dashboard"
    return target


@route(router, "GET", "/", "home", include_in_schema=False)
def home() -> RedirectResponse:
    return RedirectResponse("/dashboard", status_code=303)


@route(router, "GET", "/login", "login_page", include_in_schema=False)
def login_page(ctx: Ctx = Depends(context)) -> Response:
    return render(ctx, "login.html", error=None, name="")


@route(router, "POST", "/login", "login", include_in_schema=False)
async def login(request: Request, ctx: Ctx = Depends(context)) -> Response:
    try:
        data = await body(request, Login)
    except ValueError:
        return render(ctx, "login.html", status=400, error=ctx.t("login.wrong"), name="")
    try:
        signed = await hashing(_sign_in, request, data)
    except _Throttled as exc:
        page = render(
            ctx, "login.html", status=429, error=ctx.t("login.throttled", seconds=exc.seconds), name=data.name
        )
        page.headers["Retry-After"] = str(exc.seconds)
        return page
    if signed is None:
        return render(ctx, "login.html", status=401, error=ctx.t("login.wrong"), name=data.name)
    return _set_cookie(request, RedirectResponse(_next(request.query_params.get("next")), status_code=303), signed[0])


@route(router, "POST", "/logout", "logout", include_in_schema=False)
def logout(request: Request) -> Response:
    close_session(request.app.state.workspace, request.cookies.get(COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@route(router, "GET", "/lang/{code}", "language", include_in_schema=False)
def language(code: Key, request: Request) -> Response:
    response = RedirectResponse(_next(request.query_params.get("next")), status_code=303)
    if code in ("zh", "en"):
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", path="/")
    return response


@route(router, "GET", "/password", "password_page", include_in_schema=False)
def password_page(ctx: Ctx = Depends(context)) -> Response:
    return render(ctx, "password.html")


@route(router, "POST", "/api/v1/login", "api.login", response_model=Me)
async def api_login(request: Request) -> Response:
    """Sign in: sets the session cookie that the other routes need. Answers 401 when refused, 429 when throttled."""
    data = await body(request, Login)
    try:
        signed = await hashing(_sign_in, request, data)
    except _Throttled as exc:
        detail = f"Too many failed sign-ins; try again in {exc.seconds} seconds."
        return JSONResponse({"detail": detail}, 429, headers={"Retry-After": str(exc.seconds)})
    if signed is None:
        return JSONResponse({"detail": "The user name or the password is wrong (or the user is disabled)."}, 401)
    return _set_cookie(request, JSONResponse(signed[1].model_dump()), signed[0])


@route(router, "POST", "/api/v1/logout", "api.logout")
def api_logout(request: Request) -> Response:
    """End the session."""
    close_session(request.app.state.workspace, request.cookies.get(COOKIE))
    response = JSONResponse({"signed_out": True})
    response.delete_cookie(COOKIE, path="/")
    return response


@route(router, "GET", "/api/v1/me", "api.me", response_model=Me)
def me(ctx: Ctx = Depends(context)) -> Me:
    """The signed-in user, their role and regions."""
    return _me(ctx)


def _change_password(ctx: Ctx, data: PasswordChange) -> str:
    """Check the current password, set the new one, open a new session; its token (three Argon2 steps)."""
    assert ctx.user is not None
    app = ctx.request.app.state
    if not verify_password(app.workspace, ctx.user.name, data.current):
        raise ValueError(ctx.t("password.wrong"))
    set_password(ctx.workspace, ctx.user.name, data.new)
    token, _ = open_session(app.workspace, ctx.user.name, data.new, hours=app.session_hours)
    return token


@route(router, "POST", "/api/v1/password", "api.password")
async def change_password(request: Request, ctx: Ctx = Depends(context)) -> Response:
    """Change your own password; every session of yours ends, and this one starts anew."""
    data = await body(request, PasswordChange)
    token = await hashing(_change_password, ctx, data)
    return _set_cookie(request, done(ctx, {"changed": True}, "/password", "password.done_changed"), token)


@route(router, "GET", "/api/v1/openapi.json", "api.openapi", include_in_schema=False)
def openapi(request: Request) -> dict[str, Any]:
    """The OpenAPI schema of the JSON API."""
    schema: dict[str, Any] = request.app.openapi()
    return schema
