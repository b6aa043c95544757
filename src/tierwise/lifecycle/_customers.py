"""What one user may see of the customers: search, a customer's card, requests and the audit log.

Every query here applies the region filter of :func:`tierwise.workspace.scope_sql`, so the
web pages, their JSON and the downloads show a regional user only their regions' customers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from tierwise.lifecycle._evidence import BESIDE_COLUMNS, BESIDE_JOIN, evidence_in
from tierwise.lifecycle._publish import _standard, grades_on_sql, history
from tierwise.lifecycle._requests import _check_customer
from tierwise.spec import Standard
from tierwise.workspace import User, Workspace, data_columns, reasons_in, scope_sql

__all__ = [
    "CustomerCard",
    "CustomerFilter",
    "StandardInfo",
    "audit_log",
    "customer_card",
    "customers_table",
    "find_customers",
    "scoped_requests",
    "standards",
    "visible",
]


@dataclass(frozen=True)
class StandardInfo:
    """A standard with published grades in the workspace."""

    id: str
    name: str
    grades: tuple[str, ...]
    as_of: dt.date


def standards(workspace: Workspace) -> list[StandardInfo]:
    """The standards with a publication, by id, with their grades (from the latest run's text)."""
    with workspace.reading() as con:
        rows = con.execute("SELECT standard_id, max(as_of) FROM publications GROUP BY 1 ORDER BY 1").fetchall()
        found = []
        for standard_id, as_of in rows:
            standard = _standard(con, workspace, standard_id)
            found.append(StandardInfo(standard_id, standard.name, tuple(standard.grades), as_of))
    return found


def _base(con: Any) -> str:
    """The customers relation (customer_id, name, region): the customers table, else those ever graded."""
    columns = data_columns(con, "customers")
    if not columns:
        return "(SELECT DISTINCT customer_id, NULL AS name, NULL AS region FROM grades)"
    return (
        "(SELECT CAST(customer_id AS VARCHAR) AS customer_id, "
        f"{'CAST(name AS VARCHAR)' if 'name' in columns else 'NULL'} AS name, "
        f"{'CAST(region AS VARCHAR)' if 'region' in columns else 'NULL'} AS region FROM data.customers)"
    )


@dataclass(frozen=True)
class CustomerFilter:
    """Which customers: ``q`` matches the start of the id or any part of the name (any case); ``grade`` and
    ``state`` are those of ``standard`` on the day asked for; ``region`` is the customer's."""

    q: str | None = None
    standard: str | None = None
    grade: str | None = None
    state: str | None = None
    region: str | None = None


def _graded(standard: str | None, day: dt.date) -> tuple[str, list[Any]]:
    """The join that adds grade, state and why of ``standard`` on ``day`` to a relation aliased ``c``."""
    if standard is None:
        return (
            "LEFT JOIN (SELECT NULL AS customer_id, NULL AS grade, NULL AS state, NULL AS why) g USING (customer_id)",
            [],
        )
    graded, params = grades_on_sql(standard, day)
    return f"LEFT JOIN ({graded}) g USING (customer_id)", params


def _customer_query(con: Any, user: User | None, where: CustomerFilter, day: dt.date) -> tuple[str, list[Any]]:
    """The user's customers matching the filter (customer_id, name, region, grade, state, why), and its parameters."""
    base = _base(con)
    join, params = _graded(where.standard, day)
    scope, scope_params = scope_sql(user, "c.region")
    kept = [scope]
    params += scope_params
    if where.q:
        kept.append("(starts_with(lower(c.customer_id), lower(?)) OR contains(lower(c.name), lower(?)))")
        params += [where.q.strip(), where.q.strip()]
    for column, value in (("g.grade", where.grade), ("g.state", where.state), ("c.region", where.region)):
        if value:
            kept.append(f"{column} = ?")
            params.append(value)
    conditions = " AND ".join(kept)  # fixed fragments; every value is a bound parameter
    query = f"SELECT c.customer_id, c.name, c.region, g.grade, g.state, g.why FROM {base} c {join} WHERE {conditions}"
    return query, params


def find_customers(
    workspace: Workspace,
    user: User | None,
    where: CustomerFilter = CustomerFilter(),
    *,
    day: dt.date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """A page of the user's customers matching ``where`` on ``day`` (default today), by id, and how many match.

    When the filter is not on the grade, the page of customers is cut first and only its
    customers are graded (at a million customers, about 40 ms instead of 500).
    """
    day = day or dt.date.today()
    by_grade = bool(where.grade or where.state)
    chosen = where if by_grade else dataclasses.replace(where, standard=None)
    with workspace.reading() as con:
        query, params = _customer_query(con, user, chosen, day)
        total = int(con.execute(f"SELECT count(*) FROM ({query})", params).fetchall()[0][0])
        page = (
            f"SELECT customer_id, name, region, grade, state, why FROM ({query}) ORDER BY customer_id LIMIT ? OFFSET ?"
        )
        params = [*params, limit, offset]
        if by_grade:
            return _records(con, page, params), total
        join, graded = _graded(where.standard, day)
        rows = _records(
            con,
            f"SELECT c.customer_id, c.name, c.region, g.grade, g.state, g.why FROM ({page}) c {join} "
            "ORDER BY c.customer_id",
            [*params, *graded],
        )
    return rows, total


def customers_table(
    workspace: Workspace, user: User | None, where: CustomerFilter = CustomerFilter(), *, day: dt.date | None = None
) -> pa.Table:
    """Every customer of :func:`find_customers`, by id, as one Arrow table (for downloads)."""
    with workspace.reading() as con:
        query, params = _customer_query(con, user, where, day or dt.date.today())
        return con.sql(f"{query} ORDER BY c.customer_id", params=params).to_arrow_table()


@dataclass
class CustomerCard:
    """Everything the customer page shows about one customer, for one user."""

    customer_id: str
    profile: dict[str, Any]
    grades: list[dict[str, Any]]  # per standard: grade, state, why, reason, next_grade, gap, values, policies, run
    history: list[dict[str, Any]]
    requests: list[dict[str, Any]]
    audit: list[dict[str, Any]]


def _latest_row(con: Any, standard_id: str, customer_id: str) -> dict[str, Any] | None:
    cursor = con.execute(
        'SELECT r.run_id, r.grade, r.reason, r.next_grade, r.gap_to_next, r."values", p.as_of FROM run_rows r '
        "JOIN publications p ON p.run_id = r.run_id WHERE p.standard_id = ? AND r.customer_id = ? "
        "ORDER BY p.as_of DESC LIMIT 1",
        [standard_id, customer_id],
    )
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    return dict(zip(names, rows[0], strict=True)) if rows else None


def customer_card(
    workspace: Workspace, user: User | None, customer_id: str, day: dt.date | None = None, lang: str | None = None
) -> CustomerCard:
    """The customer's profile, grades with reasons and entitlements, history, requests and audit.

    ``lang`` is the reader's language: each evaluation's reason is rendered in it from the run's
    stored decision (None: as the run wrote it).

    Raises
    ------
    NotFound
        When there is no such customer, or it is outside the user's regions (the same answer).
    """
    day = day or dt.date.today()
    with workspace.reading() as con:
        _check_customer(con, customer_id, user)
        profile: dict[str, Any] = {}
        if data_columns(con, "customers"):
            cursor = con.execute(
                "SELECT * FROM data.customers WHERE CAST(customer_id AS VARCHAR) = ? LIMIT 1", [customer_id]
            )
            names = [d[0] for d in cursor.description]
            profile = dict(zip(names, cursor.fetchall()[0], strict=True))
        grades = []
        ids = [r[0] for r in con.execute("SELECT DISTINCT standard_id FROM publications ORDER BY 1").fetchall()]
        for standard_id in ids:
            standard: Standard = _standard(con, workspace, standard_id)
            query, params = grades_on_sql(standard_id, day)
            cursor = con.execute(
                f"SELECT grade, state, why, until, valid_from FROM ({query}) WHERE customer_id = ?",
                [*params, customer_id],
            )
            now = cursor.fetchall()
            row = _latest_row(con, standard_id, customer_id)
            if not now and row is None:
                continue
            if row is not None:
                row = {**row, "customer_id": customer_id}
                reasons_in(con, row["run_id"], [row], lang)
            grade, state, why, until, since = now[0] if now else (None, None, None, None, None)
            values = json.loads(row["values"]) if row and row["values"] else {}
            grades.append(
                {
                    "standard_id": standard_id,
                    "standard_name": standard.name,
                    "grades": list(standard.grades),
                    "grade": grade,
                    "state": state,
                    "why": why,
                    "until": until,
                    "since": since,
                    "run_id": row["run_id"] if row else None,
                    "as_of": row["as_of"] if row else None,
                    "evaluated": row["grade"] if row else None,
                    "reason": row["reason"] if row else None,
                    "next_grade": row["next_grade"] if row else None,
                    "gap_to_next": row["gap_to_next"] if row else None,
                    "values": values,
                    "policies": dict((standard.policies or {}).get(grade or "", {}) or {}),
                }
            )
        requests = _records(
            con,
            "SELECT t.id, t.kind, t.standard_id, t.customer_id, t.grade, t.until, t.why, t.requested_by, "
            "t.requested_at, t.status, t.decided_by, t.decided_at, t.decision_why, "
            f"{BESIDE_COLUMNS} FROM requests t {BESIDE_JOIN} WHERE t.customer_id = ? ORDER BY t.id DESC",
            [customer_id],
        )
        evidence_in(con, requests, lang)
        audit = _records(
            con,
            'SELECT id, "at", "user", action, subject, customer_id, detail, why FROM audit_log WHERE customer_id = ? '
            "ORDER BY id DESC LIMIT 200",
            [customer_id],
        )
    return CustomerCard(customer_id, profile, grades, history(workspace, customer_id), requests, audit)


def _records(con: Any, query: str, params: list[Any]) -> list[dict[str, Any]]:
    """Rows as dicts; an audit record's JSON ``detail`` read into a dict."""
    cursor = con.execute(query, params)
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        if "detail" in row:
            row["detail"] = json.loads(row["detail"]) if row["detail"] else {}
    return rows


def _region_of(con: Any) -> tuple[str, str]:
    """A join that gives each row (of the table aliased ``t``) its customer's region, and the region column."""
    if "region" not in data_columns(con, "customers"):
        return "", "NULL"
    return (
        "LEFT JOIN (SELECT CAST(customer_id AS VARCHAR) AS cid, CAST(region AS VARCHAR) AS region "
        "FROM data.customers) c ON c.cid = t.customer_id",
        "c.region",
    )


def scoped_requests(
    workspace: Workspace,
    user: User | None,
    *,
    status: str | None = None,
    kind: str | None = None,
    standard: str | None = None,
    customer: str | None = None,
    lang: str | None = None,
) -> list[dict[str, Any]]:
    """The override requests and upgrade applications about the user's customers, newest first, each with the
    evaluation beside it (the columns of :func:`tierwise.lifecycle.requests`; its reason in ``lang``)."""
    with workspace.reading() as con:
        join, region = _region_of(con)
        scope, params = scope_sql(user, region)
        where = [scope]
        for column, value in (
            ("t.status", status),
            ("t.kind", kind),
            ("t.standard_id", standard),
            ("t.customer_id", customer),
        ):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        conditions = " AND ".join(where)
        found = _records(
            con,
            "SELECT t.id, t.kind, t.standard_id, t.customer_id, t.grade, t.until, t.why, t.requested_by, "
            f"t.requested_at, t.status, t.decided_by, t.decided_at, t.decision_why, {BESIDE_COLUMNS} "
            f"FROM requests t {join} {BESIDE_JOIN} WHERE {conditions} ORDER BY t.id DESC LIMIT 1000",
            params,
        )
        return evidence_in(con, found, lang)


def audit_log(
    workspace: Workspace,
    user: User | None,
    *,
    customer: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """A page of the audit log, newest first, and how many records match.

    A user limited to regions sees only the records about their regions' customers.
    """
    with workspace.reading() as con:
        join, region = _region_of(con)
        scope, params = scope_sql(user, region)
        where = [scope if scope == "TRUE" else f"t.customer_id IS NOT NULL AND {scope}"]
        for column, value in (
            ("t.customer_id", customer),
            ('lower(t."user")', actor.lower() if actor else None),
            ("t.action", action),
        ):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        if since is not None:
            where.append('t."at" >= ?')
            params.append(dt.datetime.combine(since, dt.time()))
        if until is not None:
            where.append('t."at" < ?')
            params.append(dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
        conditions = " AND ".join(where)
        query = (
            'SELECT t.id, t."at", t."user", t.action, t.subject, t.customer_id, t.detail, t.why '
            f"FROM audit_log t {join} WHERE {conditions}"
        )
        total = int(con.execute(f"SELECT count(*) FROM ({query})", params).fetchall()[0][0])
        rows = _records(con, f"{query} ORDER BY t.id DESC LIMIT ? OFFSET ?", [*params, limit, offset])
    return rows, total


def regions(workspace: Workspace, user: User | None) -> list[str]:
    """The regions of the customers the user may see, sorted."""
    with workspace.reading() as con:
        if "region" not in data_columns(con, "customers"):
            return []
        scope, params = scope_sql(user, "region")
        rows = con.execute(
            f"SELECT DISTINCT CAST(region AS VARCHAR) AS region FROM data.customers WHERE region IS NOT NULL AND {scope} "
            "ORDER BY 1",
            params,
        ).fetchall()
    return [r[0] for r in rows]


def visible(workspace: Workspace, user: User | None, customer_id: str) -> None:
    """Nothing when the user may see the customer; else NotFound, the same for no such customer and another region's."""
    with workspace.reading() as con:
        _check_customer(con, customer_id, user)
