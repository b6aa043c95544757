"""Time moves one way: no publication or decision lands before a grade change already in force (issue 24, item 1)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.test_lifecycle import PASSWORDS, YEARS, scenario

import tierwise.lifecycle as lc
import tierwise.workspace as tw

__all__ = ["scenario"]


def _intervals(ws: tw.Workspace, customer: str) -> list[tuple[str | None, dt.date, dt.date | None]]:
    rows = ws.records(
        "SELECT grade, valid_from, valid_to FROM grades WHERE customer_id = ? ORDER BY valid_from, id", [customer]
    )
    return [(r["grade"], r["valid_from"], r["valid_to"]) for r in rows]


def _problems(ws: tw.Workspace) -> list[tuple[str, str, object, object, object]]:
    with ws.reading() as con:
        return tw.history_problems(con)


def test_publication_as_of_before_an_approval_in_force_is_refused(scenario: tuple[tw.Workspace, Path]) -> None:
    ws, standard = scenario
    bob = ws.as_user("bob", PASSWORDS["bob"])
    lc.publish(ws, tw.run_standard(ws, standard, YEARS[0]).id)
    approved_on = dt.date(2024, 12, 3)
    request = lc.request_override(ws, "yearly-sales", "O", "A", "战略客户", dt.date(2025, 6, 30), on=approved_on)
    lc.decide_request(bob, request, approve=True, on=approved_on)
    backdated = tw.run_standard(ws, standard, dt.date(2024, 7, 31))

    with pytest.raises(tw.Refused, match=r"Run \d+ is as of 2024-07-31, before a grade change .* \(2024-12-03"):
        lc.publish(ws, backdated.id)

    assert _intervals(ws, "O") == [("B", YEARS[0], approved_on), ("A", approved_on, None)]
    assert not _problems(ws)


def test_publication_on_or_after_the_latest_change_is_accepted(scenario: tuple[tw.Workspace, Path]) -> None:
    ws, standard = scenario
    bob = ws.as_user("bob", PASSWORDS["bob"])
    lc.publish(ws, tw.run_standard(ws, standard, YEARS[0]).id)
    lc.cancel(bob, "yearly-sales", "D", "违约", on=dt.date(2024, 12, 3))

    lc.publish(ws, tw.run_standard(ws, standard, YEARS[1]).id)

    assert [g for g, *_ in _intervals(ws, "D")] == ["A", None]
    assert not _problems(ws)


def test_a_decision_before_the_grade_it_replaces_is_refused(scenario: tuple[tw.Workspace, Path]) -> None:
    ws, standard = scenario
    bob = ws.as_user("bob", PASSWORDS["bob"])
    lc.publish(ws, tw.run_standard(ws, standard, YEARS[0]).id)
    lc.publish(ws, tw.run_standard(ws, standard, YEARS[1]).id)
    request = lc.request_override(ws, "yearly-sales", "D", "VIP", "战略客户", dt.date(2025, 6, 30), on=YEARS[0])

    with pytest.raises(tw.Refused, match="in force since 2025-03-31; a decision cannot take effect before it"):
        lc.decide_request(bob, request, approve=True, on=dt.date(2025, 1, 1))

    assert request in {r["id"] for r in lc.requests(ws, "pending")}  # rolled back: still pending


def test_the_store_refuses_overlapping_history_from_any_code_path(scenario: tuple[tw.Workspace, Path]) -> None:
    ws, standard = scenario
    lc.publish(ws, tw.run_standard(ws, standard, YEARS[0]).id)

    with (
        pytest.raises(tw.Refused, match="The grades of customer O under 'yearly-sales' would overlap"),
        ws.writing() as con,
    ):
        con.execute(
            "INSERT INTO grades (standard_id, customer_id, grade, state, valid_from, why) "
            "VALUES ('yearly-sales', 'O', 'A', 'confirmed', ?, 'by hand')",
            [dt.date(2025, 1, 1)],
        )

    assert _intervals(ws, "O") == [("B", YEARS[0], None)]
