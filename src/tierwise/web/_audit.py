"""The audit log, human-readable: who did what to which customer, when and why; filterable."""

import datetime as dt
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

import tierwise.lifecycle as lc
from tierwise._messages import MESSAGES
from tierwise.web._access import route
from tierwise.web._context import Ctx, context, render
from tierwise.web._params import Day, Page, Text

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


def _label(ctx: Ctx, action: str) -> str:
    key = f"event.{action}"
    return ctx.t(key) if key in MESSAGES else action


def _shown(detail: dict[str, Any]) -> dict[str, Any]:
    """A record's detail as every user may read it: a file that older versions recorded by its server path, by name."""

    def name(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        for kind in (PurePosixPath, PureWindowsPath):
            path: PurePath = kind(value)
            if path.is_absolute():
                return path.name
        return value

    return {key: name(value) if key in ("file", "report") else value for key, value in detail.items()}


class AuditQuery(BaseModel):
    """The filters of the audit log: customer, user, action, first and last day, page."""

    customer: Text = None
    user: Text = Field(None, description="Who acted.")
    action: Text = Field(None, description="For example override-approved, publish, login.")
    since: Day | None = None
    until: Day | None = None
    page: Page = 1


def _list(ctx: Ctx, query: AuditQuery) -> AuditList:
    rows, total = lc.audit_log(
        ctx.workspace,
        ctx.user,
        customer=query.customer,
        actor=query.user,
        action=query.action,
        since=query.since,
        until=query.until,
        limit=PAGE_SIZE,
        offset=(query.page - 1) * PAGE_SIZE,
    )
    labelled = [
        AuditOut(**{**r, "detail": _shown(r["detail"] or {})}, action_label=_label(ctx, r["action"])) for r in rows
    ]
    return AuditList(total=total, page=query.page, rows=labelled)


@route(router, "GET", "/api/v1/audit", "api.audit", response_model=AuditList)
def api_audit(query: Annotated[AuditQuery, Query()], ctx: Ctx = Depends(context)) -> AuditList:
    """The audit log (of your regions' customers when you are limited to regions), newest first."""
    return _list(ctx, query)


@route(router, "GET", "/audit", "audit", include_in_schema=False)
def audit(query: Annotated[AuditQuery, Query()], ctx: Ctx = Depends(context)) -> Response:
    actions = [k.removeprefix("event.") for k in MESSAGES if k.startswith("event.")]
    filters = {k: v or "" for k, v in query.model_dump(exclude={"page"}).items()}
    return render(ctx, "audit.html", data=_list(ctx, query), filters=filters, actions=actions)
