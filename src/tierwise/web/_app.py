"""The web app: one FastAPI application over one workspace, which it owns while it runs.

Security that holds for every route, in one place:

- a guard from the access table (``_access.ROUTES``) on every route;
- cross-site request forgery: a state-changing request (POST, PUT, PATCH, DELETE) is
  refused when the browser says it comes from another site (``Sec-Fetch-Site``), or when
  its ``Origin`` is not this site; clients that send neither (scripts, the CRM) are not
  browsers and carry no ambient cookie risk;
- headers: a Content-Security-Policy without inline script or style, ``nosniff``,
  ``frame-ancestors 'none'``, no referrer to other sites, no caching of pages.
"""

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

import tierwise.reports as reports
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
from tierwise.web._context import Forbidden, SignIn, context, environment, render
from tierwise.web._context import invalid as invalid_sentence
from tierwise.workspace import AccessDenied, NotFound, Refused, Workspace

__all__ = ["CSP", "create_app"]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
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


def _problem(request: Request, status: int, detail: str) -> Response:
    """An error as JSON for the API, as a page for the browser (htmx forms show the JSON's detail)."""
    if _api(request) or request.headers.get("hx-request"):
        return JSONResponse({"detail": detail}, status_code=status)
    return render(context(request), "error.html", status=status, detail=detail, status_code=status)


def create_app(
    workspace: str | Path | Workspace,
    *,
    address: str = "http://127.0.0.1:8000",
    lang: str = "zh",
    session_hours: float = 8.0,
    animate: bool = True,
) -> FastAPI:
    """The web app of ``workspace``; while it runs (its lifespan), this process owns the workspace.

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
        return _problem(request, 403, str(exc))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _problem(request, 404, str(exc))

    @app.exception_handler(ValueError)
    async def refused(request: Request, exc: ValueError) -> Response:
        text = exc.text(context(request).lang) if isinstance(exc, Refused) else str(exc)
        return _problem(request, 400, text)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return _problem(request, 422, invalid_sentence(exc.errors()))

    @app.exception_handler(404)
    async def no_page(request: Request, exc: Any) -> Response:
        return _problem(request, 404, context(request).t("error.not_found"))

    return app
