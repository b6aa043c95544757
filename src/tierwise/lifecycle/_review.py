"""The review meeting (复评): a stored run's proposed grades next to the published ones, and the changes it makes.

The meeting reads every proposal of a run that is not yet published, filtered by how the
customer moves (up, down, held, new, provisional, changed); a change sets one customer's
grade in that run with a reason (table ``review_changes``) and is audited. Publishing the
run applies the lifecycle to every customer and then the meeting's changes, with state
``reviewed`` and the reason, so the history shows who decided what and why.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from tierwise.lifecycle._impact import OUTCOMES, outcome_ids
from tierwise.lifecycle._publish import _parsed, decide_run
from tierwise.lifecycle._requests import _check_customer
from tierwise.spec import Standard
from tierwise.workspace import (
    NotFound,
    Refused,
    RunInfo,
    User,
    Workspace,
    WorkspaceError,
    data_columns,
    last_change,
    list_runs,
    reasons_in,
    run_on,
    scope_sql,
)
from tierwise.workspace._users import scoped

__all__ = ["MOVES", "ReviewPage", "change_grade", "review_page", "stale_runs", "undo_change", "unpublished_runs"]

# how a customer moves between the published grade and the run's; "all" shows everyone
MOVES = ("all", "up", "down", "held", "new", "provisional", "changed")


@dataclass(frozen=True)
class ReviewPage:
    """A page of a run's proposals for one user, and how many customers move each way (in the user's scope)."""

    run_id: int
    standard: Standard
    as_of: dt.date
    published: bool
    rows: list[dict[str, Any]]
    total: int
    counts: dict[str, int]


def _run(con: Any, run_id: int) -> tuple[Standard, dt.date, bool]:
    row = con.execute(
        "SELECT r.standard_id, r.standard_text, r.as_of, p.run_id IS NOT NULL FROM runs r "
        "LEFT JOIN publications p ON p.run_id = r.id WHERE r.id = ?",
        [run_id],
    ).fetchone()
    if row is None:
        raise NotFound(f"There is no run {run_id} in this workspace; the review page lists the runs to review.")
    return _parsed(row[1], row[0]), row[2], bool(row[3])


def _proposals(con: Any, standard: Standard, run_id: int, as_of: dt.date, user: User | None) -> tuple[str, list[Any]]:
    """Each customer of the run in the user's scope: published grade, proposed grade, the change, and the move."""
    columns = data_columns(con, "customers")
    name = "CAST(c.name AS VARCHAR)" if "name" in columns else "NULL"
    region = "CAST(c.region AS VARCHAR)" if "region" in columns else "NULL"
    provisional = standard.lifecycle.provisional if standard.lifecycle is not None else None
    days = math.ceil(provisional.tenure_below.approx_days) if provisional is not None else None
    young = "date_diff('day', CAST(c.created_at AS DATE), ?) < ?" if days and "created_at" in columns else "FALSE"
    customers = "LEFT JOIN data.customers c ON CAST(c.customer_id AS VARCHAR) = rr.customer_id" if columns else ""
    if not columns:
        name = region = "NULL"
        young = "FALSE"
    scope, scope_params = scope_sql(user, region)
    ranks = "(SELECT * FROM (VALUES " + ", ".join("(?, ?)" for _ in standard.grades) + ") v(grade, rank))"
    rank_params: list[Any] = [x for i, g in enumerate(standard.grades) for x in (g, i)]
    query = (
        "SELECT rr.customer_id, "
        f"{name} AS name, {region} AS region, g.grade AS published, g.state AS published_state, "
        "rr.grade AS proposed, rr.reason, rr.next_grade, rr.gap_to_next, ch.grade AS changed_to, ch.why AS change_why, "
        "ch.changed_by, ch.changed_at, "
        "CASE WHEN ch.grade IS NOT NULL THEN 'changed' "
        f"WHEN {young} THEN 'provisional' "
        "WHEN g.grade IS NULL THEN 'new' WHEN rp.rank < rg.rank THEN 'up' WHEN rp.rank > rg.rank THEN 'down' "
        "ELSE 'held' END AS move "
        f"FROM run_rows rr {customers} "
        "LEFT JOIN grades g ON g.customer_id = rr.customer_id AND g.standard_id = ? AND g.valid_to IS NULL "
        "LEFT JOIN review_changes ch ON ch.run_id = rr.run_id AND ch.customer_id = rr.customer_id "
        f"LEFT JOIN {ranks} rp ON rp.grade = rr.grade LEFT JOIN {ranks} rg ON rg.grade = g.grade "
        f"WHERE rr.run_id = ? AND {scope}"
    )
    params: list[Any] = [*([as_of, days] if young != "FALSE" else []), standard.id, *rank_params, *rank_params]
    return query, [*params, run_id, *scope_params]


_MOVES_CACHE: OrderedDict[tuple[Any, ...], pa.Table] = OrderedDict()
_MOVES_KEEP = 2  # runs whose moves are kept (a million customers: about 50 MB each)
_MOVES_LOCK = threading.Lock()
# audited actions that change no proposal, published grade or customer
_UNSEEN = ("login", "logout", "password-set", "draft-saved", "draft-deleted", "form-saved", "run")


def _moves(
    con: Any, workspace: Workspace, standard: Standard, run_id: int, as_of: dt.date, user: User | None
) -> pa.Table:
    """Every proposal's customer_id, name, region and move in the user's scope, kept until the workspace changes.

    The joins over a million customers cost most of a page; counts, filters and paging then
    read this table, and only the shown page's rows are read in full.
    """
    version = last_change(con, _UNSEEN)
    key = (
        str(workspace.root),
        run_id,
        int(version),
        tuple(user.regions) if user is not None and scoped(user) else None,
    )
    with _MOVES_LOCK:
        if key in _MOVES_CACHE:
            _MOVES_CACHE.move_to_end(key)
            return _MOVES_CACHE[key]
    query, params = _proposals(con, standard, run_id, as_of, user)
    table = con.sql(
        f"SELECT customer_id, name, region, move FROM ({query}) ORDER BY customer_id", params=params
    ).to_arrow_table()
    with _MOVES_LOCK:
        _MOVES_CACHE[key] = table
        while len(_MOVES_CACHE) > _MOVES_KEEP:
            _MOVES_CACHE.popitem(last=False)
    return table


def review_page(
    workspace: Workspace,
    user: User | None,
    run_id: int,
    *,
    move: str = "all",
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
    outcome: str | None = None,
    lang: str | None = None,
) -> ReviewPage:
    """A page of run ``run_id``'s proposals for ``user`` (their regions only), by customer id.

    ``lang`` is the reader's language, that the shown rows' reasons are rendered in (None: as the run wrote them).

    ``move`` is one of :data:`MOVES`; ``q`` matches the start of the id or part of the name;
    ``outcome`` (one of :data:`~tierwise.lifecycle.OUTCOMES`) keeps the customers publishing moves that way.
    """
    if move not in MOVES:
        raise ValueError(f"Unknown move '{move}'; choose one of {', '.join(MOVES)}.")
    with workspace.reading() as con:
        standard, as_of, published = _run(con, run_id)
        moves = _moves(con, workspace, standard, run_id, as_of, user)
        counted = dict.fromkeys(MOVES[1:], 0)
        for found in moves.group_by("move").aggregate([("move", "count")]).to_pylist():
            counted[found["move"]] = int(found["move_count"])
        counts = {**counted, "all": moves.num_rows}
        kept = moves if move == "all" else moves.filter(pc.equal(moves["move"], move))
        if outcome is not None:  # what publishing does to the customer (the impact summary's links)
            if outcome not in OUTCOMES:
                raise ValueError(f"Unknown outcome '{outcome}'; choose one of {', '.join(OUTCOMES)}.")
            info = run_on(con, run_id)
            assert info is not None
            decide_run(con, standard, run_id, info.standard_id, as_of, info.review)
            ids_out = pa.array(outcome_ids(con, standard, run_id, outcome, user), pa.string())
            kept = kept.filter(pc.is_in(kept["customer_id"], value_set=ids_out))
        if q:
            text = q.strip().lower()
            by_id = pc.starts_with(pc.utf8_lower(kept["customer_id"]), text)
            by_name = pc.fill_null(pc.match_substring(pc.utf8_lower(kept["name"]), text), False)
            kept = kept.filter(pc.or_(by_id, by_name))
        total = kept.num_rows
        ids = kept["customer_id"].slice(offset, limit).to_pylist()
        query, params = _proposals(con, standard, run_id, as_of, user)
        cursor = con.execute(
            f"SELECT * FROM ({query}) WHERE list_contains(?, customer_id) ORDER BY customer_id", [*params, ids]
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        reasons_in(con, run_id, rows, lang)
    return ReviewPage(run_id, standard, as_of, published, rows, total, counts)


def _open_run(con: Any, run_id: int, customer_id: str, user: User | None) -> Standard:
    standard, _, published = _run(con, run_id)
    if published:
        raise WorkspaceError(f"Run {run_id} is already published; its grades can no longer be changed at review.")
    info = run_on(con, run_id)
    if info is not None and info.stale:
        raise Refused("review.stale_change", run=run_id, why=list(info.stale))
    found = con.execute("SELECT count(*) FROM run_rows WHERE run_id = ? AND customer_id = ?", [run_id, customer_id])
    if not found.fetchall()[0][0]:
        raise NotFound(f"The customer '{customer_id}' is not in run {run_id}; only its customers can be reviewed.")
    if data_columns(con, "customers"):  # the region of the customer limits who may change its grade
        _check_customer(con, customer_id, user)
    return standard


def change_grade(workspace: Workspace, run_id: int, customer_id: str, grade: str, why: str) -> None:
    """Set ``customer_id``'s grade in the unpublished run ``run_id`` at review, with the reason (audited)."""
    why = why.strip()
    if not why:
        raise ValueError("A change at review needs a reason; write why the meeting sets this grade.")
    with workspace.writing() as con:
        user = workspace.authorize(con, "review")
        standard = _open_run(con, run_id, customer_id, user)
        if grade not in standard.grades:
            raise ValueError(
                f"'{grade}' is not a grade of '{standard.id}'; choose one of {', '.join(standard.grades)}."
            )
        before = con.execute(
            "SELECT coalesce(ch.grade, rr.grade) FROM run_rows rr LEFT JOIN review_changes ch "
            "ON ch.run_id = rr.run_id AND ch.customer_id = rr.customer_id WHERE rr.run_id = ? AND rr.customer_id = ?",
            [run_id, customer_id],
        ).fetchall()[0][0]
        con.execute(
            "INSERT OR REPLACE INTO review_changes VALUES (?, ?, ?, ?, ?, ?)",
            [run_id, customer_id, grade, why, workspace.user(), dt.datetime.now()],
        )
        workspace.audit(
            con,
            "review-change",
            standard.id,
            {"run": run_id, "from": before, "to": grade},
            customer_id=customer_id,
            why=why,
        )


def undo_change(workspace: Workspace, run_id: int, customer_id: str, why: str = "") -> None:
    """Take back the review's change of ``customer_id`` in run ``run_id``: the run's own grade applies again."""
    with workspace.writing() as con:
        user = workspace.authorize(con, "review")
        standard = _open_run(con, run_id, customer_id, user)
        removed = con.execute(
            "DELETE FROM review_changes WHERE run_id = ? AND customer_id = ? RETURNING grade", [run_id, customer_id]
        ).fetchall()
        if not removed:
            raise NotFound(f"The review made no change to '{customer_id}' in run {run_id}; there is nothing to undo.")
        workspace.audit(
            con,
            "review-undo",
            standard.id,
            {"run": run_id, "was": removed[0][0]},
            customer_id=customer_id,
            why=why.strip() or None,
        )


def unpublished_runs(workspace: Workspace) -> list[RunInfo]:
    """The stored runs that can be reviewed and published (pending: neither published nor stale), newest first.

    The review page lists them; each one's changes wait in ``review_changes``. Everything
    listed here can be published; :func:`stale_runs` lists the others, with why.
    """
    return [r for r in reversed(list_runs(workspace)) if r.state == "pending"][:200]


def stale_runs(workspace: Workspace) -> list[RunInfo]:
    """The unpublished runs that can no longer be published (their data changed, or a later publication), newest first."""
    return [r for r in reversed(list_runs(workspace)) if r.state == "stale"][:200]
