"""Requests around the published grades: 特批 (overrides) and upgrade applications, decided by another user.

An override or an application is a request that a user with the right role approves or
rejects, beside the customer's grade in force and latest evaluation; cancelling and
reinstating a customer's grade are decisions too. Every step is audited and is one transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tierwise.lifecycle._decide import Decision
from tierwise.lifecycle._evidence import (
    BESIDE_COLUMNS,
    BESIDE_JOIN,
    checked_upgrade,
    evaluated_grade,
    evidence_in,
)
from tierwise.lifecycle._publish import _change, _current, _one, _standard
from tierwise.spec import Standard
from tierwise.workspace import (
    AccessDenied,
    NotFound,
    Phrase,
    Refused,
    User,
    Workspace,
    WorkspaceError,
    data_columns,
    in_scope,
)

__all__ = ["apply_upgrade", "cancel", "decide_request", "reinstate", "request_override", "requests"]


def _check_customer(con: Any, customer_id: str, user: User | None) -> None:
    """The customer must exist; a user limited to regions may act only for the customers of their regions.

    A customer outside the user's regions is answered exactly like one that does not exist
    (NotFound, the same sentence), so the refusal tells neither that it exists nor where.
    """
    columns = data_columns(con, "customers")
    if columns:
        rows = con.execute(
            f"SELECT {'CAST(region AS VARCHAR)' if 'region' in columns else 'NULL'} FROM data.customers "
            "WHERE CAST(customer_id AS VARCHAR) = ? LIMIT 1",
            [customer_id],
        ).fetchall()
        known = bool(rows)
        region = rows[0][0] if rows else None
    else:  # no customers table: the customers are those ever graded
        known = bool(_one(con.execute("SELECT count(*) FROM grades WHERE customer_id = ?", [customer_id])))
        region = None
    if not known or not in_scope(user, region):  # one answer for both: a refusal names nothing outside the scope
        raise NotFound.said("error.no_customer", id=customer_id)


def _insert_request(
    con: Any, workspace: Workspace, kind: str, standard_id: str, customer_id: str, grade: str, why: str, until: Any
) -> int:
    request_id = int(
        _one(
            con.execute(
                "INSERT INTO requests (kind, standard_id, customer_id, grade, why, until, requested_by, requested_at, "
                "status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending') RETURNING id",
                [kind, standard_id, customer_id, grade, why, until, workspace.user(), dt.datetime.now()],
            )
        )
    )
    detail = {"request": request_id, "grade": grade, **({"until": str(until)} if until else {})}
    action = "override-requested" if kind == "override" else "upgrade-requested"
    workspace.audit(con, action, standard_id, detail, why=why, customer_id=customer_id)
    return request_id


def _requestable(con: Any, workspace: Workspace, standard_id: str, customer_id: str, grade: str) -> Standard:
    """The standard of a request, once the user may ask (role, region) for this customer and this grade."""
    user = workspace.authorize(con, "request")
    _check_customer(con, customer_id, user)
    standard = _standard(con, workspace, standard_id)
    if grade not in standard.grades:
        raise WorkspaceError(f"'{grade}' is not a grade of '{standard_id}' ({', '.join(standard.grades)}).")
    return standard


def request_override(
    workspace: Workspace,
    standard_id: str,
    customer_id: str,
    grade: str,
    why: str,
    until: dt.date,
    on: dt.date | None = None,
) -> int:
    """Ask for a special approval (特批): ``grade`` for the customer until ``until``. Returns the request number."""
    on = on or dt.date.today()
    if not why.strip():
        raise WorkspaceError("An override needs a reason (--reason).")
    with workspace.writing() as con:
        standard = _requestable(con, workspace, standard_id, customer_id, grade)
        rules = standard.lifecycle.overrides if standard.lifecycle else None
        now = _current(con, standard_id, customer_id).get(customer_id)
        if now is not None and now[1].state != "cancelled" and now[1].grade == grade:
            raise Refused("refuse.override_same_grade", customer=customer_id, standard=standard_id, grade=grade)
        if until <= on:
            raise WorkspaceError(f"The override must end after today ({on}). Got {until} instead.")
        if rules is not None and rules.max_duration is not None and (until - on).days > rules.max_duration.approx_days:
            raise WorkspaceError(
                f"An override of '{standard_id}' lasts at most {rules.max_duration}. Got until {until} instead."
            )
        return _insert_request(con, workspace, "override", standard_id, customer_id, grade, why, until)


def apply_upgrade(workspace: Workspace, standard_id: str, customer_id: str, grade: str, why: str) -> int:
    """Apply for an upgrade (升级申请) of the customer to ``grade``, above its current grade. Returns the request number.

    A different user with the approving role approves or rejects it; an approved upgrade
    holds until the next publication decides again.
    """
    if not why.strip():
        raise WorkspaceError("An upgrade application needs a reason.")
    with workspace.writing() as con:
        standard = _requestable(con, workspace, standard_id, customer_id, grade)
        now = _current(con, standard_id, customer_id).get(customer_id)
        current = now[1].grade if now is not None else None
        if current in standard.grades and standard.grades.index(grade) >= standard.grades.index(current):
            raise WorkspaceError(
                f"An upgrade of customer '{customer_id}' must be to a grade above its current grade {current} "
                f"of '{standard_id}'. Got {grade} instead."
            )
        pending = _one(
            con.execute(
                "SELECT count(*) FROM requests WHERE kind = 'upgrade' AND status = 'pending' AND standard_id = ? "
                "AND customer_id = ?",
                [standard_id, customer_id],
            )
        )
        if pending:
            raise WorkspaceError(
                f"Customer '{customer_id}' already has a pending upgrade application for '{standard_id}'; "
                f"wait for its decision."
            )
        return _insert_request(con, workspace, "upgrade", standard_id, customer_id, grade, why, None)


def decide_request(
    workspace: Workspace,
    request_id: int,
    *,
    approve: bool,
    why: str | None = None,
    on: dt.date | None = None,
    override_evaluation: bool = False,
    until: dt.date | None = None,
) -> None:
    """Approve or reject an override or upgrade application; an approval takes effect ``on`` (default today).

    An upgrade to a grade the customer already holds is refused. An upgrade above what the
    customer's latest published evaluation supports is refused unless the approver says they
    override the evaluation (``override_evaluation``); it is then recorded as a 特批 (an
    override until ``until``, by default the standard's longest override or a year), not as
    an upgrade.
    """
    on = on or dt.date.today()
    with workspace.writing() as con:
        row = con.execute(
            "SELECT kind, standard_id, customer_id, grade, until, requested_by, status FROM requests WHERE id = ?",
            [request_id],
        ).fetchone()
        if row is None:
            raise NotFound.said("error.no_request", id=request_id)
        kind, standard_id, customer, grade, until, requested_by, status = row
        decider = workspace.authorize(con, "approve")
        try:  # a request about a customer outside the decider's regions is answered like a missing request
            _check_customer(con, customer, decider)
        except NotFound:
            raise NotFound.said("error.no_request", id=request_id) from None
        if status != "pending":  # only said to whoever may see the request: its state is not for other regions
            raise Refused("error.request_decided", id=request_id, status=Phrase(f"status.{status}"))
        standard = _standard(con, workspace, standard_id)
        needs_other = not (
            standard.lifecycle and standard.lifecycle.overrides and standard.lifecycle.overrides.approval == "none"
        )
        if needs_other and requested_by.lower() == decider.name.lower():
            raise AccessDenied(
                f"Request {request_id} was made by {requested_by}; a different user with the role manager or "
                f"admin must approve or reject it."
            )
        if approve and kind == "upgrade":
            kind, until = checked_upgrade(
                con, request_id, standard, standard_id, customer, grade, on, override_evaluation, until
            )
        verdict = "approved" if approve else "rejected"
        con.execute(
            "UPDATE requests SET status = ?, decided_by = ?, decided_at = ?, decision_why = ? WHERE id = ?",
            [verdict, workspace.user(), dt.datetime.now(), why, request_id],
        )
        workspace.audit(
            con,
            f"{kind}-{verdict}",
            standard_id,
            {"request": request_id, "grade": grade},
            why=why,
            customer_id=customer,
        )
        if not approve:
            return
        now = _current(con, standard_id, customer).get(customer)
        if kind == "override":
            decision = Decision(grade, "override", 0, f"特批 #{request_id}：{grade}，有效至 {until}")
            _change(con, standard_id, customer, now, decision, on, None, _evaluated(con, standard_id, customer), until)
        else:
            decision = Decision(grade, "confirmed", 0, f"升级申请 #{request_id} 获批：{grade}")
            _change(con, standard_id, customer, now, decision, on, None, None)


_evaluated = evaluated_grade  # the customer's grade in the latest published evaluation


def requests(workspace: Workspace, status: str | None = None, lang: str | None = None) -> list[dict[str, Any]]:
    """Override requests and upgrade applications, newest last, each with the evaluation beside it.

    Besides the request's own columns: ``current_grade`` (the grade in force),
    ``evaluated_grade``, ``evaluated_reason``, ``evaluated_next`` and ``evaluated_gap`` (the
    customer's row in the latest published evaluation) and ``evaluated_run``. ``lang``: the
    language the reasons are rendered in from the runs' stored decisions (None: as stored).
    """
    query = (
        "SELECT t.id, t.kind, t.standard_id, t.customer_id, t.grade, t.until, t.why, t.requested_by, t.requested_at, "
        f"t.status, t.decided_by, t.decision_why, {BESIDE_COLUMNS} FROM requests t {BESIDE_JOIN}"
    )
    params: list[Any] = []
    if status is not None:
        query += " WHERE t.status = ?"
        params.append(status)
    found = workspace.records(query + " ORDER BY t.id", params)
    if lang is None:
        return found
    with workspace.reading() as con:
        return evidence_in(con, found, lang)


def cancel(workspace: Workspace, standard_id: str, customer_id: str, why: str, on: dt.date | None = None) -> None:
    """Cancel the customer's grade (取消资格) until it is reinstated."""
    on = on or dt.date.today()
    if not why.strip():
        raise WorkspaceError("A cancellation needs a reason (--reason).")
    with workspace.writing() as con:
        user = workspace.authorize(con, "cancel")
        _check_customer(con, customer_id, user)
        now = _current(con, standard_id, customer_id).get(customer_id)
        if now is None:
            raise WorkspaceError(f"Customer '{customer_id}' has no published grade of '{standard_id}' to cancel.")
        if now[1].state == "cancelled":
            raise WorkspaceError(f"Customer '{customer_id}' is already cancelled for '{standard_id}'.")
        _change(con, standard_id, customer_id, now, Decision(None, "cancelled", 0, f"取消资格：{why}"), on, None, None)
        workspace.audit(con, "cancel", standard_id, {"grade": now[1].grade}, why=why, customer_id=customer_id)


def reinstate(workspace: Workspace, standard_id: str, customer_id: str, why: str, on: dt.date | None = None) -> None:
    """Give a cancelled customer back the grade of the latest published evaluation."""
    on = on or dt.date.today()
    with workspace.writing() as con:
        user = workspace.authorize(con, "cancel")
        _check_customer(con, customer_id, user)
        now = _current(con, standard_id, customer_id).get(customer_id)
        if now is None or now[1].state != "cancelled":
            raise WorkspaceError(f"Customer '{customer_id}' is not cancelled for '{standard_id}'.")
        row = con.execute(
            "SELECT r.grade FROM run_rows r JOIN publications p ON p.run_id = r.run_id WHERE p.standard_id = ? "
            "AND r.customer_id = ? ORDER BY p.as_of DESC LIMIT 1",
            [standard_id, customer_id],
        ).fetchone()
        if row is None:
            raise WorkspaceError(f"No published evaluation of '{standard_id}' has customer '{customer_id}'.")
        _change(
            con,
            standard_id,
            customer_id,
            now,
            Decision(row[0], "confirmed", 0, f"恢复资格：{why}，按最近评估 {row[0]}"),
            on,
            None,
            row[0],
        )
        workspace.audit(con, "reinstate", standard_id, {"grade": row[0]}, why=why, customer_id=customer_id)
