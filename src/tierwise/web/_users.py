"""Users and roles (admins only): add a user, set their role and regions, disable them."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from tierwise.web._access import route
from tierwise.web._context import Ctx, body, context, done, render
from tierwise.web._params import Key
from tierwise.web._worker import hashing
from tierwise.workspace import ROLES, add_user, disable_user, list_users, update_user

__all__ = ["router"]

router = APIRouter()


class UserOut(BaseModel):
    name: str
    role: str
    regions: list[str]
    disabled: bool
    has_password: bool


class UserList(BaseModel):
    """Every registered user, and the roles there are."""

    rows: list[UserOut]
    roles: list[str]


def _regions(text: str | list[str] | None) -> tuple[str, ...]:
    items = text if isinstance(text, list) else (text or "").replace("，", ",").split(",")
    return tuple(dict.fromkeys(r.strip() for r in items if r.strip()))


class NewUser(BaseModel):
    """A new user: name, role, regions (a list, or comma-separated text) and a first password."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=64)
    role: str
    regions: str | list[str] | None = None
    password: str = Field(min_length=8, max_length=1024)


class UserChange(BaseModel):
    """A user's new role and regions."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    role: str
    regions: str | list[str] | None = None


@route(router, "GET", "/api/v1/users", "api.users", response_model=UserList)
def api_users(ctx: Ctx = Depends(context)) -> UserList:
    """Every user with role, regions and state."""
    rows = [
        UserOut(name=u.name, role=u.role, regions=list(u.regions), disabled=u.disabled, has_password=u.has_password)
        for u in list_users(ctx.workspace)
    ]
    return UserList(rows=rows, roles=list(ROLES))


@route(router, "GET", "/users", "users", include_in_schema=False)
def users(ctx: Ctx = Depends(context)) -> Response:
    return render(ctx, "users.html", data=api_users(ctx))


@route(router, "POST", "/api/v1/users", "api.user_add")
async def user_add(request: Request, ctx: Ctx = Depends(context)) -> Response:
    """Add a user with a role, regions and a first password."""
    form: NewUser = await body(request, NewUser)
    user = await hashing(
        add_user, ctx.workspace, form.name, form.role, regions=_regions(form.regions), password=form.password
    )
    return done(ctx, {"name": user.name}, "/users", "users.done_added", name=user.name)


@route(router, "POST", "/api/v1/users/{name}", "api.user_change")
async def user_change(name: Key, request: Request, ctx: Ctx = Depends(context)) -> Response:
    """Set a user's role and regions."""
    form: UserChange = await body(request, UserChange)
    user = await run_in_threadpool(update_user, ctx.workspace, name, role=form.role, regions=_regions(form.regions))
    return done(
        ctx,
        {"name": user.name, "role": user.role, "regions": list(user.regions)},
        "/users",
        "users.done_changed",
        name=user.name,
    )


@route(router, "POST", "/api/v1/users/{name}/disable", "api.user_disable")
def user_disable(name: Key, ctx: Ctx = Depends(context)) -> Response:
    """Disable a user: their sessions end and they can no longer sign in."""
    disable_user(ctx.workspace, name)
    return done(ctx, {"name": name, "disabled": True}, "/users", "users.done_disabled", name=name)
