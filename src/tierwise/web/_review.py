"""The review meeting (复评) and publishing: runs to review, proposals with filters, changes with reasons, publish.

A run is started from the standard in force or from its saved draft; the meeting sees
each customer's proposed grade next to the one in force, changes a grade only with a
reason, and a user with the publishing role publishes. Runs, changes and the publication
are audited with the signed-in user.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

import tierwise.lifecycle as lc
import tierwise.workspace as tw
from tierwise.web._access import allowed, route
from tierwise.web._context import Ctx, body, context, done, render
from tierwise.web._params import CustomerId, Day, Page, RowId, Text

__all__ = ["router", "unpublished"]

router = APIRouter()
PAGE_SIZE = 50


class RunOut(BaseModel):
    id: int
    standard_id: str
    standard_version: str
    as_of: dt.date
    customers: int
    user: str
    at: dt.datetime
    review: bool
    draft: bool = Field(description="Started from a draft or of rules other than the standard in force.")
    state: Literal["pending", "published", "stale"]
    stale: str | None = Field(None, description="Why the run is stale (it can be neither reviewed nor published).")
    note: str | None = Field(None, description="Set when the as-of is far after the newest transaction.")


class RunList(BaseModel):
    """The runs that can be reviewed and published (all of them can), the stale ones, and the standards to run."""

    runs: list[RunOut]
    stale: list[RunOut]
    standards: list[str]
    newest_data: dt.date | None = Field(None, description="The day of the newest transaction.")
    default_day: dt.date = Field(description="The new run form's day: the newest data day (never after today).")


class RunForm(BaseModel):
    """A new run: the standard, from the one in force or from its saved draft, as of a day."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    standard: str = Field(min_length=1, max_length=128)
    source: Literal["current", "draft"] = "current"
    as_of: Day


class ReviewQuery(BaseModel):
    """The filters of a run's proposals."""

    move: Literal["all", "up", "down", "held", "new", "provisional", "changed"] = "all"
    outcome: Literal["up", "down", "held", "new", "provisional", "override", "unchanged"] | None = Field(
        None, description="Only the customers that publishing moves this way (the impact summary's links)."
    )
    q: Text = Field(None, description="The start of the id, or any part of the name.")
    page: Page = 1
    size: int = Field(PAGE_SIZE, ge=1, le=500)


class Proposal(BaseModel):
    customer_id: str
    name: str | None
    region: str | None
    published: str | None
    published_state: str | None
    proposed: str | None
    reason: str | None
    next_grade: str | None
    gap_to_next: float | None
    changed_to: str | None
    change_why: str | None
    changed_by: str | None
    changed_at: dt.datetime | None
    move: str


class RulesOut(BaseModel):
    """How the run's rules differ from the standard in force: a draft run is published only with them confirmed."""

    draft: bool
    changed: bool
    source: str
    diff: str


class EntitlementOut(BaseModel):
    policy: str
    before: str | None
    after: str | None
    customers: int


class ImpactOut(BaseModel):
    """What publishing the run does (in the user's regions): customers per outcome, value moved, entitlements."""

    counts: dict[str, int]
    exits: int
    value: str | None
    moved: dict[str, float]
    entitlements: list[EntitlementOut]


class ReviewOut(BaseModel):
    """A page of a run's proposals in the signed-in user's regions, and how many move each way."""

    run_id: int
    standard_id: str
    standard_name: str
    grades: list[str]
    as_of: dt.date
    published: bool
    total: int
    page: int
    size: int
    counts: dict[str, int]
    rows: list[Proposal]
    rules: RulesOut | None = Field(None, description="Present for a draft run: the rule diff to confirm.")
    stale: str | None = Field(None, description="Why the run is stale: it can be neither changed nor published.")
    note: str | None = Field(None, description="Set when the as-of is far after the newest transaction.")
    impact: ImpactOut | None = Field(None, description="What publishing does; absent once published or stale.")


class ChangeForm(BaseModel):
    """The review's grade for one customer of the run, with the reason."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    customer: str = Field(min_length=1, max_length=200)
    grade: str = Field(min_length=1, max_length=200)
    why: str = Field(min_length=1, max_length=2000)


class PublishForm(BaseModel):
    """Publishing: ``confirm`` (required) after reading the impact; ``accept_rules`` confirms a draft run's rule diff."""

    model_config = ConfigDict(extra="forbid")
    confirm: bool = False
    accept_rules: bool = False


class UndoForm(BaseModel):
    """Taking a change back (the reason is optional)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    why: str | None = Field(None, max_length=2000)


def unpublished(ctx: Ctx) -> list[tw.RunInfo]:
    """The runs that can still be reviewed and published."""
    return lc.unpublished_runs(ctx.workspace)


def _run_out(run: tw.RunInfo, lang: str = "en") -> RunOut:
    return RunOut(
        id=run.id,
        standard_id=run.standard_id,
        standard_version=run.standard_version,
        as_of=run.as_of,
        customers=run.customers,
        user=run.user,
        at=run.at,
        review=run.review,
        draft=run.draft,
        state=run.state,  # type: ignore[arg-type]
        stale=run.stale_text(lang) or None,
    )


def _with_note(ctx: Ctx, out: RunOut, run: tw.RunInfo) -> RunOut:
    note = tw.run_data_age(ctx.workspace, run)
    return out.model_copy(update={"note": note.text(ctx.lang)}) if note is not None else out


def _runs(ctx: Ctx) -> RunList:
    newest = tw.newest_data_day(ctx.workspace)
    return RunList(
        runs=[_run_out(r, ctx.lang) for r in unpublished(ctx)],
        stale=[_run_out(r, ctx.lang) for r in lc.stale_runs(ctx.workspace)],
        standards=tw.standard_ids(ctx.workspace),
        newest_data=newest,
        default_day=min(newest, dt.date.today()) if newest is not None else dt.date.today(),
    )


@route(router, "GET", "/api/v1/runs", "api.runs", response_model=RunList)
def api_runs(ctx: Ctx = Depends(context)) -> RunList:
    """The runs awaiting review and publication, and the standards a new run can use."""
    return _runs(ctx)


@route(router, "GET", "/review", "review_runs", include_in_schema=False)
def review_runs(ctx: Ctx = Depends(context)) -> Response:
    role = ctx.user.role if ctx.user else None
    return render(ctx, "review_runs.html", data=_runs(ctx), can_run=allowed("api.run", role), today=dt.date.today())


@route(router, "POST", "/api/v1/runs", "api.run")
async def api_run(request: Request, ctx: Ctx = Depends(context)) -> Response:
    """Run a standard (the one in force, or its saved draft) on the workspace's data and store the run for review."""
    form: RunForm = await body(request, RunForm)
    if form.source == "draft":
        standard = tw.draft_standard(ctx.workspace, form.standard)
    else:
        standard = tw.current_standard(ctx.workspace, form.standard)
    run = tw.run_standard(ctx.workspace, standard, form.as_of, lang=ctx.lang, draft=form.source == "draft")
    out = _with_note(ctx, _run_out(run, ctx.lang), run)
    return done(ctx, out.model_dump(), f"/review/{run.id}", "review.done_run", id=run.id)


def _review(ctx: Ctx, run_id: int, query: ReviewQuery) -> ReviewOut:
    page = lc.review_page(
        ctx.workspace,
        ctx.user,
        run_id,
        move=query.move,
        q=query.q,
        limit=query.size,
        offset=(query.page - 1) * query.size,
        outcome=query.outcome,
        lang=ctx.lang,
    )
    run = tw.get_run(ctx.workspace, run_id)
    note = tw.run_data_age(ctx.workspace, run)
    return ReviewOut(
        run_id=run_id,
        standard_id=page.standard.id,
        standard_name=page.standard.name,
        grades=list(page.standard.grades),
        as_of=page.as_of,
        published=page.published,
        total=page.total,
        page=query.page,
        size=query.size,
        counts=page.counts,
        rows=[Proposal(**r) for r in page.rows],
        rules=_rules(ctx, run_id),
        stale=run.stale_text(ctx.lang) or None,
        note=note.text(ctx.lang) if note is not None else None,
        impact=_impact(ctx, run) if run.state == "pending" else None,
    )


def _impact(ctx: Ctx, run: tw.RunInfo) -> ImpactOut:
    impact = lc.publish_impact(ctx.workspace, run.id, ctx.user)
    return ImpactOut(
        counts=impact.counts,
        exits=impact.exits,
        value=impact.value,
        moved=impact.moved,
        entitlements=[EntitlementOut(**vars(e)) for e in impact.entitlements],
    )


def _rules(ctx: Ctx, run_id: int) -> RulesOut | None:
    rules = lc.rule_change(ctx.workspace, run_id)
    if not rules.needs_confirmation:
        return None
    return RulesOut(draft=rules.draft, changed=rules.changed, source=rules.source, diff=rules.diff)


@route(router, "GET", "/api/v1/runs/{run_id}/review", "api.review", response_model=ReviewOut)
def api_review(run_id: RowId, query: Annotated[ReviewQuery, Query()], ctx: Ctx = Depends(context)) -> ReviewOut:
    """A page of a run's proposed grades next to the grades in force, filtered by how customers move."""
    return _review(ctx, run_id, query)


@route(router, "GET", "/review/{run_id}", "review", include_in_schema=False)
def review(run_id: RowId, query: Annotated[ReviewQuery, Query()], ctx: Ctx = Depends(context)) -> Response:
    role = ctx.user.role if ctx.user else None
    data = _review(ctx, run_id, query)
    filters: dict[str, Any] = {"move": query.move, "q": query.q or "", "outcome": query.outcome}
    return render(
        ctx,
        "review.html",
        data=data,
        filters=filters,
        can_change=allowed("api.review_change", role) and not data.published and not data.stale,
        can_publish=allowed("api.publish", role) and not data.published and not data.stale,
    )


@route(router, "POST", "/api/v1/runs/{run_id}/changes", "api.review_change")
async def api_review_change(run_id: RowId, request: Request, ctx: Ctx = Depends(context)) -> Response:
    """Set one customer's grade in the run at review, with the reason (audited); the run must not be published."""
    form: ChangeForm = await body(request, ChangeForm)
    lc.change_grade(ctx.workspace, run_id, form.customer, form.grade, form.why)
    return done(
        ctx,
        {"run": run_id, "customer": form.customer, "grade": form.grade},
        f"/review/{run_id}",
        "review.done_change",
        name=form.customer,
    )


@route(router, "POST", "/api/v1/runs/{run_id}/changes/{customer_id:path}/undo", "api.review_undo")
async def api_review_undo(
    run_id: RowId, customer_id: CustomerId, request: Request, ctx: Ctx = Depends(context)
) -> Response:
    """Take back the review's change of one customer: the run's own grade applies again."""
    form: UndoForm = await body(request, UndoForm)
    lc.undo_change(ctx.workspace, run_id, customer_id, form.why or "")
    return done(
        ctx, {"run": run_id, "customer": customer_id}, f"/review/{run_id}", "review.done_undo", name=customer_id
    )


@route(router, "POST", "/api/v1/runs/{run_id}/publish", "api.publish")
async def api_publish(run_id: RowId, request: Request, ctx: Ctx = Depends(context)) -> Response:
    """Publish the run: the lifecycle applies to every customer, then the review's changes.

    Needs ``confirm: true`` (the impact was shown); a draft run (its rules differ from the
    standard in force) also needs ``accept_rules``. The audit record keeps the impact summary.
    """
    form: PublishForm = await body(request, PublishForm)
    if not form.confirm:
        raise tw.Refused("publish.unconfirmed", run=run_id)
    # off the event loop: publishing writes every customer's grade, and others are answered meanwhile
    result = await run_in_threadpool(lc.publish, ctx.workspace, run_id, accept_rules=form.accept_rules)
    answer = {
        "run": result.run_id,
        "standard": result.standard_id,
        "as_of": result.as_of.isoformat(),
        "states": result.states,
        "changed": result.changed,
        "impact": result.impact.summary() if result.impact is not None else None,
    }
    return done(ctx, answer, f"/dashboard?standard={result.standard_id}", "review.done_publish", id=run_id)
