"""What is due: evaluations by the standards' cadence, provisional reviews, expiring 特批, pending requests."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from typing import Any

import pandas as pd

from tierwise.spec import Standard, add_duration, loads_standard, parse_duration
from tierwise.spec._lifecycle import Cadence
from tierwise.workspace import Workspace, data_columns

__all__ = ["due", "next_evaluation", "window_end"]

_MONTHS = {"year": 12, "half_year": 6, "quarter": 3, "month": 1}
_COLUMNS = ["kind", "standard_id", "customer_id", "due", "overdue", "detail"]


def next_evaluation(standard: Standard, last: dt.date) -> dt.date | None:
    """The first evaluation day the standard's ``lifecycle.cadence`` sets after ``last``; None without a cadence.

    >>> import tierwise
    >>> std = tierwise.loads_standard('''
    ... tierwise: 1
    ... id: yearly
    ... name: 年度评估
    ... version: "1"
    ... grades: [A, B]
    ... indicators: {sales: {from: transactions, agg: sum(amount), window: 12 months}}
    ... grade: {ladder: {on: sales, steps: [{grade: A, at_least: 100万}, {grade: B}]}}
    ... lifecycle: {cadence: {every: year, on: "03-25"}}
    ... ''')
    >>> next_evaluation(std, dt.date(2025, 3, 31)), next_evaluation(std, dt.date(2025, 3, 1))
    (datetime.date(2026, 3, 25), datetime.date(2025, 3, 25))
    """
    cadence = standard.lifecycle.cadence if standard.lifecycle is not None else None
    if cadence is None:
        return None
    if cadence.every == "week":
        return last + dt.timedelta(days=7)
    first = cadence.first_day
    if cadence.every == "year" and first is not None and "-" in first:
        month, day = (int(part) for part in first.split("-"))
        for year in (last.year, last.year + 1):
            candidate = dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))
            if candidate > last:
                return candidate
    step = _MONTHS[cadence.every]
    following = add_duration(last, parse_duration(f"{step} months"))
    if first is not None and first.isdigit():  # a day of the month
        wanted = int(first)
        following = following.replace(day=min(wanted, calendar.monthrange(following.year, following.month)[1]))
    return following


def window_end(cadence: Cadence, first: dt.date) -> dt.date:
    """The last day of the evaluation window that starts on ``first`` (``first`` itself for a one-day cadence)."""
    start, last = cadence.first_day, cadence.last_day
    if start is None or last is None or start == last:
        return first
    if "-" in start:
        (m1, d1), (m2, d2) = ((int(p) for p in day.split("-")) for day in (start, last))
        return first + (dt.date(2001, m2, d2) - dt.date(2001, m1, d1))
    return first + dt.timedelta(days=int(last) - int(start))


def due(
    workspace: Workspace, today: dt.date | None = None, *, horizon_days: int = 30, standard_id: str | None = None
) -> pd.DataFrame:
    """Everything that needs someone's action, soonest first.

    Columns: ``kind`` (``evaluation``: the cadence's next evaluation day has come since the
    last publication, or comes within ``horizon_days``; ``provisional``: a customer's
    tenure has reached the standard's provisional period; ``override-expiring``: a 特批
    ends within ``horizon_days``; ``request``: a pending 特批 or upgrade application),
    ``standard_id``, ``customer_id`` (empty for an evaluation), ``due`` (the day),
    ``overdue`` (the day has passed), ``detail``. With ``standard_id``, that standard's only.
    """
    only = standard_id  # (the loops below name each row's standard_id)
    today = today or dt.date.today()
    soon = today + dt.timedelta(days=horizon_days)
    rows: list[dict[str, Any]] = []
    with workspace.reading() as con:
        latest = con.execute(
            "SELECT p.standard_id, p.as_of, r.standard_text FROM publications p JOIN runs r ON r.id = p.run_id "
            "WHERE p.standard_id = coalesce(?, p.standard_id) "
            "QUALIFY row_number() OVER (PARTITION BY p.standard_id ORDER BY p.as_of DESC) = 1 ORDER BY 1",
            [only],
        ).fetchall()
        has_created = "created_at" in data_columns(con, "customers")
        for standard_id, as_of, text in latest:
            standard = loads_standard(text, file=f"<published {standard_id}>")
            following = next_evaluation(standard, as_of)
            cadence = standard.lifecycle.cadence if standard.lifecycle is not None else None
            if following is not None and cadence is not None and following <= soon:
                rows.append(
                    {
                        "kind": "evaluation",
                        "standard_id": standard_id,
                        "customer_id": None,
                        "due": following,
                        "overdue": following < today,
                        "detail": f"last published as of {as_of}; cadence every {cadence.every}"
                        + (f" on {cadence.on}" if cadence.on else "")
                        + (
                            f"; evaluation window {following} to {window_end(cadence, following)}" if cadence.on else ""
                        ),
                    }
                )
            if has_created:  # customers who first appeared since the publication: graded by the next review
                for customer_id, created in con.execute(
                    "SELECT CAST(c.customer_id AS VARCHAR), CAST(c.created_at AS DATE) FROM data.customers c "
                    "WHERE CAST(c.created_at AS DATE) > ? AND CAST(c.created_at AS DATE) <= ? "
                    "AND CAST(c.customer_id AS VARCHAR) NOT IN (SELECT customer_id FROM grades WHERE standard_id = ? "
                    "AND valid_to IS NULL) ORDER BY 2, 1",
                    [as_of, today, standard_id],
                ).fetchall():
                    rows.append(
                        {
                            "kind": "new",
                            "standard_id": standard_id,
                            "customer_id": customer_id,
                            "due": created,
                            "overdue": False,
                            "detail": f"customer since {created}; no grade yet: graded by the next review (run --due)",
                        }
                    )
            provisional = standard.lifecycle.provisional if standard.lifecycle is not None else None
            if provisional is not None and has_created:
                days = math.ceil(provisional.tenure_below.approx_days)  # the first day it is no longer below
                for customer_id, created in con.execute(
                    "SELECT g.customer_id, CAST(c.created_at AS DATE) FROM grades g "
                    "JOIN data.customers c ON CAST(c.customer_id AS VARCHAR) = g.customer_id "
                    "WHERE g.standard_id = ? AND g.valid_to IS NULL AND g.state = 'provisional' "
                    "AND c.created_at IS NOT NULL ORDER BY 2, 1",
                    [standard_id],
                ).fetchall():
                    reached = created + dt.timedelta(days=days)
                    if reached <= soon:
                        rows.append(
                            {
                                "kind": "provisional",
                                "standard_id": standard_id,
                                "customer_id": customer_id,
                                "due": reached,
                                "overdue": reached < today,
                                "detail": f"customer since {created}; provisional for {provisional.tenure_below}",
                            }
                        )
        for standard_id, customer_id, until, grade in con.execute(
            "SELECT standard_id, customer_id, until, grade FROM grades WHERE valid_to IS NULL AND state = 'override' "
            "AND until IS NOT NULL AND until <= ? AND standard_id = coalesce(?, standard_id) ORDER BY until, customer_id",
            [soon, only],
        ).fetchall():
            rows.append(
                {
                    "kind": "override-expiring",
                    "standard_id": standard_id,
                    "customer_id": customer_id,
                    "due": until,
                    "overdue": until < today,
                    "detail": f"特批 {grade} ends on {until}",
                }
            )
        for kind, standard_id, customer_id, grade, requested_by, requested_at in con.execute(
            "SELECT kind, standard_id, customer_id, grade, requested_by, CAST(requested_at AS DATE) FROM requests "
            "WHERE status = 'pending' AND standard_id = coalesce(?, standard_id) ORDER BY requested_at, id",
            [only],
        ).fetchall():
            rows.append(
                {
                    "kind": "request",
                    "standard_id": standard_id,
                    "customer_id": customer_id,
                    "due": requested_at,
                    "overdue": False,
                    "detail": f"{kind} to {grade} asked by {requested_by}",
                }
            )
    frame = pd.DataFrame(rows, columns=_COLUMNS)
    return frame.sort_values(["due", "kind", "standard_id"], kind="stable", na_position="last").reset_index(drop=True)
