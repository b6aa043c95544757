"""The one access table of the web app: every route's name and who may use it.

A route is registered only through :func:`route`, which looks its name up here and adds the
guard; a route missing from the table cannot be registered, and the route × role test reads
the app's routes to prove each is guarded as this table says.

``public``: anyone, signed in or not. ``signed-in``: any active user (what they see is still
limited to their regions). Any other value is an action of ``tierwise.workspace.ACCESS``,
whose roles may use the route.
"""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request

from tierwise.web._context import Ctx, Forbidden, SignIn, context
from tierwise.workspace import ACCESS

__all__ = ["PUBLIC", "ROUTES", "SIGNED_IN", "allowed", "route"]

PUBLIC = "public"
SIGNED_IN = "signed-in"

ROUTES: dict[str, str] = {
    # signing in and out
    "home": SIGNED_IN,
    "login_page": PUBLIC,
    "login": PUBLIC,
    "logout": PUBLIC,
    "language": PUBLIC,
    "password_page": SIGNED_IN,
    "api.login": PUBLIC,
    "api.logout": PUBLIC,
    "api.me": SIGNED_IN,
    "api.password": SIGNED_IN,
    "api.openapi": SIGNED_IN,
    # the dashboard
    "dashboard": SIGNED_IN,
    "api.dashboard": SIGNED_IN,
    # assessment forms (初评)
    "forms": SIGNED_IN,
    "api.forms": SIGNED_IN,
    "form": SIGNED_IN,
    "api.form": SIGNED_IN,
    "api.form_save": "assess",
    # reports
    "reports": SIGNED_IN,
    "reports_xlsx": SIGNED_IN,
    "reports_pdf": SIGNED_IN,
    # imports
    "imports": "import",
    "api.import_upload": "import",
    "api.import_preview": "import",
    "import_preview": "import",
    "import_problems": "import",
    "api.import": "import",
    # the review meeting (复评) and publishing
    "review_runs": SIGNED_IN,
    "api.runs": SIGNED_IN,
    "api.run": "run",
    "review": SIGNED_IN,
    "api.review": SIGNED_IN,
    "api.review_change": "review",
    "api.review_undo": "review",
    "api.publish": "publish",
    # standards, drafts and simulation
    "standards": SIGNED_IN,
    "api.standards": SIGNED_IN,
    "standard": SIGNED_IN,
    "api.standard": SIGNED_IN,
    "api.draft_save": "draft",
    "api.draft_delete": "draft",
    "api.adopt": "publish",  # the draft becomes the standard in force: a manager's act, as publishing is
    "simulate": "draft",
    "api.simulate": "draft",
    # customers
    "customers": SIGNED_IN,
    "api.customers": SIGNED_IN,
    "customers_csv": SIGNED_IN,
    "customer": SIGNED_IN,
    "api.customer": SIGNED_IN,
    "explain": SIGNED_IN,
    "api.explain": SIGNED_IN,
    "api.override": "request",
    "api.upgrade": "request",
    "api.cancel": "cancel",
    "api.reinstate": "cancel",
    # requests
    "requests": SIGNED_IN,
    "api.requests": SIGNED_IN,
    "api.approve": "approve",
    "api.reject": "approve",
    # audit log
    "audit": SIGNED_IN,
    "api.audit": SIGNED_IN,
    # users and roles
    "users": "users",
    "api.users": "users",
    "api.user_add": "users",
    "api.user_change": "users",
    "api.user_disable": "users",
}


def allowed(name: str, role: str | None) -> bool:
    """Whether a user of ``role`` (None: not signed in) may use the route ``name``."""
    access = ROUTES[name]
    if access == PUBLIC:
        return True
    if role is None:
        return False
    return access == SIGNED_IN or role in ACCESS[access]


def _guard(name: str) -> Callable[..., Any]:
    def guard(request: Request, ctx: Ctx = Depends(context)) -> None:
        if ROUTES[name] == PUBLIC:
            return
        if ctx.user is None:
            raise SignIn(request.url.path)
        if not allowed(name, ctx.user.role):
            raise Forbidden(name)

    return guard


def route(router: APIRouter, method: str, path: str, name: str, **options: Any) -> Callable[[Any], Any]:
    """Register a route under ``name`` with the guard its row of :data:`ROUTES` asks for."""
    if name not in ROUTES:
        raise KeyError(f"The route '{name}' ({method} {path}) has no row in the access table web/_access.py:ROUTES.")

    def register(endpoint: Any) -> Any:
        router.add_api_route(
            path, endpoint, methods=[method], name=name, dependencies=[Depends(_guard(name))], **options
        )
        return endpoint

    return register
