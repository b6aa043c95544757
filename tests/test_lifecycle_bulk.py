"""The set-based lifecycle (one SQL statement for every customer) decides exactly as decide() does."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from tierwise.lifecycle import Current, Override, decide
from tierwise.lifecycle._bulk import decide_all, prepare
from tierwise.spec._lifecycle import Lifecycle

AS_OF = dt.date(2026, 3, 31)
GRADES = ["VIP", "A", "B", "C", "D"]
STATES = ["confirmed", "provisional", "held", "override", "cancelled"]


@st.composite
def lifecycles(draw: Any) -> Lifecycle | None:
    if draw(st.booleans()) and draw(st.booleans()):
        return None
    data: dict[str, Any] = {"upgrade": draw(st.sampled_from(["automatic", "by_application"]))}
    if draw(st.booleans()):
        data["provisional"] = {"tenure_below": draw(st.sampled_from(["6 months", "90 days", "1 year"]))}
    if draw(st.booleans()):
        data["downgrade"] = {"hold": draw(st.integers(0, 2))}
        if draw(st.booleans()):
            data["downgrade"]["max_steps"] = draw(st.integers(1, 3))
    return Lifecycle.model_validate(data)


@st.composite
def customers(draw: Any, grades: list[str]) -> tuple[Current | None, str, int | None, Override | None]:
    current = draw(
        st.none() | st.builds(Current, st.sampled_from([*grades, None]), st.sampled_from(STATES), st.integers(0, 3))
    )
    evaluated = draw(st.sampled_from(grades))
    tenure = draw(st.none() | st.integers(0, 800))
    override = draw(
        st.none()
        | st.builds(
            Override,
            st.integers(1, 10_000),
            st.sampled_from(grades),
            st.integers(-40, 40).map(lambda d: AS_OF + dt.timedelta(days=d)),
        )
    )
    return current, evaluated, tenure, override


@settings(max_examples=120, deadline=None)
@given(data=st.data(), rules=lifecycles(), size=st.integers(2, 5))
def test_sql_decisions_match_decide_on_random_states(data: Any, rules: Lifecycle | None, size: int) -> None:
    grades = GRADES[:size]
    cases = data.draw(st.lists(customers(grades), min_size=1, max_size=25))
    scheduled = data.draw(st.booleans())  # a scheduled evaluation, or a review
    con = duckdb.connect()
    prepare(con, grades)
    for number, (current, evaluated, tenure, override) in enumerate(cases):
        customer = f"C{number}"
        con.execute("INSERT INTO _tw_eval VALUES (?, ?)", [customer, evaluated])
        if current is not None:
            con.execute(
                "INSERT INTO _tw_cur VALUES (?, ?, ?, ?, ?)",
                [customer, number + 1, current.grade, current.state, current.hold_count],
            )
        if tenure is not None:
            con.execute("INSERT INTO _tw_ten VALUES (?, ?)", [customer, tenure])
        if override is not None:
            con.execute(
                "INSERT INTO _tw_ovr VALUES (?, ?, ?, ?)",
                [customer, override.request_id, override.grade, override.until],
            )
    decide_all(con, rules, grades, AS_OF, scheduled=scheduled)
    got = {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT customer_id, grade, state, hold_count, why, upgrade_to FROM _tw_decided"
        ).fetchall()
    }
    assert len(got) == len(cases)
    for number, (current, evaluated, tenure, override) in enumerate(cases):
        want = decide(
            rules, grades, current, evaluated, as_of=AS_OF, tenure_days=tenure, override=override, scheduled=scheduled
        )
        assert got[f"C{number}"] == (want.grade, want.state, want.hold_count, want.why, want.upgrade_to), (
            current,
            evaluated,
            tenure,
            override,
            rules,
        )
