"""Publishing runs as the current grades, and the history they leave (requests: ``_requests``).

Published grades are intervals ``[valid_from, valid_to)`` per standard and customer; a
change closes the current interval and opens a new one, so every grade a customer ever
had stays, with why. Overrides (特批) and upgrade applications are requests that another
user approves or rejects. Every step is audited and is one transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from tierwise.lifecycle._bulk import decide_all, prepare
from tierwise.lifecycle._cadence import is_scheduled
from tierwise.lifecycle._decide import Current, Decision
from tierwise.lifecycle._evidence import (
    close_contradicted,
)
from tierwise.lifecycle._impact import Impact, impact_of, outcome_ids
from tierwise.spec import Standard, load_standard, loads_standard
from tierwise.workspace import (
    Movement,
    Phrase,
    Refused,
    User,
    Workspace,
    WorkspaceError,
    data_columns,
    deciding_indicator,
    evaluate_in,
    get_run,
    in_force,
    last_change,
    movement,
    past_date,
    rule_diff,
    scope_sql,
    with_status,
)

__all__ = [
    "PublishResult",
    "RuleChange",
    "grades_on",
    "history",
    "publish",
    "publish_impact",
    "publish_outcome",
    "rule_change",
    "simulate",
]


@dataclass
class PublishResult:
    """What a publication changed."""

    run_id: int
    standard_id: str
    as_of: dt.date
    states: dict[str, int] = field(default_factory=dict)
    changed: int = 0
    applications: int = 0
    expired_overrides: int = 0
    forms_reviewed: int = 0
    impact: Impact | None = None  # what it changed, as shown before it was published
    closed_applications: int = 0
    kind: str = "evaluation"  # a scheduled evaluation (by lifecycle.cadence), or a review


def _one(cursor: Any) -> Any:
    """The first value of the first row (queries here always return one)."""
    row = cursor.fetchone()
    if row is None:  # pragma: no cover - aggregates and RETURNING always give a row
        raise WorkspaceError("The workspace returned no row where one was expected.")
    return row[0]


def _standard(con: Any, workspace: Workspace, standard_id: str) -> Standard:
    """The standard in force (its latest publication or adoption, else its file): never a run's text."""
    found = in_force(con, workspace.standards, standard_id)
    if found is None:
        raise Refused("standard.none_in_force", standard=standard_id)
    return found.standard


@functools.lru_cache(maxsize=64)
def _parsed(text: str, standard_id: str) -> Standard:
    """A stored standard's text as the model (frozen, so one parse serves every page that shows it)."""
    return loads_standard(text, file=f"<run of {standard_id}>")


def _current(con: Any, standard_id: str, customer_id: str | None = None) -> dict[str, tuple[int, Current]]:
    query = "SELECT id, customer_id, grade, state, hold_count FROM grades WHERE standard_id = ? AND valid_to IS NULL"
    params: list[Any] = [standard_id]
    if customer_id is not None:
        query += " AND customer_id = ?"
        params.append(customer_id)
    return {r[1]: (int(r[0]), Current(r[2], r[3], int(r[4]))) for r in con.execute(query, params).fetchall()}


def _change(
    con: Any,
    standard_id: str,
    customer_id: str,
    current: tuple[int, Current] | None,
    decision: Decision,
    on: dt.date,
    run_id: int | None,
    evaluated: str | None,
    until: dt.date | None = None,
) -> None:
    if current is not None:
        since = _one(con.execute("SELECT valid_from FROM grades WHERE id = ?", [current[0]]))
        if on < since:  # time moves one way: a decision cannot take effect before the grade it replaces
            raise Refused("refuse.backdated_decision", customer=customer_id, standard=standard_id, since=since, on=on)
        con.execute("UPDATE grades SET valid_to = ? WHERE id = ?", [on, current[0]])
    con.execute(
        "INSERT INTO grades (standard_id, customer_id, grade, evaluated, state, hold_count, valid_from, run_id, why, "
        "until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            standard_id,
            customer_id,
            decision.grade,
            evaluated,
            decision.state,
            decision.hold_count,
            on,
            run_id,
            decision.why,
            until,
        ],
    )


@dataclass(frozen=True)
class RuleChange:
    """How a run's rules differ from the standard in force: a draft run needs a manager's confirmation."""

    run_id: int
    standard_id: str
    draft: bool  # started from a draft (or of other rules than those in force when it ran)
    changed: bool  # its rules differ from the standard in force now
    source: str  # where the standard in force comes from: publication, adoption, file, or none
    diff: str  # the unified diff, in force -> the run (empty when the same)

    @property
    def needs_confirmation(self) -> bool:
        return self.draft or self.changed


def _rule_change(con: Any, workspace: Workspace, run: Any, text: str) -> RuleChange:
    force = in_force(con, workspace.standards, run.standard_id)
    changed = force is not None and force.hash != run.standard_hash
    diff = rule_diff(force.standard.text if force else "", text, run.standard_id) if changed or run.draft else ""
    return RuleChange(run.id, run.standard_id, run.draft, changed, force.source if force else "none", diff)


def rule_change(workspace: Workspace, run_id: int) -> RuleChange:
    """How run ``run_id``'s rules differ from the standard in force (shown before a draft run is published)."""
    run = get_run(workspace, run_id)
    with workspace.reading() as con:
        text = _one(con.execute("SELECT standard_text FROM runs WHERE id = ?", [run_id]))
        return _rule_change(con, workspace, run, text)


_IMPACTS: dict[tuple[Any, ...], Impact] = {}  # (workspace, run, last change, regions) -> impact; a few kept
_IMPACTS_LOCK = threading.Lock()


def publish_impact(workspace: Workspace, run_id: int, user: User | None = None) -> Impact:
    """What publishing run ``run_id`` would do now (in ``user``'s regions when given); nothing is written.

    Kept until the workspace changes (every change is audited), so a review page shows it at once.
    """
    run = get_run(workspace, run_id)
    with workspace.reading() as con:
        key = (str(workspace.root), run_id, last_change(con), tuple(user.regions) if user is not None else None)
        with _IMPACTS_LOCK:
            if key in _IMPACTS:
                return _IMPACTS[key]
        standard = _run_standard(con, workspace, run_id)
        decide_run(con, standard, run_id, run.standard_id, run.as_of, run.review)
        found = impact_of(con, standard, run_id, run.standard_id, run.review, user)
    with _IMPACTS_LOCK:
        while len(_IMPACTS) >= 8:
            _IMPACTS.pop(next(iter(_IMPACTS)))
        _IMPACTS[key] = found
    return found


def publish_outcome(workspace: Workspace, run_id: int, outcome: str, user: User | None = None) -> list[str]:
    """The customers (in ``user``'s regions) whose outcome publishing run ``run_id`` would be ``outcome``."""
    run = get_run(workspace, run_id)
    with workspace.reading() as con:
        standard = _run_standard(con, workspace, run_id)
        decide_run(con, standard, run_id, run.standard_id, run.as_of, run.review)
        return outcome_ids(con, standard, run_id, outcome, user)


def _run_standard(con: Any, workspace: Workspace, run_id: int) -> Standard:
    text = _one(con.execute("SELECT standard_text FROM runs WHERE id = ?", [run_id]))
    return _parsed_in(text, str(workspace.standards), run_id)


@functools.lru_cache(maxsize=16)
def _parsed_in(text: str, folder: str, run_id: int) -> Standard:
    return loads_standard(text, file=f"<run {run_id}>", folder=folder)


def publish(workspace: Workspace, run_id: int, *, accept_rules: bool = False) -> PublishResult:
    """Make a run the current grades of its standard, applying the standard's lifecycle.

    Refused for a run already published or stale (its inputs changed since, or a publication
    of its standard came after it: see :func:`~tierwise.workspace.with_status`). A draft
    run (see :class:`RuleChange`) is published only with ``accept_rules``: the manager has
    read its rule diff, which the audit record keeps; its rules are then the standard in force.
    """
    run = get_run(workspace, run_id)
    with workspace.writing() as con:
        workspace.authorize(con, "publish")
        text = _one(con.execute("SELECT standard_text FROM runs WHERE id = ?", [run_id]))
        standard = _parsed_in(text, str(workspace.standards), run_id)
        if _one(con.execute("SELECT count(*) FROM publications WHERE run_id = ?", [run_id])):
            raise WorkspaceError(f"Run {run_id} is already published; publish a newer run instead.")
        run = with_status(con, [run])[0]  # inside the transaction: nothing changes it before the commit
        if run.stale:
            raise Refused("publish.stale", run=run_id, standard=run.standard_id, why=list(run.stale))
        rules = _rule_change(con, workspace, run, text)
        if rules.needs_confirmation and not accept_rules:
            raise Refused(
                "publish.rules_unconfirmed",
                run=run_id,
                standard=run.standard_id,
                source=Phrase(f"source.{rules.source}"),
                why=Phrase("publish.rules_differ" if rules.changed else "publish.rules_from_draft"),
            )
        _check_not_backdated(con, run_id, run.standard_id, run.as_of)
        result = PublishResult(run_id, run.standard_id, run.as_of)
        expired = con.execute(
            "UPDATE requests SET status = 'expired' WHERE kind = 'override' AND status = 'approved' AND standard_id = ? "
            "AND until < ? RETURNING id, customer_id",
            [run.standard_id, run.as_of],
        ).fetchall()
        for request_id, customer in expired:
            workspace.audit(con, "override-expired", run.standard_id, {"request": request_id}, customer_id=customer)
        result.expired_overrides = len(expired)
        result.kind = "evaluation" if is_scheduled(con, standard, run.standard_id, run.as_of, run.review) else "review"
        _publish_all(con, workspace, standard, run_id, run.standard_id, run.as_of, result, run.review)
        reviewed = con.execute(  # the forms (初评) submitted before the run, of the customers it graded
            "UPDATE forms SET status = 'reviewed', reviewed_run = ?, reviewed_at = ? WHERE standard_id = ? "
            "AND status = 'submitted' AND submitted_at <= (SELECT \"at\" FROM runs WHERE id = ?) "
            "AND customer_id IN (SELECT customer_id FROM run_rows WHERE run_id = ?) RETURNING id",
            [run_id, dt.datetime.now(), run.standard_id, run_id, run_id],
        ).fetchall()
        result.forms_reviewed = len(reviewed)
        con.execute(
            "INSERT INTO publications VALUES (?, ?, ?, ?, ?)",
            [run_id, run.standard_id, run.as_of, dt.datetime.now(), workspace.user()],
        )
        workspace.audit(
            con,
            "publish",
            run.standard_id,
            {
                "run": run_id,
                "as_of": run.as_of.isoformat(),
                "review": run.review,
                "kind": result.kind,
                "states": result.states,
                "changed": result.changed,
                "applications": result.applications,
                "forms_reviewed": result.forms_reviewed,
                "impact": result.impact.summary() if result.impact is not None else None,
                **({"rules": {"draft": rules.draft, "diff": rules.diff}} if rules.needs_confirmation else {}),
                "closed_applications": result.closed_applications,
            },
        )
    return result


def _check_not_backdated(con: Any, run_id: int, standard_id: str, as_of: dt.date) -> None:
    """A publication's as-of cannot fall before a grade change already in force (approvals, overrides, reviews)."""
    row = con.execute(
        "SELECT greatest(valid_from, coalesce(valid_to, valid_from)) AS day, customer_id, why FROM grades "
        "WHERE standard_id = ? ORDER BY day DESC, id DESC LIMIT 1",
        [standard_id],
    ).fetchone()
    if row is not None and row[0] > as_of:
        raise Refused(
            "refuse.backdated_publication",
            run=run_id,
            as_of=as_of,
            standard=standard_id,
            day=row[0],
            customer=row[1],
            why=row[2],
        )


_CHANGED = (
    "current_id IS NULL OR cur_grade IS DISTINCT FROM grade OR cur_state IS DISTINCT FROM state "
    "OR cur_hold IS DISTINCT FROM hold_count"
)


def _publish_all(
    con: Any,
    workspace: Workspace,
    standard: Standard,
    run_id: int,
    standard_id: str,
    as_of: dt.date,
    result: PublishResult,
    review: bool = False,
) -> None:
    """Decide every customer's grade in one statement and close and open grade intervals in bulk."""
    decide_run(con, standard, run_id, standard_id, as_of, review)
    result.impact = impact_of(con, standard, run_id, standard_id, review)
    _write_all(con, workspace, standard, run_id, standard_id, as_of, result, review)


def decide_run(con: Any, standard: Standard, run_id: int, standard_id: str, as_of: dt.date, review: bool) -> None:
    """Fill ``_tw_decided``: what publishing run ``run_id`` gives every customer (temporary tables only).

    A read-only connection can do this too: the impact of a publication is shown before it is made.
    Holds and steps count only when the publication is the period's scheduled evaluation.
    """
    prepare(con, standard.grades)
    con.execute("INSERT INTO _tw_eval SELECT customer_id, grade FROM run_rows WHERE run_id = ?", [run_id])
    con.execute(
        "INSERT INTO _tw_cur SELECT customer_id, id, grade, state, hold_count FROM grades "
        "WHERE standard_id = ? AND valid_to IS NULL",
        [standard_id],
    )
    con.execute(
        "INSERT INTO _tw_ovr SELECT customer_id, id, grade, until FROM requests "
        "WHERE kind = 'override' AND status = 'approved' AND standard_id = ?",
        [standard_id],
    )
    if _has_created_at(con):
        con.execute(
            "INSERT INTO _tw_ten SELECT CAST(customer_id AS VARCHAR), date_diff('day', CAST(created_at AS DATE), ?) "
            "FROM data.customers WHERE created_at IS NOT NULL",
            [as_of],
        )
    scheduled = is_scheduled(con, standard, standard_id, as_of, review)
    decide_all(con, standard.lifecycle, standard.grades, as_of, scheduled=scheduled)
    con.execute(  # the review meeting's changes (复评) come last, except for a cancelled customer
        "UPDATE _tw_decided SET grade = ch.grade, state = 'reviewed', hold_count = 0, upgrade_to = NULL, "
        "why = '复评调整为 ' || ch.grade || '：' || ch.why FROM review_changes ch "
        "WHERE ch.run_id = ? AND ch.customer_id = _tw_decided.customer_id AND _tw_decided.state <> 'cancelled'",
        [run_id],
    )


def _write_all(
    con: Any,
    workspace: Workspace,
    standard: Standard,
    run_id: int,
    standard_id: str,
    as_of: dt.date,
    result: PublishResult,
    review: bool,
) -> None:
    """Close and open grade intervals in bulk from ``_tw_decided``, and open the upgrade applications."""
    result.states = dict(
        con.execute("SELECT state, count(*) FROM _tw_decided GROUP BY state ORDER BY state").fetchall()
    )
    result.changed = int(_one(con.execute(f"SELECT count(*) FROM _tw_decided WHERE {_CHANGED}")))
    result.closed_applications = close_contradicted(con, workspace, standard, run_id, standard_id)
    if not review:  # customers that left the population: their grade ends (a review leaves the others alone)
        con.execute(
            "UPDATE grades SET valid_to = ? WHERE standard_id = ? AND valid_to IS NULL "
            "AND customer_id NOT IN (SELECT customer_id FROM _tw_eval)",
            [as_of, standard_id],
        )
    con.execute(
        f"UPDATE grades SET valid_to = ? WHERE id IN (SELECT current_id FROM _tw_decided WHERE {_CHANGED})", [as_of]
    )
    con.execute(
        "INSERT INTO grades (standard_id, customer_id, grade, evaluated, state, hold_count, valid_from, run_id, why) "
        f"SELECT ?, customer_id, grade, evaluated, state, hold_count, ?, ?, why FROM _tw_decided WHERE {_CHANGED} "
        "ORDER BY customer_id",
        [standard_id, as_of, run_id],
    )
    applied = con.execute(
        "INSERT INTO requests (kind, standard_id, customer_id, grade, why, requested_by, requested_at, status) "
        "SELECT 'upgrade', ?, customer_id, upgrade_to, 'run ' || ? || ' evaluated ' || upgrade_to, ?, ?, 'pending' "
        "FROM _tw_decided WHERE upgrade_to IS NOT NULL AND customer_id NOT IN (SELECT customer_id FROM requests "
        "WHERE kind = 'upgrade' AND status = 'pending' AND standard_id = ?) ORDER BY customer_id RETURNING id",
        [standard_id, run_id, workspace.user(), dt.datetime.now(), standard_id],
    ).fetchall()
    result.applications = len(applied)


def _has_created_at(con: Any) -> bool:
    return "created_at" in data_columns(con, "customers")


def _after_override(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """History rows with every override ending on its last day, then the evaluated grade until the next change."""
    out: list[dict[str, Any]] = []
    for row in rows:
        until = row.pop("until", None)
        end = until + dt.timedelta(days=1) if until is not None else None
        if row["state"] != "override" or end is None or (row["valid_to"] is not None and row["valid_to"] <= end):
            out.append(row)
            continue
        out.append({**row, "valid_to": end})
        out.append(
            {
                **row,
                "grade": row["evaluated"],
                "state": "confirmed",
                "valid_from": end,
                "run_id": None,
                "why": f"特批于 {until} 到期，恢复评估等级 {row['evaluated']}",
            }
        )
    return out


def history(workspace: Workspace, customer_id: str, standard_id: str | None = None) -> list[dict[str, Any]]:
    """Every grade the customer had, from when to when, and why."""
    query = (
        "SELECT standard_id, grade, state, valid_from, valid_to, evaluated, run_id, why, until FROM grades "
        "WHERE customer_id = ?"
    )
    params: list[Any] = [customer_id]
    if standard_id is not None:
        query += " AND standard_id = ?"
        params.append(standard_id)
    return _after_override(workspace.records(query + " ORDER BY standard_id, valid_from, id", params))


# Everyone's published grade on a day; an override ends on its last day, after which the evaluated grade holds
_ON_DAY = (
    "SELECT customer_id, CASE WHEN state = 'override' AND until < ? THEN evaluated ELSE grade END AS grade, "
    "CASE WHEN state = 'override' AND until < ? THEN 'confirmed' ELSE state END AS state, evaluated, "
    "CASE WHEN state = 'override' AND until < ? THEN NULL ELSE until END AS until, valid_from, run_id, why "
    "FROM grades WHERE standard_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)"
)


def grades_on_sql(standard_id: str, day: dt.date) -> tuple[str, list[Any]]:
    """The query of everyone's published grade of a standard on ``day``, and its parameters.

    Columns: customer_id, grade, state, evaluated, until, valid_from, run_id, why. The one
    definition of "the grade on a day" for :func:`grades_on`, simulations and reports.
    """
    return _ON_DAY, [day, day, day, standard_id, day, day]


def grades_on(workspace: Workspace, standard_id: str, day: dt.date) -> dict[str, tuple[str | None, str]]:
    """Everyone's published grade of a standard on a past (or the current) date."""
    with workspace.reading() as con:
        query, params = grades_on_sql(standard_id, day)
        rows = con.execute(f"SELECT customer_id, grade, state FROM ({query}) ORDER BY customer_id", params).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def simulate(
    workspace: Workspace,
    draft: str | Path | Standard,
    as_of: dt.date | str | None = None,
    *,
    user: User | None = None,
) -> Movement:
    """Evaluate a draft standard (a file or a loaded standard) on the workspace's data against the published grades.

    Nothing is stored. ``as_of`` defaults to the date of the latest publication of the
    draft's id (or today when it was never published). With ``user``, only the customers
    of their regions are counted.
    """
    standard = draft if isinstance(draft, Standard) else load_standard(draft)
    with workspace.reading() as con:
        latest = _one(con.execute("SELECT max(as_of) FROM publications WHERE standard_id = ?", [standard.id]))
    day = past_date(as_of, "A simulation") if as_of is not None else latest or dt.date.today()
    result = evaluate_in(workspace, standard, day)
    value = deciding_indicator(standard)
    table = result.to_arrow()
    draft_table = pa.table(
        {
            "customer_id": table.column("customer_id"),
            "grade": table.column("grade"),
            "amount": table.column(value).cast(pa.float64()) if value else pa.nulls(table.num_rows, pa.float64()),
        }
    )
    with workspace.reading() as con:  # every customer on either side, counted in one pass
        con.register("_tw_draft", draft_table)
        query, params = grades_on_sql(standard.id, day)
        columns = data_columns(con, "customers")
        region = "CAST(c.region AS VARCHAR)" if "region" in columns else "NULL"
        customers = "LEFT JOIN data.customers c ON CAST(c.customer_id AS VARCHAR) = m.customer_id" if columns else ""
        scope, scope_params = scope_sql(user, region)
        pairs = con.execute(
            "SELECT m.before, m.after, count(*), sum(m.amount) FROM (SELECT customer_id, p.grade AS before, "
            f"d.grade AS after, d.amount FROM ({query}) p FULL OUTER JOIN _tw_draft d USING (customer_id)) m "
            f"{customers} WHERE {scope} GROUP BY ALL",
            [*params, *scope_params],
        ).fetchall()
        con.unregister("_tw_draft")
    return movement(
        f"published {standard.id} on {day}",
        f"draft {standard.id}" if isinstance(draft, Standard) else f"draft {Path(draft).name}",
        pairs,
        standard.grades,
        value,
    )
