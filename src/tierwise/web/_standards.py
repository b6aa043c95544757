"""Standards: the list with versions, the YAML in force, the draft editor (checked on save) and simulation.

A draft is stored in the workspace, never as a file named by the user; saving answers the
located problems as ``tierwise check`` would. Simulating evaluates the saved draft on the
current data against the grades in force and stores nothing; changing the standard is then
a run of the draft, reviewed and published like any other (see ``_review.py``).
"""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

import tierwise
import tierwise.lifecycle as lc
import tierwise.workspace as tw
from tierwise.web import _charts as charts
from tierwise.web._access import allowed, route
from tierwise.web._context import Ctx, body, context, done, render
from tierwise.web._params import Day, Key, url_part
from tierwise.web._worker import heavy

__all__ = ["router"]

router = APIRouter()


class ProblemOut(BaseModel):
    line: int | None
    message: str


class DraftOut(BaseModel):
    text: str
    saved_by: str
    saved_at: dt.datetime
    problems: list[ProblemOut]


class StandardRow(BaseModel):
    id: str
    name: str | None
    version: str | None
    grades: list[str]
    published: dt.date | None
    runs: int
    draft: bool


class StandardList(BaseModel):
    """Every standard of the workspace: files in standards/, standards it has run, drafts."""

    rows: list[StandardRow]


class StandardOut(BaseModel):
    """One standard: the YAML in force, its runs, and its saved draft with the draft's problems."""

    id: str
    name: str | None
    version: str | None
    text: str | None
    runs: list[dict[str, Any]]
    draft: DraftOut | None
    rule_diff: str | None = Field(
        None, description="With a draft: how its rules differ from those in force (what adopting it changes)."
    )


class AdoptForm(BaseModel):
    """Adopting the draft as the standard in force: the reason (audited) and ``confirm`` after reading the diff."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    why: str = Field("", max_length=2000)
    confirm: bool = False


class DraftForm(BaseModel):
    """The YAML text of a draft."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=200_000)


class SimulateQuery(BaseModel):
    """The day to simulate on (default: the latest publication's)."""

    as_of: Day | None = None


class Cell(BaseModel):
    before: str | None
    after: str | None
    customers: int
    value: float | None


class SimulationOut(BaseModel):
    """How the saved draft would move the signed-in user's customers from the grades in force."""

    standard_id: str
    as_of: dt.date
    before: str
    after: str
    grades: list[str]
    upgrades: int
    downgrades: int
    unchanged: int
    entries: int
    exits: int
    value: str | None
    moved_customers: int
    moved_value: float
    cells: list[Cell]


def _current(ctx: Ctx, standard_id: str) -> tierwise.Standard | None:
    try:
        return tw.current_standard(ctx.workspace, standard_id)
    except tw.NotFound:
        return None


def _list(ctx: Ctx) -> StandardList:
    published = {s.id: s.as_of for s in lc.standards(ctx.workspace)}
    runs: dict[str, int] = {}
    for run in tw.list_runs(ctx.workspace):
        runs[run.standard_id] = runs.get(run.standard_id, 0) + 1
    drafts = {d.standard_id for d in tw.list_drafts(ctx.workspace)}
    rows = []
    for standard_id in tw.standard_ids(ctx.workspace):
        try:
            current = _current(ctx, standard_id)
        except tierwise.StandardError:
            current = None
        rows.append(
            StandardRow(
                id=standard_id,
                name=current.name if current else None,
                version=current.version if current else None,
                grades=list(current.grades) if current else [],
                published=published.get(standard_id),
                runs=runs.get(standard_id, 0),
                draft=standard_id in drafts,
            )
        )
    return StandardList(rows=rows)


def _one(ctx: Ctx, standard_id: str) -> StandardOut:
    try:
        current = _current(ctx, standard_id)
    except tierwise.StandardError:
        current = None
    saved = tw.get_draft(ctx.workspace, standard_id)
    if current is None and saved is None and standard_id not in tw.standard_ids(ctx.workspace):
        raise tw.NotFound(f"There is no standard '{standard_id}' in this workspace; the standards page lists them.")
    draft = None
    if saved is not None:
        _, problems = tw.check_draft(ctx.workspace, standard_id, saved.text)
        draft = DraftOut(
            text=saved.text,
            saved_by=saved.saved_by,
            saved_at=saved.saved_at,
            problems=[ProblemOut(line=p.line, message=p.message) for p in problems],
        )
    runs = [
        {"id": r.id, "version": r.standard_version, "as_of": r.as_of, "customers": r.customers, "user": r.user}
        for r in tw.list_runs(ctx.workspace)
        if r.standard_id == standard_id
    ]
    return StandardOut(
        id=standard_id,
        name=current.name if current else None,
        version=current.version if current else None,
        text=current.text if current else None,
        runs=runs[::-1],
        draft=draft,
        rule_diff=tw.rule_diff(current.text if current else "", saved.text, standard_id, "draft") if saved else None,
    )


@route(router, "GET", "/api/v1/standards", "api.standards", response_model=StandardList)
def api_standards(ctx: Ctx = Depends(context)) -> StandardList:
    """Every standard of the workspace, with its version, grades, last publication and whether it has a draft."""
    return _list(ctx)


@route(router, "GET", "/standards", "standards", include_in_schema=False)
def standards(ctx: Ctx = Depends(context)) -> Response:
    return render(ctx, "standards.html", data=_list(ctx))


@route(router, "GET", "/api/v1/standards/{standard_id}", "api.standard", response_model=StandardOut)
def api_standard(standard_id: Key, ctx: Ctx = Depends(context)) -> StandardOut:
    """One standard: the YAML in force, its runs, and its saved draft with the draft's located problems."""
    return _one(ctx, standard_id)


@route(router, "GET", "/standards/{standard_id}", "standard", include_in_schema=False)
def standard(standard_id: Key, ctx: Ctx = Depends(context)) -> Response:
    role = ctx.user.role if ctx.user else None
    return render(
        ctx,
        "standard.html",
        data=_one(ctx, standard_id),
        can_edit=allowed("api.draft_save", role),
        can_simulate=allowed("simulate", role),
        can_run=allowed("api.run", role),
        can_adopt=allowed("api.adopt", role),
        today=dt.date.today(),
    )


@route(router, "POST", "/api/v1/standards/{standard_id}/draft", "api.draft_save")
async def api_draft_save(standard_id: Key, request: Request, ctx: Ctx = Depends(context)) -> Response:
    """Save the draft of a standard and answer its located problems (an empty list: it checks)."""
    form: DraftForm = await body(request, DraftForm)
    seconds = request.app.state.work_seconds
    _, found = await heavy("work.slow_check", seconds, tw.check_draft, ctx.workspace, standard_id, form.text)
    problems = await run_in_threadpool(tw.save_draft, ctx.workspace, standard_id, form.text, problems=found)
    answer = {"standard": standard_id, "problems": [{"line": p.line, "message": p.message} for p in problems]}
    return done(ctx, answer, f"/standards/{url_part(standard_id)}", "standard.done_saved")


@route(router, "POST", "/api/v1/standards/{standard_id}/draft/delete", "api.draft_delete")
async def api_draft_delete(standard_id: Key, ctx: Ctx = Depends(context)) -> Response:
    """Delete the saved draft of a standard."""
    tw.delete_draft(ctx.workspace, standard_id)
    return done(ctx, {"standard": standard_id}, f"/standards/{url_part(standard_id)}", "standard.done_deleted")


@route(router, "POST", "/api/v1/standards/{standard_id}/adopt", "api.adopt")
async def api_adopt(standard_id: Key, request: Request, ctx: Ctx = Depends(context)) -> Response:
    """Make the saved draft the standard in force; needs a reason and ``confirm: true`` (the rule diff was read)."""
    form: AdoptForm = await body(request, AdoptForm)
    if not form.confirm:
        raise tw.Refused("standard.adopt_unconfirmed", standard=standard_id)
    diff = await run_in_threadpool(tw.adopt_draft, ctx.workspace, standard_id, form.why)
    answer = {"standard": standard_id, "adopted": True, "diff": diff}
    return done(ctx, answer, f"/standards/{url_part(standard_id)}", "standard.done_adopted")


def _simulate(ctx: Ctx, standard_id: str, query: SimulateQuery) -> SimulationOut:
    draft = tw.draft_standard(ctx.workspace, standard_id)
    published = {s.id: s.as_of for s in lc.standards(ctx.workspace)}
    day = query.as_of or published.get(standard_id) or dt.date.today()
    moved = lc.simulate(ctx.workspace, draft, day, user=ctx.user)
    cells = [
        Cell(before=b, after=a, customers=n, value=moved.moved.get((b, a)) if moved.value else None)
        for (b, a), n in moved.matrix.items()
    ]
    changed = [c for c in cells if c.before != c.after]
    return SimulationOut(
        standard_id=standard_id,
        as_of=day,
        before=moved.before,
        after=moved.after,
        grades=list(dict.fromkeys([*draft.grades, *moved.grades])),
        upgrades=moved.upgrades,
        downgrades=moved.downgrades,
        unchanged=moved.unchanged,
        entries=moved.entries,
        exits=moved.exits,
        value=moved.value,
        moved_customers=sum(c.customers for c in changed),
        moved_value=sum(c.value or 0.0 for c in changed),
        cells=cells,
    )


async def _simulated(ctx: Ctx, standard_id: str, query: SimulateQuery) -> SimulationOut:
    """The simulation, in a worker with the app's time limit."""
    seconds = ctx.request.app.state.work_seconds
    return await heavy("work.slow_simulate", seconds, _simulate, ctx, standard_id, query)


@route(router, "GET", "/api/v1/standards/{standard_id}/simulate", "api.simulate", response_model=SimulationOut)
async def api_simulate(
    standard_id: Key, query: Annotated[SimulateQuery, Query()], ctx: Ctx = Depends(context)
) -> SimulationOut:
    """Evaluate the saved draft on the current data against the grades in force; nothing is stored."""
    return await _simulated(ctx, standard_id, query)


@route(router, "GET", "/standards/{standard_id}/simulate", "simulate", include_in_schema=False)
async def simulate(standard_id: Key, query: Annotated[SimulateQuery, Query()], ctx: Ctx = Depends(context)) -> Response:
    data = await _simulated(ctx, standard_id, query)
    pairs = [(c.before, c.after, c.customers) for c in data.cells]
    options = {
        "chart-matrix": charts.heatmap(pairs, data.grades, ctx.lang),
        "chart-sankey": charts.sankey(
            pairs, data.grades, (ctx.t("review.published"), ctx.t("standards.draft")), ctx.lang
        ),
    }
    role = ctx.user.role if ctx.user else None
    return render(
        ctx, "simulate.html", data=data, charts=options, can_run=allowed("api.run", role), today=dt.date.today()
    )
