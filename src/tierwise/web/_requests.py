"""Requests: special approvals (特批) and upgrade applications, and their approval by a different user."""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

import tierwise.lifecycle as lc
from tierwise.web._access import allowed, route
from tierwise.web._context import Ctx, body, context, done, render

__all__ = ["router"]

router = APIRouter()


class RequestOut(BaseModel):
    id: int
    kind: str
    standard_id: str
    customer_id: str
    grade: str
    until: dt.date | None
    why: str | None
    requested_by: str
    requested_at: dt.datetime
    status: str
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_why: str | None


class RequestList(BaseModel):
    """The requests about the signed-in user's customers, newest first."""

    rows: list[RequestOut]


class Decision(BaseModel):
    """An approval or rejection, with its reason (needed to reject)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    why: str | None = Field(None, max_length=2000)


Text = Annotated[str | None, Query(max_length=200)]


def _list(ctx: Ctx, status: str | None, kind: str | None, standard: str | None, customer: str | None) -> RequestList:
    rows: list[dict[str, Any]] = lc.scoped_requests(
        ctx.workspace, ctx.user, status=status, kind=kind, standard=standard, customer=customer
    )
    return RequestList(rows=[RequestOut(**r) for r in rows])


@route(router, "GET", "/api/v1/requests", "api.requests", response_model=RequestList)
def api_requests(
    ctx: Ctx = Depends(context),
    status: Text = None,
    kind: Text = None,
    standard: Text = None,
    customer: Text = None,
) -> RequestList:
    """Special approvals and upgrade applications about your customers; filter by status, kind, standard, customer."""
    return _list(ctx, status, kind, standard, customer)


@route(router, "GET", "/requests", "requests", include_in_schema=False)
def requests(
    ctx: Ctx = Depends(context),
    status: Text = None,
    kind: Text = None,
    standard: Text = None,
    customer: Text = None,
) -> Response:
    data = _list(ctx, status, kind, standard, customer)
    can_decide = allowed("api.approve", ctx.user.role if ctx.user else None)
    filters = {"status": status or "", "kind": kind or "", "standard": standard or "", "customer": customer or ""}
    return render(ctx, "requests.html", data=data, can_decide=can_decide, filters=filters)


@route(router, "POST", "/api/v1/requests/{request_id}/approve", "api.approve")
async def approve(request_id: int, request: Request, ctx: Ctx = Depends(context)) -> Response:
    """Approve a request; refused when you made it (a different user must decide)."""
    form: Decision = await body(request, Decision)
    lc.decide_request(ctx.workspace, request_id, approve=True, why=form.why)
    return done(
        ctx, {"request": request_id, "status": "approved"}, "/requests", "requests.done_approved", id=request_id
    )


@route(router, "POST", "/api/v1/requests/{request_id}/reject", "api.reject")
async def reject(request_id: int, request: Request, ctx: Ctx = Depends(context)) -> Response:
    """Reject a request, with the reason; refused when you made it."""
    form: Decision = await body(request, Decision)
    if not form.why:
        raise ValueError(ctx.t("requests.reject_needs_why"))
    lc.decide_request(ctx.workspace, request_id, approve=False, why=form.why)
    return done(
        ctx, {"request": request_id, "status": "rejected"}, "/requests", "requests.done_rejected", id=request_id
    )
