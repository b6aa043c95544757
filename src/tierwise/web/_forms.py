"""Assessment forms (初评): the customers of the rater's regions with their form's status, and the form itself.

The form's fields are the standard's rated criteria (``lifecycle.form_fields``), its
choices the rating scale. Saving keeps a draft; submitting writes the ratings into the data
the next run grades on. Region scoping is the lifecycle's, in the list and on every form.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

import tierwise
import tierwise.lifecycle as lc
import tierwise.workspace as tw
from tierwise.web._access import allowed, route
from tierwise.web._context import Ctx, context, done, invalid, language, render
from tierwise.web._params import CustomerId, Key, Page, Text, url_part

__all__ = ["form_standards", "router"]

router = APIRouter()
PAGE_SIZE = 50


class FormQuery(BaseModel):
    """Which standard's forms, which status, which customers."""

    standard: Text = None
    status: Literal["none", "draft", "submitted", "reviewed"] | None = None
    q: Text = None
    page: Page = 1
    size: int = Field(PAGE_SIZE, ge=1, le=500)


class FormRow(BaseModel):
    customer_id: str
    name: str | None
    region: str | None
    status: str
    created_by: str | None
    updated_at: dt.datetime | None
    submitted_by: str | None
    submitted_at: dt.datetime | None


class FormList(BaseModel):
    """The signed-in rater's customers and the status of each one's form on a standard."""

    standard: str | None
    standards: list[str]
    counts: dict[str, int]
    total: int
    page: int
    size: int
    rows: list[FormRow]


class FieldOut(BaseModel):
    criterion: str
    weight: float
    options: list[str]


class FormOut(BaseModel):
    """One customer's form on a standard: the criteria to rate and the latest form (None: never assessed)."""

    standard_id: str
    standard_name: str
    customer_id: str
    fields: list[FieldOut]
    form: dict[str, Any] | None


class FormIn(BaseModel):
    """Ratings by criterion, a comment, and whether to submit (else: save the draft)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    ratings: dict[str, str] = Field(default_factory=dict)
    comment: str | None = Field(None, max_length=2000)
    submit: bool = False


def form_standards(ctx: Ctx) -> dict[str, tierwise.Standard]:
    """The workspace's standards that are rated on forms, by id."""
    found = {}
    for standard_id in tw.standard_ids(ctx.workspace):
        try:
            standard = tw.current_standard(ctx.workspace, standard_id)
            lc.form_fields(standard)
        except (tw.WorkspaceError, tierwise.StandardError):
            continue
        found[standard_id] = standard
    return found


def _list(ctx: Ctx, query: FormQuery) -> FormList:
    standards = form_standards(ctx)
    chosen = query.standard or next(iter(standards), None)
    if chosen is None:
        return FormList(standard=None, standards=[], counts={}, total=0, page=1, size=query.size, rows=[])
    if chosen not in standards:
        raise tw.NotFound(f"'{chosen}' is not a standard rated on forms; choose one of {', '.join(standards)}.")
    rows, total = lc.forms_page(
        ctx.workspace,
        ctx.user,
        chosen,
        status=query.status,
        q=query.q,
        limit=query.size,
        offset=(query.page - 1) * query.size,
    )
    return FormList(
        standard=chosen,
        standards=list(standards),
        counts=lc.form_counts(ctx.workspace, ctx.user, chosen),
        total=total,
        page=query.page,
        size=query.size,
        rows=[FormRow(**r) for r in rows],
    )


@route(router, "GET", "/api/v1/forms", "api.forms", response_model=FormList)
def api_forms(query: Annotated[FormQuery, Query()], ctx: Ctx = Depends(context)) -> FormList:
    """Your customers and the status of each one's assessment form (none, draft, submitted, reviewed)."""
    return _list(ctx, query)


@route(router, "GET", "/forms", "forms", include_in_schema=False)
def forms(query: Annotated[FormQuery, Query()], ctx: Ctx = Depends(context)) -> Response:
    filters = {"standard": query.standard or "", "status": query.status or "", "q": query.q or ""}
    return render(ctx, "forms.html", data=_list(ctx, query), filters=filters)


def _one(ctx: Ctx, standard_id: str, customer_id: str) -> FormOut:
    standard = tw.current_standard(ctx.workspace, standard_id)
    fields = lc.form_fields(standard)
    return FormOut(
        standard_id=standard.id,
        standard_name=standard.name,
        customer_id=customer_id,
        fields=[FieldOut(criterion=f.criterion, weight=f.weight, options=list(f.options)) for f in fields],
        form=lc.form_of(ctx.workspace, ctx.user, standard.id, customer_id),
    )


@route(router, "GET", "/api/v1/forms/{standard_id}/{customer_id:path}", "api.form", response_model=FormOut)
def api_form(standard_id: Key, customer_id: CustomerId, ctx: Ctx = Depends(context)) -> FormOut:
    """A customer's assessment form: the criteria and their ratings, the comment, the status."""
    return _one(ctx, standard_id, customer_id)


@route(router, "GET", "/forms/{standard_id}/{customer_id:path}", "form", include_in_schema=False)
def form(standard_id: Key, customer_id: CustomerId, ctx: Ctx = Depends(context)) -> Response:
    data = _one(ctx, standard_id, customer_id)
    editable = allowed("api.form_save", ctx.user.role if ctx.user else None) and (
        data.form is None or data.form["status"] in ("draft", "reviewed")
    )
    return render(ctx, "form.html", data=data, editable=editable)


async def _form_in(request: Request) -> FormIn:
    """The form as JSON, or as the page's fields (``rating.<criterion>``, ``comment``, the button pressed)."""
    try:
        if request.headers.get("content-type", "").startswith("application/json"):
            return FormIn.model_validate(await request.json())
        sent = await request.form()
        fields = {k: v for k, v in sent.items() if isinstance(v, str)}
        return FormIn(
            ratings={k.removeprefix("rating."): v for k, v in fields.items() if k.startswith("rating.") and v},
            comment=fields.get("comment") or None,
            submit=fields.get("action") == "submit",
        )
    except ValidationError as exc:
        raise ValueError(invalid(exc.errors(), language(request))) from exc
    except ValueError as exc:
        raise ValueError(f"The request body is not valid JSON: {exc}.") from exc


@route(router, "POST", "/api/v1/forms/{standard_id}/{customer_id:path}", "api.form_save")
async def api_form_save(
    standard_id: Key, customer_id: CustomerId, request: Request, ctx: Ctx = Depends(context)
) -> Response:
    """Save the form as a draft, or submit it (every criterion rated): its ratings go into the data of the next run."""
    sent = await _form_in(request)
    standard = tw.current_standard(ctx.workspace, standard_id)
    form_id = lc.save_form(ctx.workspace, standard, customer_id, sent.ratings, sent.comment, submit=sent.submit)
    key = "forms.done_submitted" if sent.submit else "forms.done_saved"
    status = "submitted" if sent.submit else "draft"
    return done(
        ctx, {"form": form_id, "status": status}, f"/forms/{url_part(standard_id)}/{url_part(customer_id)}", key
    )
