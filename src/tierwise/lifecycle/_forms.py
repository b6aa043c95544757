"""Assessment forms (客户质量等级评估表, 初评): raters grade the customers of their regions on a standard's criteria.

A standard whose scorecard rates criteria read from a table (``{from: assessments, agg:
latest(rating), where: "criterion == '销售实现'"}``) has a form: one field per criterion,
its choices the criterion's rating scale (好/较好/一般/差). A form is saved as a draft,
then submitted: submitting appends one row per criterion to that data table, dated today
and signed by the rater, so the next run grades on it; publishing a run that graded the
customer marks the form reviewed. Every step is audited; a rater limited to regions fills
forms for the customers of their regions only.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from tierwise._sql import ident, qualified
from tierwise.lifecycle._requests import _check_customer
from tierwise.spec import DATE_COLUMNS, Standard, did_you_mean, parse_expression
from tierwise.spec._expr import Binary, Call, Const, Name
from tierwise.workspace import User, Workspace, WorkspaceError, data_columns, scope_sql
from tierwise.workspace._cache import clear_cache, record_fingerprint

__all__ = ["FORM_STATES", "FormField", "form_counts", "form_fields", "form_of", "forms_page", "save_form"]

FORM_STATES = ("none", "draft", "submitted", "reviewed")


@dataclass(frozen=True)
class FormField:
    """One rated criterion of a form, and where its rating is written."""

    criterion: str
    weight: float
    options: tuple[str, ...]
    synonyms: dict[str, str]
    table: str
    rating_column: str
    criterion_column: str
    criterion_value: str
    date_column: str


def _picked(where: str | None) -> tuple[str, str] | None:
    """``criterion == '销售实现'`` as (column, value); None for any other condition."""
    if where is None:
        return None
    node = parse_expression(where)
    if isinstance(node, Binary) and node.op == "==":
        for left, right in ((node.left, node.right), (node.right, node.left)):
            if isinstance(left, Name) and isinstance(right, Const) and isinstance(right.value, str):
                return left.name, right.value
    return None


def form_fields(standard: Standard) -> list[FormField]:
    """The rated criteria of ``standard``'s scorecard, in order; an error naming the standard when it has none."""
    found: list[FormField] = []
    body = standard.grade.body
    if standard.grade.kind == "scorecard":
        for criterion in body.criteria:
            indicator = standard.indicators.get(str(criterion.on))
            if indicator is None or indicator.from_ is None or indicator.agg is None or criterion.points is None:
                continue
            call = parse_expression(str(indicator.agg), allow_aggregates=True)
            picked = _picked(str(indicator.where) if indicator.where is not None else None)
            if not (isinstance(call, Call) and call.func == "latest" and isinstance(call.args[0], Name) and picked):
                continue
            found.append(
                FormField(
                    criterion=criterion.name,
                    weight=float(criterion.weight),
                    options=tuple(str(k) for k in criterion.points),
                    synonyms=dict(criterion.synonyms or {}),
                    table=indicator.from_,
                    rating_column=call.args[0].name,
                    criterion_column=picked[0],
                    criterion_value=picked[1],
                    date_column=indicator.date or DATE_COLUMNS.get(indicator.from_, "date"),
                )
            )
    if not found:
        raise WorkspaceError(
            f"The standard '{standard.id}' rates no criteria on a form: a form needs a scorecard whose criteria read "
            f"latest(rating) from a table where criterion == '...', like the built-in composite-8."
        )
    return found


def _check_ratings(standard: Standard, fields: list[FormField], ratings: dict[str, str], complete: bool) -> None:
    by_name = {f.criterion: f for f in fields}
    problems = []
    for name, rating in ratings.items():
        field = by_name.get(name)
        if field is None:
            problems.append(f"'{name}' is not a criterion of '{standard.id}'.{did_you_mean(name, by_name)}")
        elif rating not in field.options and rating not in field.synonyms:
            problems.append(f"'{rating}' is not a rating of '{name}'; choose one of {', '.join(field.options)}.")
    if complete:
        missing = [f.criterion for f in fields if not ratings.get(f.criterion)]
        if missing:
            problems.append(f"A submitted form rates every criterion; rate {', '.join(missing)} too.")
    if problems:
        raise ValueError(f"The form for '{standard.id}' cannot be saved: " + " ".join(problems))


def _append_rows(con: Any, fields: list[FormField], customer_id: str, ratings: dict[str, str], rater: str) -> None:
    """One row per criterion in the data table the standard reads it from, dated today and signed."""
    today = dt.date.today()
    for table in dict.fromkeys(f.table for f in fields):
        mine = [f for f in fields if f.table == table]
        first = mine[0]
        needed = ["customer_id", first.criterion_column, first.rating_column, first.date_column]
        columns = data_columns(con, table)
        if not columns:
            con.execute(
                f"CREATE TABLE {qualified('data', table)} (customer_id VARCHAR, {ident(first.criterion_column)} VARCHAR, "
                f"{ident(first.rating_column)} VARCHAR, {ident(first.date_column)} DATE, assessor VARCHAR)"
            )
            columns = set(needed) | {"assessor"}
        missing = [c for c in needed if c not in columns]
        if missing:
            raise WorkspaceError(
                f"The data table '{table}' has no column {', '.join(missing)}, where the form writes its ratings; "
                f"import the table with those columns first."
            )
        signed = "assessor" in columns
        names = [*needed, *(["assessor"] if signed else [])]
        quoted = ", ".join(ident(n) for n in names)
        marks = ", ".join("?" for _ in names)
        rows = [
            [customer_id, f.criterion_value, ratings[f.criterion], today, *([rater] if signed else [])] for f in mine
        ]
        con.executemany(f"INSERT INTO {qualified('data', table)} ({quoted}) VALUES ({marks})", rows)
        record_fingerprint(con, table)
    clear_cache(con)


def save_form(
    workspace: Workspace,
    standard: Standard,
    customer_id: str,
    ratings: dict[str, str],
    comment: str | None = None,
    *,
    submit: bool = False,
) -> int:
    """Save (or submit) the signed-in rater's form for ``customer_id`` on ``standard``; answers the form's id.

    A draft may be partial; a submitted form rates every criterion, appends its ratings to
    the data and can no longer be changed (the next publication reviews it).
    """
    fields = form_fields(standard)
    ratings = {k: v for k, v in ratings.items() if v}
    _check_ratings(standard, fields, ratings, complete=submit)
    now = dt.datetime.now()
    with workspace.writing() as con:
        user = workspace.authorize(con, "assess")
        _check_customer(con, customer_id, user)
        open_form = con.execute(
            "SELECT id, status, submitted_by, submitted_at FROM forms WHERE standard_id = ? AND customer_id = ? "
            "AND status IN ('draft', 'submitted') ORDER BY id DESC LIMIT 1",
            [standard.id, customer_id],
        ).fetchone()
        if open_form is not None and open_form[1] == "submitted":
            raise WorkspaceError(
                f"The form for '{customer_id}' was submitted by {open_form[2]} at {open_form[3]:%Y-%m-%d %H:%M}; "
                f"it is reviewed at the next publication of '{standard.id}', after which a new form can be filled."
            )
        status = "submitted" if submit else "draft"
        who = workspace.user()
        if open_form is None:
            row = con.execute(
                "INSERT INTO forms (standard_id, customer_id, ratings, comment, status, created_by, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [standard.id, customer_id, json.dumps(ratings, ensure_ascii=False), comment, status, who, now, now],
            ).fetchone()
            form_id = int(row[0]) if row else 0
        else:
            form_id = int(open_form[0])
            con.execute(
                "UPDATE forms SET ratings = ?, comment = ?, status = ?, updated_at = ? WHERE id = ?",
                [json.dumps(ratings, ensure_ascii=False), comment, status, now, form_id],
            )
        if submit:
            con.execute("UPDATE forms SET submitted_by = ?, submitted_at = ? WHERE id = ?", [who, now, form_id])
            _append_rows(con, fields, customer_id, ratings, who)
        workspace.audit(
            con,
            "form-submitted" if submit else "form-saved",
            standard.id,
            {"form": form_id, "ratings": ratings},
            why=comment or None,
            customer_id=customer_id,
        )
    return form_id


def form_of(workspace: Workspace, user: User | None, standard_id: str, customer_id: str) -> dict[str, Any] | None:
    """The customer's latest form on ``standard_id`` (None: never assessed), for a user who may see the customer."""
    with workspace.reading() as con:
        _check_customer(con, customer_id, user)
        cursor = con.execute(
            "SELECT id, ratings, comment, status, created_by, created_at, updated_at, submitted_by, submitted_at, "
            "reviewed_run, reviewed_at FROM forms WHERE standard_id = ? AND customer_id = ? ORDER BY id DESC LIMIT 1",
            [standard_id, customer_id],
        )
        row = cursor.fetchone()
        names = [d[0] for d in cursor.description]
    if row is None:
        return None
    found = dict(zip(names, row, strict=True))
    found["ratings"] = json.loads(found["ratings"])
    return found


def _listing(con: Any, user: User | None, standard_id: str) -> tuple[str, list[Any]]:
    columns = data_columns(con, "customers")
    if not columns:
        raise WorkspaceError("Assessment forms list the customers table; import customers first.")
    name = "CAST(c.name AS VARCHAR)" if "name" in columns else "NULL"
    region = "CAST(c.region AS VARCHAR)" if "region" in columns else "NULL"
    scope, scope_params = scope_sql(user, region)
    query = (
        f"SELECT CAST(c.customer_id AS VARCHAR) AS customer_id, {name} AS name, {region} AS region, "
        "coalesce(f.status, 'none') AS status, f.created_by, f.updated_at, f.submitted_by, f.submitted_at "
        "FROM data.customers c LEFT JOIN (SELECT * FROM forms WHERE standard_id = ? "
        "QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY id DESC) = 1) f "
        f"ON f.customer_id = CAST(c.customer_id AS VARCHAR) WHERE {scope}"
    )
    return query, [standard_id, *scope_params]


def forms_page(
    workspace: Workspace,
    user: User | None,
    standard_id: str,
    *,
    status: str | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """A page of the user's customers with the status of their form on ``standard_id``, by id, and the total."""
    if status is not None and status not in FORM_STATES:
        raise ValueError(f"Unknown form status '{status}'; choose one of {', '.join(FORM_STATES)}.")
    with workspace.reading() as con:
        query, params = _listing(con, user, standard_id)
        kept = []
        if status:
            kept.append("status = ?")
            params.append(status)
        if q:
            kept.append("(starts_with(lower(customer_id), lower(?)) OR contains(lower(name), lower(?)))")
            params += [q.strip(), q.strip()]
        where = f"WHERE {' AND '.join(kept)}" if kept else ""
        total = int(con.execute(f"SELECT count(*) FROM ({query}) {where}", params).fetchall()[0][0])
        cursor = con.execute(
            f"SELECT * FROM ({query}) {where} ORDER BY customer_id LIMIT ? OFFSET ?", [*params, limit, offset]
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()], total


def form_counts(workspace: Workspace, user: User | None, standard_id: str) -> dict[str, int]:
    """How many of the user's customers have no form, a draft, a submitted or a reviewed form on ``standard_id``."""
    with workspace.reading() as con:
        if not data_columns(con, "customers"):
            return {}
        query, params = _listing(con, user, standard_id)
        found = dict(con.execute(f"SELECT status, count(*) FROM ({query}) GROUP BY 1", params).fetchall())
    return {s: int(found.get(s, 0)) for s in FORM_STATES}
