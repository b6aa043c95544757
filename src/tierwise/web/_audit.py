"""The audit log, human-readable: who did what to which customer, when and why; filterable."""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel

import tierwise.lifecycle as lc
from tierwise.web._access import route
from tierwise.web._context import Ctx, context, render

__all__ = ["router"]

router = APIRouter()
PAGE_SIZE = 100


class AuditOut(BaseModel):
    id: int
    at: dt.datetime
    user: str
    action: str
    action_label: str
    subject: str | None
    customer_id: str | None
    detail: dict[str, Any]
    why: str | None


class AuditList(BaseModel):
    """A page of the audit log, newest first."""

    total: int
    page: int
    rows: list[AuditOut]


Text = Annotated[str | None, Query(max_length=200)]


def _label(ctx: Ctx, action: str) -> str:
    from tierwise._messages import MESSAGES

    key = f"event.{action}"
    return ctx.t(key) if key in MESSAGES else action


def _list(
    ctx: Ctx,
    customer: str | None,
    user: str | None,
    action: str | None,
    since: dt.date | None,
    until: dt.date | None,
    page: int,
) -> AuditList:
    rows, total = lc.audit_log(
        ctx.workspace,
        ctx.user,
        customer=customer,
        actor=user,
        action=action,
        since=since,
        until=until,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    return AuditList(total=total, page=page, rows=[AuditOut(**r, action_label=_label(ctx, r["action"])) for r in rows])


@route(router, "GET", "/api/v1/audit", "api.audit", response_model=AuditList)
def api_audit(
    ctx: Ctx = Depends(context),
    customer: Text = None,
    user: Text = None,
    action: Text = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    page: int = Query(1, ge=1),
) -> AuditList:
    """The audit log (of your regions' customers when you are limited to regions), newest first."""
    return _list(ctx, customer, user, action, since, until, page)


@route(router, "GET", "/audit", "audit", include_in_schema=False)
def audit(
    ctx: Ctx = Depends(context),
    customer: Text = None,
    user: Text = None,
    action: Text = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    page: int = Query(1, ge=1),
) -> Response:
    data = _list(ctx, customer, user, action, since, until, page)
    from tierwise._messages import MESSAGES

    actions = [k.removeprefix("event.") for k in MESSAGES if k.startswith("event.")]
    filters = {
        "customer": customer or "",
        "user": user or "",
        "action": action or "",
        "since": since or "",
        "until": until or "",
    }
    return render(ctx, "audit.html", data=data, filters=filters, actions=actions)
