"""Customers: the list with search and filters, the CSV download, the customer page and its actions.

Every read goes through ``tierwise.lifecycle``'s scoped queries, so an account manager
sees, downloads and acts on the customers of their regions only, in pages and JSON alike.
"""

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

import tierwise
import tierwise.lifecycle as lc
import tierwise.workspace
from tierwise.web._access import allowed, route
from tierwise.web._context import Ctx, body, context, done, render
from tierwise.web._params import CustomerId, Day, Page, RowId, Text, attachment, url_part

__all__ = ["router"]

router = APIRouter()
PAGE_SIZE = 50


class StandardOut(BaseModel):
    id: str
    name: str
    grades: list[str]
    as_of: dt.date


class CustomerRow(BaseModel):
    customer_id: str
    name: str | None
    region: str | None
    grade: str | None
    state: str | None
    why: str | None


class CustomerList(BaseModel):
    """A page of the signed-in user's customers."""

    total: int
    page: int
    size: int
    standard: str | None
    standards: list[StandardOut]
    regions: list[str]
    rows: list[CustomerRow]


class StandardGrade(BaseModel):
    standard_id: str
    standard_name: str
    grades: list[str]
    grade: str | None
    state: str | None
    why: str | None
    until: dt.date | None
    since: dt.date | None
    run_id: int | None
    as_of: dt.date | None
    evaluated: str | None
    reason: str | None
    next_grade: str | None
    gap_to_next: float | None
    values: dict[str, Any]
    policies: dict[str, Any]


class CustomerPage(BaseModel):
    """Everything about one customer that the signed-in user may see."""

    customer_id: str
    profile: dict[str, Any]
    grades: list[StandardGrade]
    history: list[dict[str, Any]]
    requests: list[dict[str, Any]]
    audit: list[dict[str, Any]]


class ExplanationOut(BaseModel):
    """Why the customer has its grade in a run: indicators, each step tried, gap to the next grade."""

    customer_id: str
    run_id: int
    grade: str | None
    reason: str | None
    next_grade: str | None
    gap_to_next: float | None
    indicators: dict[str, Any]
    steps: list[str]
    text: str


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    standard: str = Field(min_length=1, max_length=200)
    why: str = Field(min_length=1, max_length=2000)


class OverrideForm(_Form):
    """A special approval (特批): a grade until a date, with the reason."""

    grade: str = Field(min_length=1, max_length=200)
    until: Day


class UpgradeForm(_Form):
    """An upgrade application: the grade asked for, with the reason."""

    grade: str = Field(min_length=1, max_length=200)


class ReasonForm(_Form):
    """A cancellation or reinstatement, with the reason."""


class CustomerQuery(BaseModel):
    """The filters of the customer list: search text, standard, grade, state, region, page."""

    q: Text = Field(None, description="The start of the id, or any part of the name.")
    standard: Text = Field(None, description="Default: the first published standard.")
    grade: Text = None
    state: Text = None
    region: Text = None
    page: Page = 1
    size: int = Field(PAGE_SIZE, ge=1, le=500)


def _filter(ctx: Ctx, query: CustomerQuery) -> tuple[lc.CustomerFilter, list[lc.StandardInfo]]:
    found = lc.standards(ctx.workspace)
    chosen = query.standard or (found[0].id if found else None)
    return lc.CustomerFilter(query.q, chosen, query.grade, query.state, query.region), found


def _list(ctx: Ctx, query: CustomerQuery) -> CustomerList:
    where, found = _filter(ctx, query)
    rows, total = lc.find_customers(
        ctx.workspace, ctx.user, where, limit=query.size, offset=(query.page - 1) * query.size
    )
    return CustomerList(
        total=total,
        page=query.page,
        size=query.size,
        standard=where.standard,
        standards=[StandardOut(id=s.id, name=s.name, grades=list(s.grades), as_of=s.as_of) for s in found],
        regions=lc.regions(ctx.workspace, ctx.user),
        rows=[CustomerRow(**r) for r in rows],
    )


@route(router, "GET", "/api/v1/customers", "api.customers", response_model=CustomerList)
def api_customers(query: Annotated[CustomerQuery, Query()], ctx: Ctx = Depends(context)) -> CustomerList:
    """Search the customers of your regions by id or name; filter by grade, state and region of a standard."""
    return _list(ctx, query)


@route(router, "GET", "/customers", "customers", include_in_schema=False)
def customers(query: Annotated[CustomerQuery, Query()], ctx: Ctx = Depends(context)) -> Response:
    data = _list(ctx, query.model_copy(update={"size": PAGE_SIZE}))
    filters = {**query.model_dump(include={"q", "grade", "state", "region"}), "standard": data.standard}
    return render(ctx, "customers.html", data=data, filters={k: v or "" for k, v in filters.items()})


@route(router, "GET", "/customers.csv", "customers_csv", include_in_schema=False)
def customers_csv(query: Annotated[CustomerQuery, Query()], ctx: Ctx = Depends(context)) -> Response:
    """Every matching customer of your regions as CSV (UTF-8 with BOM; formula-safe cells)."""
    where, _ = _filter(ctx, query)
    table = lc.customers_table(ctx.workspace, ctx.user, where)
    with tempfile.TemporaryDirectory() as folder:
        path = tierwise.write_table(table, Path(folder) / "customers.csv")
        content = path.read_bytes()
    name = f"customers-{where.standard or 'all'}-{dt.date.today()}.csv"
    return Response(content, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": attachment(name)})


def _page(ctx: Ctx, customer_id: str) -> CustomerPage:
    card = lc.customer_card(ctx.workspace, ctx.user, customer_id, lang=ctx.lang)
    return CustomerPage(
        customer_id=card.customer_id,
        profile=card.profile,
        grades=[StandardGrade(**g) for g in card.grades],
        history=card.history,
        requests=card.requests,
        audit=card.audit,
    )


def _explain(ctx: Ctx, customer_id: str, run_id: int) -> ExplanationOut:
    lc.visible(ctx.workspace, ctx.user, customer_id)  # the same scope check as the page
    found = tierwise.workspace.explain_in(ctx.workspace, run_id, customer_id, lang=ctx.lang)
    return ExplanationOut(
        customer_id=customer_id,
        run_id=run_id,
        grade=found.grade,
        reason=found.reason,
        next_grade=found.next_grade,
        gap_to_next=found.gap_to_next,
        indicators=dict(found.indicators),
        steps=list(found.steps),
        text=str(found),
    )


# A customer id may contain '/' (the path converter takes it whole), so the explanation routes come
# before the customer page's: the first route that matches a path answers it.
@route(
    router, "GET", "/api/v1/customers/{customer_id:path}/explain/{run_id}", "api.explain", response_model=ExplanationOut
)
def api_explain(customer_id: CustomerId, run_id: RowId, ctx: Ctx = Depends(context)) -> ExplanationOut:
    """Each step the standard tried for the customer in a run, with the indicator values."""
    return _explain(ctx, customer_id, run_id)


@route(router, "GET", "/customers/{customer_id:path}/explain/{run_id}", "explain", include_in_schema=False)
def explain(customer_id: CustomerId, run_id: RowId, ctx: Ctx = Depends(context)) -> Response:
    return render(ctx, "_explain.html", data=_explain(ctx, customer_id, run_id))


@route(router, "GET", "/api/v1/customers/{customer_id:path}", "api.customer", response_model=CustomerPage)
def api_customer(customer_id: CustomerId, ctx: Ctx = Depends(context)) -> CustomerPage:
    """One customer of your regions: profile, each standard's grade with reason and entitlements, history, requests, audit."""
    return _page(ctx, customer_id)


@route(router, "GET", "/customers/{customer_id:path}", "customer", include_in_schema=False)
def customer(customer_id: CustomerId, ctx: Ctx = Depends(context)) -> Response:
    role = ctx.user.role if ctx.user else None
    can = {name: allowed(name, role) for name in ("api.override", "api.upgrade", "api.cancel", "api.reinstate")}
    return render(ctx, "customer.html", data=_page(ctx, customer_id), can=can, today=dt.date.today())


def _back(customer_id: str) -> str:
    return "/customers/" + url_part(customer_id)


@route(router, "POST", "/api/v1/customers/{customer_id:path}/override", "api.override")
async def override(customer_id: CustomerId, request: Request, ctx: Ctx = Depends(context)) -> Response:
    """Request a special approval (特批) for the customer; a different manager approves it."""
    form: OverrideForm = await body(request, OverrideForm)
    number = lc.request_override(ctx.workspace, form.standard, customer_id, form.grade, form.why, form.until)
    return done(ctx, {"request": number}, _back(customer_id), "action.done_override", id=number)


@route(router, "POST", "/api/v1/customers/{customer_id:path}/upgrade", "api.upgrade")
async def upgrade(customer_id: CustomerId, request: Request, ctx: Ctx = Depends(context)) -> Response:
    """Apply for an upgrade of the customer; a different manager approves or rejects it."""
    form: UpgradeForm = await body(request, UpgradeForm)
    number = lc.apply_upgrade(ctx.workspace, form.standard, customer_id, form.grade, form.why)
    return done(ctx, {"request": number}, _back(customer_id), "action.done_upgrade", id=number)


@route(router, "POST", "/api/v1/customers/{customer_id:path}/cancel", "api.cancel")
async def cancel(customer_id: CustomerId, request: Request, ctx: Ctx = Depends(context)) -> Response:
    """Cancel the customer's grade of a standard (取消资格) until it is reinstated."""
    form: ReasonForm = await body(request, ReasonForm)
    lc.cancel(ctx.workspace, form.standard, customer_id, form.why)
    return done(ctx, {"cancelled": True}, _back(customer_id), "action.done_cancel")


@route(router, "POST", "/api/v1/customers/{customer_id:path}/reinstate", "api.reinstate")
async def reinstate(customer_id: CustomerId, request: Request, ctx: Ctx = Depends(context)) -> Response:
    """Give a cancelled customer back the grade of the latest published evaluation."""
    form: ReasonForm = await body(request, ReasonForm)
    lc.reinstate(ctx.workspace, form.standard, customer_id, form.why)
    return done(ctx, {"reinstated": True}, _back(customer_id), "action.done_reinstate")
