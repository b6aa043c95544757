"""The dashboard: one standard's distribution, Pareto curve, migration, regions, what is due and what awaits decision.

Every number is :func:`tierwise.reports.dashboard`'s, limited to the user's regions in the
query layer, and the same in the page and in its JSON.
"""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel

import tierwise
import tierwise.lifecycle as lc
import tierwise.reports as reports
import tierwise.workspace as tw
from tierwise.web import _charts as charts
from tierwise.web._access import route
from tierwise.web._context import Ctx, context, render
from tierwise.web._params import Text
from tierwise.web._review import unpublished

__all__ = ["router"]

router = APIRouter()


class DashboardQuery(BaseModel):
    """Which standard (default: the first published one)."""

    standard: Text = None


class DashboardOut(BaseModel):
    """A standard's dashboard for the signed-in user (their regions only)."""

    standard_id: str
    standard_name: str
    grades: list[str]
    day: dt.date
    published: dt.date
    previous: dt.date | None
    value: str | None
    customers: int
    gini: float
    distribution: list[dict[str, Any]]
    lorenz: list[list[float]]
    migration: list[dict[str, Any]]
    regions: list[dict[str, Any]]
    due_counts: dict[str, int]
    due: list[dict[str, Any]]
    pending: int
    requests: list[dict[str, Any]]
    runs_to_review: int
    forms: dict[str, int]


def _forms(ctx: Ctx, standard: tierwise.Standard) -> dict[str, int]:
    """How the assessment forms (初评) of the user's customers stand, for a standard rated on forms."""
    try:
        lc.form_fields(standard)
    except tw.WorkspaceError:
        return {}
    return lc.form_counts(ctx.workspace, ctx.user, standard.id)


def _dashboard(ctx: Ctx, query: DashboardQuery) -> tuple[DashboardOut | None, list[lc.StandardInfo]]:
    found = lc.standards(ctx.workspace)
    chosen = query.standard or (found[0].id if found else None)
    if chosen is None:
        return None, found
    board = reports.dashboard(ctx.workspace, chosen, ctx.user)
    out = DashboardOut(
        standard_id=board.standard.id,
        standard_name=board.standard.name,
        grades=list(board.standard.grades),
        day=board.day,
        published=board.published,
        previous=board.previous,
        value=board.value,
        customers=board.customers,
        gini=board.gini,
        distribution=board.distribution,
        lorenz=board.lorenz,
        migration=board.migration,
        regions=board.regions,
        due_counts=board.due_counts,
        due=board.due,
        pending=board.pending,
        requests=board.requests,
        runs_to_review=sum(1 for r in unpublished(ctx) if r.standard_id == board.standard.id),
        forms=_forms(ctx, board.standard),
    )
    return out, found


@route(router, "GET", "/api/v1/dashboard", "api.dashboard", response_model=DashboardOut | None)
def api_dashboard(query: Annotated[DashboardQuery, Query()], ctx: Ctx = Depends(context)) -> DashboardOut | None:
    """A standard's dashboard: distribution, Pareto curve, migration since the previous publication, regions, due."""
    return _dashboard(ctx, query)[0]


@route(router, "GET", "/dashboard", "dashboard", include_in_schema=False)
def dashboard(query: Annotated[DashboardQuery, Query()], ctx: Ctx = Depends(context)) -> Response:
    data, found = _dashboard(ctx, query)
    options: dict[str, Any] = {}
    if data is not None:
        options["chart-distribution"] = charts.bars(data.distribution, ctx.lang)
        options["chart-lorenz"] = charts.lorenz(data.lorenz, ctx.lang)
        options["chart-regions"] = charts.region_bars(data.regions, data.grades, ctx.lang)
        if data.previous is not None:
            names = charts.period_names(data.previous, data.day)
            pairs = [(m["before"], m["after"], m["customers"]) for m in data.migration]
            options["chart-sankey"] = charts.sankey(pairs, data.grades, names, ctx.lang)
    return render(ctx, "dashboard.html", data=data, standards=found, charts=options)
