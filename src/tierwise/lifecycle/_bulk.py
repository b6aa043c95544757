"""The lifecycle decision for every customer at once, in SQL: the set-based twin of :func:`decide`.

:func:`decide_all` reads four tables of the connection and writes ``_tw_decided``, one row
per evaluated customer with the grade, state, hold count, reason and pending upgrade that
:func:`tierwise.lifecycle.decide` gives for that customer (a property test holds the two
to the same answers). Every grade label, number and phrase reaches SQL as a bound
parameter; nothing from the standard is formatted into the query.

Inputs (temporary tables the caller fills):

- ``_tw_eval(customer_id, evaluated)``: the newly evaluated grades;
- ``_tw_cur(customer_id, id, grade, state, hold_count)``: the open grade intervals;
- ``_tw_ovr(customer_id, request_id, grade, until)``: approved overrides;
- ``_tw_ten(customer_id, tenure_days)``: days since each customer was created.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from tierwise.spec._lifecycle import Lifecycle

__all__ = ["INPUTS", "decide_all", "prepare"]

INPUTS = (
    "CREATE OR REPLACE TEMP TABLE _tw_eval (customer_id VARCHAR, evaluated VARCHAR)",
    "CREATE OR REPLACE TEMP TABLE _tw_cur (customer_id VARCHAR, id BIGINT, grade VARCHAR, state VARCHAR, "
    "hold_count INTEGER)",
    "CREATE OR REPLACE TEMP TABLE _tw_ovr (customer_id VARCHAR, request_id BIGINT, grade VARCHAR, until DATE)",
    "CREATE OR REPLACE TEMP TABLE _tw_ten (customer_id VARCHAR, tenure_days INTEGER)",
    "CREATE OR REPLACE TEMP TABLE _tw_ranks (grade VARCHAR, rank INTEGER)",
)

# The order of the cases is the order of the rules in decide(): cancellation, override,
# provisional, first grade, end of provisional or override, downgrade (held or limited), upgrade.
_DECIDE = """
CREATE OR REPLACE TEMP TABLE _tw_decided AS
WITH joined AS (
    SELECT e.customer_id, e.evaluated, c.id AS current_id, c.grade AS cur_grade, c.state AS cur_state,
           coalesce(c.hold_count, 0) AS cur_hold, o.request_id, o.grade AS ovr_grade, o.until AS ovr_until,
           t.tenure_days, rn.rank AS now_rank, re.rank AS new_rank
    FROM _tw_eval e
    LEFT JOIN _tw_cur c USING (customer_id)
    LEFT JOIN _tw_ovr o ON o.customer_id = e.customer_id AND o.until >= $as_of
    LEFT JOIN _tw_ten t USING (customer_id)
    LEFT JOIN _tw_ranks rn ON rn.grade = c.grade
    LEFT JOIN _tw_ranks re ON re.grade = e.evaluated
), ruled AS (
    SELECT *,
        CASE
            WHEN cur_state = 'cancelled' THEN 'cancelled'
            WHEN request_id IS NOT NULL THEN 'override'
            WHEN $provisional_days IS NOT NULL AND tenure_days IS NOT NULL AND tenure_days < $provisional_days
                THEN 'provisional'
            WHEN current_id IS NULL OR cur_grade IS NULL THEN 'first'
            WHEN cur_state = 'provisional' THEN 'confirm'
            WHEN cur_state = 'override' THEN 'restore'
            WHEN NOT $scheduled THEN 'keep'
            WHEN new_rank > now_rank AND cur_hold < $hold THEN 'held'
            WHEN new_rank > now_rank THEN 'down'
            WHEN new_rank < now_rank AND $by_application THEN 'apply'
            WHEN new_rank < now_rank THEN 'up'
            ELSE 'same'
        END AS rule,
        least(now_rank + $max_steps, new_rank) AS target_rank
    FROM joined
)
SELECT r.customer_id, r.evaluated, r.current_id,
    CASE r.rule
        WHEN 'cancelled' THEN r.cur_grade
        WHEN 'override' THEN r.ovr_grade
        WHEN 'held' THEN r.cur_grade
        WHEN 'down' THEN t.grade
        WHEN 'apply' THEN r.cur_grade
        WHEN 'keep' THEN r.cur_grade
        ELSE r.evaluated
    END AS grade,
    CASE r.rule
        WHEN 'cancelled' THEN 'cancelled'
        WHEN 'override' THEN 'override'
        WHEN 'provisional' THEN 'provisional'
        WHEN 'held' THEN 'held'
        WHEN 'keep' THEN r.cur_state
        ELSE 'confirmed'
    END AS state,
    CASE r.rule WHEN 'held' THEN r.cur_hold + 1 WHEN 'keep' THEN r.cur_hold ELSE 0 END AS hold_count,
    CASE r.rule
        WHEN 'cancelled' THEN '已取消资格，等待恢复'
        WHEN 'override' THEN '特批 #' || r.request_id || '：' || r.ovr_grade || '，有效至 ' || strftime(r.ovr_until, '%Y-%m-%d')
        WHEN 'provisional' THEN '新客户暂定等级（合作不满 ' || $provisional_text || '）：评估为 ' || r.evaluated
        WHEN 'first' THEN '评估为 ' || r.evaluated
        WHEN 'confirm' THEN '暂定期满，确认为 ' || r.evaluated
        WHEN 'restore' THEN '特批到期，恢复评估等级 ' || r.evaluated
        WHEN 'held' THEN '降级宽限 ' || (r.cur_hold + 1) || '/' || $hold || '：评估为 ' || r.evaluated || '，保留 ' || r.cur_grade
        WHEN 'down' THEN '降级：评估为 ' || r.evaluated || '，调整为 ' || t.grade
            || CASE WHEN t.grade <> r.evaluated THEN '（每次最多降 ' || $max_steps || ' 级）' ELSE '' END
        WHEN 'apply' THEN '评估为 ' || r.evaluated || '，升级待申请批准'
        WHEN 'up' THEN '升级：评估为 ' || r.evaluated
        WHEN 'keep' THEN '复评：评估为 ' || r.evaluated || '，等级不调整'
        ELSE '评估为 ' || r.evaluated || '，等级不变'
    END AS why,
    CASE WHEN r.rule = 'apply' THEN r.evaluated END AS upgrade_to,
    r.cur_grade, r.cur_state, r.cur_hold
FROM ruled r
LEFT JOIN _tw_ranks t ON t.rank = r.target_rank
"""


def prepare(con: Any, grades: Sequence[str]) -> None:
    """Create the (empty) input tables and the grade ranks (0 = best)."""
    for statement in INPUTS:
        con.execute(statement)
    con.executemany("INSERT INTO _tw_ranks VALUES (?, ?)", [[g, i] for i, g in enumerate(grades)])


def decide_all(
    con: Any, rules: Lifecycle | None, grades: Sequence[str], as_of: dt.date, *, scheduled: bool = True
) -> None:
    """Fill ``_tw_decided`` from the input tables (see the module's docstring); ``scheduled`` as in decide()."""
    provisional = rules.provisional if rules is not None else None
    downgrade = rules.downgrade if rules is not None else None
    con.execute(
        _DECIDE,
        {
            "as_of": as_of,
            "provisional_days": provisional.tenure_below.approx_days if provisional is not None else None,
            "provisional_text": provisional.tenure_below.zh if provisional is not None else "",
            "hold": downgrade.hold if downgrade is not None else 0,
            "max_steps": downgrade.max_steps if downgrade is not None and downgrade.max_steps else len(grades),
            "by_application": rules is not None and rules.upgrade == "by_application",
            "scheduled": scheduled,
        },
    )
