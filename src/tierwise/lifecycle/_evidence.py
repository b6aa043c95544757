"""Requests decided with the evaluation beside them (issue 24, item 4).

An upgrade application or 特批 is listed with the customer's grade in force and the latest
published evaluation (grade, reason, next grade, gap); an approval above what that
evaluation supports needs the approver to override it and is recorded as a 特批; a pending
application that a later evaluation contradicts is closed, with the reason, when that
evaluation is published.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tierwise._messages import message
from tierwise.spec import Standard
from tierwise.workspace import Refused, Workspace, WorkspaceError, reasons_in

__all__ = [
    "BESIDE_COLUMNS",
    "BESIDE_JOIN",
    "checked_upgrade",
    "close_contradicted",
    "evaluated_grade",
    "evidence_in",
]

# Beside each request (aliased t): the customer's grade in force and the latest published evaluation of the
# standard (grade, reason, next grade and gap), so a request is decided with the evaluation in view
BESIDE_COLUMNS = (
    "cur.grade AS current_grade, ev.grade AS evaluated_grade, ev.reason AS evaluated_reason, "
    "ev.next_grade AS evaluated_next, ev.gap_to_next AS evaluated_gap, ev.run_id AS evaluated_run"
)
BESIDE_JOIN = (
    "LEFT JOIN grades cur ON cur.standard_id = t.standard_id AND cur.customer_id = t.customer_id "
    "AND cur.valid_to IS NULL "
    "LEFT JOIN (SELECT p.standard_id, r.customer_id, r.run_id, r.grade, r.reason, r.next_grade, r.gap_to_next "
    "FROM run_rows r JOIN publications p ON p.run_id = r.run_id "
    "WHERE r.customer_id IN (SELECT customer_id FROM requests) "
    "QUALIFY row_number() OVER (PARTITION BY p.standard_id, r.customer_id ORDER BY p.as_of DESC) = 1) ev "
    "ON ev.standard_id = t.standard_id AND ev.customer_id = t.customer_id"
)


def evidence_in(con: Any, rows: list[dict[str, Any]], lang: str | None) -> list[dict[str, Any]]:
    """``rows`` (with :data:`BESIDE_COLUMNS`) with each evaluation's reason in ``lang`` (None: as the run wrote it)."""
    for run in {r["evaluated_run"] for r in rows if r.get("evaluated_run") is not None}:
        reasons_in(con, run, [r for r in rows if r["evaluated_run"] == run], lang, key="evaluated_reason")
    return rows


def evaluated_grade(con: Any, standard_id: str, customer_id: str) -> str | None:
    """The customer's grade in the latest published evaluation of the standard."""
    rows = con.execute(
        "SELECT r.grade FROM run_rows r JOIN publications p ON p.run_id = r.run_id WHERE p.standard_id = ? "
        "AND r.customer_id = ? ORDER BY p.as_of DESC LIMIT 1",
        [standard_id, customer_id],
    ).fetchall()
    return str(rows[0][0]) if rows and rows[0][0] is not None else None


def checked_upgrade(
    con: Any,
    request_id: int,
    standard: Standard,
    standard_id: str,
    customer: str,
    grade: str,
    on: dt.date,
    override_evaluation: bool,
    until: dt.date | None,
) -> tuple[str, dt.date | None]:
    """The kind an approved upgrade application is recorded as (upgrade, or override when the approver overrides
    the evaluation), and the override's last day; refused for a grade already held or above the evaluation."""
    ranks = standard.grades
    now = con.execute(
        "SELECT grade, state FROM grades WHERE standard_id = ? AND customer_id = ? AND valid_to IS NULL",
        [standard_id, customer],
    ).fetchone()
    held = now[0] if now is not None and now[1] != "cancelled" else None
    if held in ranks and ranks.index(grade) >= ranks.index(held):
        raise Refused("refuse.upgrade_already_held", request=request_id, customer=customer, grade=grade, held=held)
    evaluated = evaluated_grade(con, standard_id, customer)
    if evaluated not in ranks or ranks.index(grade) >= ranks.index(evaluated):
        return "upgrade", None
    if not override_evaluation:
        raise Refused(
            "refuse.upgrade_above_evaluation", request=request_id, customer=customer, grade=grade, evaluated=evaluated
        )
    rules = standard.lifecycle.overrides if standard.lifecycle else None
    longest = rules.max_duration.approx_days if rules is not None and rules.max_duration is not None else 365
    last = until or on + dt.timedelta(days=int(longest))
    if last <= on:
        raise WorkspaceError(f"The override must end after today ({on}). Got {last} instead.")
    con.execute("UPDATE requests SET kind = 'override', until = ? WHERE id = ?", [last, request_id])
    return "override", last


def close_contradicted(con: Any, workspace: Workspace, standard: Standard, run_id: int, standard_id: str) -> int:
    """Close the pending upgrade applications the run's evaluation contradicts (it grades the customer below the
    requested grade); each closing is audited with the reason. Returns how many."""
    rows = con.execute(
        "SELECT q.id, q.customer_id, q.grade, r.grade FROM requests q JOIN run_rows r ON r.customer_id = q.customer_id "
        "AND r.run_id = ? JOIN _tw_ranks rq ON rq.grade = q.grade JOIN _tw_ranks re ON re.grade = r.grade "
        "WHERE q.kind = 'upgrade' AND q.status = 'pending' AND q.standard_id = ? AND re.rank > rq.rank "
        'AND q.requested_at <= (SELECT "at" FROM runs WHERE id = ?) ORDER BY q.id',
        [run_id, standard_id, run_id],
    ).fetchall()
    for request_id, customer, grade, evaluated in rows:
        why = message("reason.contradicted", "zh", run=run_id, evaluated=evaluated, grade=grade)
        con.execute(
            "UPDATE requests SET status = 'closed', decided_by = ?, decided_at = ?, decision_why = ? WHERE id = ?",
            [workspace.user(), dt.datetime.now(), why, request_id],
        )
        workspace.audit(
            con,
            "upgrade-closed",
            standard_id,
            {"request": request_id, "grade": grade, "evaluated": evaluated, "run": run_id},
            why=why,
            customer_id=customer,
        )
    return len(rows)
