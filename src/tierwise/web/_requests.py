"""Requests: special approvals (特批) and upgrade applications, and their approval by a different user."""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

import tierwise.lifecycle as lc
from tierwise.web._access import allowed, route
from tierwise.web._context import Ctx, body, context, done, render
from tierwise.web._params import RowId, Text

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
    current_grade: str | None = None
    evaluated_grade: str | None = None
    evaluated_reason: str | None = None
    evaluated_next: str | None = None
    evaluated_gap: float | None = None
    evaluated_run: int | None = None


class RequestList(BaseModel):
    """The requests about the signed-in user's customers, newest first."""

    rows: list[RequestOut]


class Decision(BaseModel):
    """An approval or rejection, with its reason (needed to reject)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    why: str | None = Field(None, max_length=2000)
    override_evaluation: bool = Field(
        False, description="Approve an upgrade above the latest evaluation, recorded as a special approval (特批)."
    )


class RequestQuery(BaseModel):
    """The filters of the request list."""

    status: Text = Field(None, description="pending, approved, rejected, expired or closed.")
    kind: Text = Field(None, description="override (特批) or upgrade.")
    standard: Text = None
    customer: Text = None


def _list(ctx: Ctx, query: RequestQuery) -> RequestList:
    rows: list[dict[str, Any]] = lc.scoped_requests(ctx.workspace, ctx.user, **query.model_dump(), lang=ctx.lang)
    return RequestList(rows=[RequestOut(**r) for r in rows])


@route(router, "GET", "/api/v1/requests", "api.requests", response_model=RequestList)
def api_requests(query: Annotated[RequestQuery, Query()], ctx: Ctx = Depends(context)) -> RequestList:
    """Special approvals and upgrade applications about your customers; filter by status, kind, standard, customer."""
    return _list(ctx, query)


@route(router, "GET", "/requests", "requests", include_in_schema=False)
def requests(query: Annotated[RequestQuery, Query()], ctx: Ctx = Depends(context)) -> Response:
    can_decide = allowed("api.approve", ctx.user.role if ctx.user else None)
    filters = {k: v or "" for k, v in query.model_dump().items()}
    return render(ctx, "requests.html", data=_list(ctx, query), can_decide=can_decide, filters=filters)


@route(router, "POST", "/api/v1/requests/{request_id}/approve", "api.approve")
async def approve(request_id: RowId, request: Request, ctx: Ctx = Depends(context)) -> Response:
    """Approve a request; refused when you made it (a different user must decide)."""
    form: Decision = await body(request, Decision)
    lc.decide_request(
        ctx.workspace, request_id, approve=True, why=form.why, override_evaluation=form.override_evaluation
    )
    return done(
        ctx, {"request": request_id, "status": "approved"}, "/requests", "requests.done_approved", id=request_id
    )


@route(router, "POST", "/api/v1/requests/{request_id}/reject", "api.reject")
async def reject(request_id: RowId, request: Request, ctx: Ctx = Depends(context)) -> Response:
    """Reject a request, with the reason; refused when you made it."""
    form: Decision = await body(request, Decision)
    if not form.why:
        raise ValueError(ctx.t("requests.reject_needs_why"))
    lc.decide_request(ctx.workspace, request_id, approve=False, why=form.why)
    return done(
        ctx, {"request": request_id, "status": "rejected"}, "/requests", "requests.done_rejected", id=request_id
    )
