"""The store's own guard on grade history: intervals of a customer and standard never overlap.

Every writing transaction that changed the ``grades`` table is checked before it commits
(:meth:`Workspace.writing` calls :func:`check_history`), so no code path, present or
future, can leave two grades in force at once, an interval that ends before it starts, or
an open interval followed by another. Intervals meet end to start (``valid_to`` of one is
``valid_from`` of the next); a gap is left only where a customer left the population.
"""

from __future__ import annotations

from typing import Any

from tierwise.workspace._errors import Refused

__all__ = ["check_history", "grades_signature", "history_problems"]

_SIGNATURE = (
    "SELECT count(*), coalesce(max(id), 0), count(valid_to), "
    "coalesce(sum(date_diff('day', DATE '2000-01-01', valid_to)), 0) FROM grades"
)

_PROBLEMS = """
WITH ordered AS (
    SELECT standard_id, customer_id, valid_from, valid_to,
           lead(valid_from) OVER w AS next_from
    FROM grades
    WINDOW w AS (PARTITION BY standard_id, customer_id ORDER BY valid_from, id)
)
SELECT standard_id, customer_id, valid_from, valid_to, next_from FROM ordered
WHERE (valid_to IS NOT NULL AND valid_to < valid_from)
   OR (next_from IS NOT NULL AND (valid_to IS NULL OR valid_to > next_from))
ORDER BY standard_id, customer_id, valid_from
LIMIT ?
"""


def grades_signature(con: Any) -> tuple[Any, ...]:
    """A cheap fingerprint of the grades table: it differs whenever an interval was added, closed or moved."""
    row = con.execute(_SIGNATURE).fetchone()
    return tuple(row) if row is not None else ()


def history_problems(con: Any, limit: int = 10) -> list[tuple[str, str, Any, Any, Any]]:
    """Intervals that break the history: (standard, customer, valid_from, valid_to, the next interval's start)."""
    return [tuple(r) for r in con.execute(_PROBLEMS, [limit]).fetchall()]  # type: ignore[misc]


def check_history(con: Any) -> None:
    """Refuse (roll back) a change that would leave overlapping or backward grade intervals."""
    problems = history_problems(con, 1)
    if problems:
        standard_id, customer_id, valid_from, valid_to, next_from = problems[0]
        raise Refused(
            "refuse.history_overlap",
            customer=customer_id,
            standard=standard_id,
            start=valid_from,
            end=valid_to or "…",
            next=next_from or "…",
        )
