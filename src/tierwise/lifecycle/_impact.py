"""What publishing a run will do, shown before it is done: the impact summary.

Read from ``_tw_decided`` (the lifecycle's decision for every customer, filled by
``decide_run`` on any connection, read-only included), so what is shown is exactly what
publishing writes. Every customer of the run has one outcome:

- ``up`` / ``down``: the published grade moves up or down;
- ``held``: a downgrade held by the standard's grace (降级宽限);
- ``new``: graded for the first time; ``provisional``: a new customer's provisional grade;
- ``override``: kept by an approved 特批;
- ``unchanged``: the same grade;

and ``exits`` counts the customers whose grade ends (no longer in the population). The
entitlements that change come from the standard's ``policies`` (账期, 拜访频率 …).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tierwise.spec import Standard
from tierwise.workspace import User, data_columns, deciding_indicator, scope_sql

__all__ = ["OUTCOMES", "Entitlement", "Impact", "impact_of", "outcome_ids"]

OUTCOMES = ("up", "down", "held", "new", "provisional", "override", "unchanged")


@dataclass(frozen=True)
class Entitlement:
    """One entitlement of the standard's policies that changes for ``customers`` customers."""

    policy: str
    before: str | None
    after: str | None
    customers: int


@dataclass(frozen=True)
class Impact:
    """What publishing a run does: customers per outcome, the value moved, the entitlements that change."""

    run_id: int
    standard_id: str
    counts: dict[str, int]  # outcome (OUTCOMES) -> customers
    exits: int  # customers whose grade ends
    value: str | None  # the deciding amount (an indicator), when there is one
    moved: dict[str, float] = field(default_factory=dict)  # outcome -> the sum of that amount
    entitlements: list[Entitlement] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The impact as plain data (the audit record of the publication keeps it)."""
        return {
            "counts": self.counts,
            "exits": self.exits,
            "value": self.value,
            "moved": self.moved,
            "entitlements": [[e.policy, e.before, e.after, e.customers] for e in self.entitlements],
        }


def _outcomes(con: Any, standard: Standard, run_id: int, user: User | None) -> tuple[str, list[Any]]:
    """The query of every decided customer's outcome, grades before and after, and deciding amount."""
    value = deciding_indicator(standard)
    columns = data_columns(con, "customers")
    region = "CAST(c.region AS VARCHAR)" if "region" in columns else "NULL"
    customers = "LEFT JOIN data.customers c ON CAST(c.customer_id AS VARCHAR) = d.customer_id" if columns else ""
    scope, params = scope_sql(user, region)
    query = (
        "SELECT d.customer_id, d.cur_grade AS before, d.grade AS after, "
        "CASE WHEN d.state = 'override' THEN 'override' WHEN d.state = 'held' THEN 'held' "
        "WHEN d.state = 'provisional' THEN 'provisional' WHEN d.state = 'cancelled' THEN 'unchanged' "
        "WHEN d.cur_grade IS NULL THEN 'new' WHEN ra.rank < rb.rank THEN 'up' WHEN ra.rank > rb.rank THEN 'down' "
        "ELSE 'unchanged' END AS outcome, "
        'TRY_CAST(json_extract_string(rr."values", ?) AS DOUBLE) AS amount '
        "FROM _tw_decided d LEFT JOIN _tw_ranks rb ON rb.grade = d.cur_grade "
        "LEFT JOIN _tw_ranks ra ON ra.grade = d.grade "
        "LEFT JOIN run_rows rr ON rr.run_id = ? AND rr.customer_id = d.customer_id "
        f"{customers} WHERE {scope}"
    )
    return query, ["$." + json.dumps(value or ""), run_id, *params]


def outcome_ids(con: Any, standard: Standard, run_id: int, outcome: str, user: User | None = None) -> list[str]:
    """The customers with ``outcome`` when the run is published (``_tw_decided`` filled), by id."""
    query, params = _outcomes(con, standard, run_id, user)
    rows = con.execute(f"SELECT customer_id FROM ({query}) WHERE outcome = ? ORDER BY 1", [*params, outcome])
    return [r[0] for r in rows.fetchall()]


def impact_of(
    con: Any, standard: Standard, run_id: int, standard_id: str, review: bool, user: User | None = None
) -> Impact:
    """The impact of publishing the run, from ``_tw_decided`` (in ``user``'s regions when given)."""
    query, params = _outcomes(con, standard, run_id, user)
    counts = dict.fromkeys(OUTCOMES, 0)
    moved: dict[str, float] = {}
    for outcome, customers, amount in con.execute(
        f"SELECT outcome, count(*), sum(amount) FROM ({query}) GROUP BY 1", params
    ).fetchall():
        counts[outcome] = int(customers)
        if amount is not None and outcome in ("up", "down", "new"):
            moved[outcome] = float(amount)
    exits = 0
    if not review:
        exits = int(
            con.execute(
                "SELECT count(*) FROM _tw_cur WHERE grade IS NOT NULL "
                "AND customer_id NOT IN (SELECT customer_id FROM _tw_eval)"
            ).fetchall()[0][0]
        )
    changes: dict[tuple[str, str | None, str | None], int] = {}
    policies = standard.policies or {}
    if policies:
        pairs = con.execute(
            f"SELECT before, after, count(*) FROM ({query}) WHERE before IS DISTINCT FROM after GROUP BY 1, 2", params
        ).fetchall()
        keys = sorted({k for grade in policies.values() for k in grade})
        for before, after, customers in pairs:
            for key in keys:
                was = policies.get(before, {}).get(key) if before is not None else None
                now = policies.get(after, {}).get(key) if after is not None else None
                if was != now:
                    name = (key, None if was is None else str(was), None if now is None else str(now))
                    changes[name] = changes.get(name, 0) + int(customers)
    entitlements = [
        Entitlement(k, b, a, n)
        for (k, b, a), n in sorted(changes.items(), key=lambda i: (-i[1], i[0][0], i[0][1] or "", i[0][2] or ""))
    ]
    value = deciding_indicator(standard)
    return Impact(run_id, standard_id, counts, exits, value, moved, entitlements)
