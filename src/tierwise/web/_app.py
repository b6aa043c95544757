"""The web app: one FastAPI application over one workspace, which it owns while it runs.

Security that holds for every route, in one place:

- a guard from the access table (``_access.ROUTES``) on every route;
- cross-site request forgery: a state-changing request (POST, PUT, PATCH, DELETE) is
  refused when the browser says it comes from another site (``Sec-Fetch-Site``), or when
  its ``Origin`` is not this site; clients that send neither (scripts, the CRM) are not
  browsers and carry no ambient cookie risk;
- headers: a Content-Security-Policy without inline script or style, ``nosniff``,
  ``frame-ancestors 'none'``, no referrer to other sites, no caching of pages;
- the client's address and scheme from ``X-Forwarded-For``/``-Proto`` only when the peer is
  one of ``trusted_proxies`` (none by default: the peer is the client);
- heavy work off the event loop with a time limit (``_worker``): a request over
  ``work_seconds`` is answered 503 with a sentence.
"""

import contextlib
import ipaddress
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import tierwise.reports as reports
from tierwise._messages import message
from tierwise.web import (
    _audit,
    _customers,
    _dashboard,
    _forms,
    _imports,
    _reports,
    _requests,
    _review,
    _session,
    _standards,
    _users,
)
from tierwise.web._context import Forbidden, SignIn, context, environment, language, render
from tierwise.web._context import invalid as invalid_sentence
from tierwise.web._worker import TooSlow
from tierwise.workspace import AccessDenied, NotFound, Refused, Workspace, WorkspaceError

__all__ = ["CSP", "WORK_SECONDS", "create_app", "trusted"]

# No 'unsafe-inline' anywhere, not even for style attributes: ECharts' HTML tooltips are markup full of
# style="" attributes (170 refusals per dashboard load), so static/tierwise.js has ECharts draw tooltips as
# rich text on the chart's canvas instead, which needs no inline style. Hashes ('unsafe-hashes') would have
# to list every colour and size ECharts writes, and a nonce does not apply to attributes; 'style-src-attr
# 'unsafe-inline'' would work but let any injected markup restyle (and overlay) the page.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
WORK_SECONDS = 30.0  # how long a request waits for heavy work (a preview, an import, a check, a simulation)
_SAFE = {"GET", "HEAD", "OPTIONS"}
_STATIC = Path(__file__).parent / "static"
_VENDOR = Path(reports.__file__).parent / "assets"


def _cross_site(request: Request) -> bool:
    """Whether a state-changing request comes from another site (by Sec-Fetch-Site, else by Origin)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site not in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None:
        return False
    return origin.rstrip("/") != f"{request.url.scheme}://{request.headers.get('host', '')}"


def _api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _private(request: Request, detail: str) -> str:
    """``detail`` without the workspace's place on the server: paths in it become relative to the workspace.

    Messages name files relative to the workspace already; this is the last line, for any
    sentence of a lower layer that still carries the folder.
    """
    root: Path = request.app.state.workspace.root
    for folder in dict.fromkeys((str(root.resolve()), str(root.absolute()), str(root))):
        if len(folder) > 1:
            detail = detail.replace(folder + os.sep, "").replace(folder, message("error.workspace", language(request)))
    return detail


def _said(request: Request, exc: Exception) -> str:
    """An error's sentence in the reader's language when it has a catalogue key, else its text."""
    if isinstance(exc, Refused):
        return exc.text(language(request))
    key = getattr(exc, "key", None)
    return message(key, language(request), **exc.params) if isinstance(exc, WorkspaceError) and key else str(exc)


def _problem(request: Request, status: int, detail: str) -> Response:
    """An error as JSON for the API, as a page for the browser (htmx forms show the JSON's detail)."""
    detail = _private(request, detail)
    if _api(request) or request.headers.get("hx-request"):
        return JSONResponse({"detail": detail}, status_code=status)
    return render(context(request), "error.html", status=status, detail=detail, status_code=status)


def trusted(proxies: Sequence[str]) -> list[str]:
    """The proxies to trust, each an IP address or a network (``10.0.0.0/8``); refused with a sentence otherwise.

    >>> trusted(["127.0.0.1", " 10.1.0.0/16 "])
    ['127.0.0.1', '10.1.0.0/16']
    """
    found = []
    for proxy in proxies:
        text = proxy.strip()
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ValueError(
                f"The trusted proxy {proxy!r} is not an IP address or a network (like 127.0.0.1 or 10.0.0.0/8)."
            ) from None
        found.append(text)
    return found


def create_app(
    workspace: str | Path | Workspace,
    *,
    address: str = "http://127.0.0.1:8000",
    lang: str = "zh",
    session_hours: float = 8.0,
    animate: bool = True,
    trusted_proxies: Sequence[str] = (),
    work_seconds: float = WORK_SECONDS,
) -> FastAPI:
    """The web app of ``workspace``; while it runs (its lifespan), this process owns the workspace.

    ``trusted_proxies``: the addresses (or networks) of reverse proxies whose
    ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed; from any other peer they are
    ignored. ``work_seconds``: how long a request waits for heavy work before it is answered
    with a sentence (503).

    Examples
    --------
    >>> import tempfile, tierwise
    >>> from tierwise.web import create_app
    >>> app = create_app(tierwise.Workspace.init(tempfile.mkdtemp() + "/ws"))
    >>> sorted(r.name for r in app.routes if getattr(r, "name", "") == "api.customers")
    ['api.customers']
    """
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with ws.own(address):
            yield

    app = FastAPI(
        title="tierwise",
        summary="Customer tiers (客户分级): customers, grades, requests and the audit log of one workspace.",
        version="1",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.workspace = ws
    app.state.lang = lang
    app.state.session_hours = session_hours
    app.state.animate = animate  # charts animate; off for tests and screenshots
    app.state.templates = environment()
    app.state.throttle = _session.Throttle()
    app.state.work_seconds = work_seconds
    for module in (
        _session,
        _dashboard,
        _customers,
        _forms,
        _imports,
        _reports,
        _review,
        _standards,
        _requests,
        _audit,
        _users,
    ):  # the routes themselves, each with its guard
        app.router.routes.extend(module.router.routes)
    app.mount("/static/vendor", StaticFiles(directory=_VENDOR), name="vendor")  # ECharts, shared with the reports
    app.mount("/static", StaticFiles(directory=_STATIC), name="static")

    @app.middleware("http")
    async def guard_and_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.method not in _SAFE and _cross_site(request):
            response: Response = _problem(request, 403, context(request).t("error.cross_site"))
        else:
            response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    proxies = trusted(trusted_proxies)
    if proxies:  # outermost: every route, the throttle and the cookie's Secure flag see the client behind the proxy
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)

    @app.exception_handler(TooSlow)
    async def too_slow(request: Request, exc: TooSlow) -> Response:
        response = _problem(request, 503, context(request).t(exc.key, seconds=f"{exc.seconds:g}"))
        response.headers["Retry-After"] = "60"
        return response

    @app.exception_handler(SignIn)
    async def sign_in(request: Request, exc: SignIn) -> Response:
        if _api(request) or request.headers.get("hx-request"):
            return JSONResponse({"detail": "Sign in first (POST /api/v1/login)."}, status_code=401)
        from urllib.parse import urlencode

        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return _problem(request, 403, context(request).t("error.forbidden"))

    @app.exception_handler(AccessDenied)
    async def denied(request: Request, exc: AccessDenied) -> Response:
        return _problem(request, 403, _said(request, exc))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _problem(request, 404, _said(request, exc))

    @app.exception_handler(ValueError)
    async def refused(request: Request, exc: ValueError) -> Response:
        return _problem(request, 400, _said(request, exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return _problem(request, 422, invalid_sentence(exc.errors(), language(request)))

    @app.exception_handler(404)
    async def no_page(request: Request, exc: Any) -> Response:
        return _problem(request, 404, context(request).t("error.not_found"))

    return app
