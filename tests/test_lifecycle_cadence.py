"""Grace counts scheduled evaluations, not runs; cadence takes a window (issue 24, item 5)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.test_lifecycle import STANDARD, YEARS, scenario

import tierwise.lifecycle as lc
import tierwise.reports as reports
import tierwise.workspace as tw
from tierwise.spec import loads_standard

__all__ = ["scenario"]

WINDOWED = STANDARD.replace("lifecycle:\n", 'lifecycle:\n  cadence: {every: year, on: "03-25..03-30"}\n')


@pytest.fixture
def windowed(scenario: tuple[tw.Workspace, Path], tmp_path: Path) -> tuple[tw.Workspace, Path]:
    ws, _ = scenario
    path = tmp_path / "windowed.yaml"
    path.write_text(WINDOWED, encoding="utf-8")
    return ws, path


def _now(ws: tw.Workspace, customer: str) -> tuple[str | None, str]:
    row = ws.records(
        "SELECT grade, state, hold_count FROM grades WHERE customer_id = ? AND valid_to IS NULL", [customer]
    )
    return row[0]["grade"], row[0]["state"]


def test_an_off_cycle_run_does_not_use_up_the_downgrade_grace(windowed: tuple[tw.Workspace, Path]) -> None:
    ws, standard = windowed
    lc.publish(ws, tw.run_standard(ws, standard, YEARS[0]).id)
    mid_year = lc.publish(ws, tw.run_standard(ws, standard, dt.date(2025, 3, 20)).id)  # D evaluated C already

    assert mid_year.kind == "review"
    assert _now(ws, "D") == ("A", "confirmed")

    yearly = lc.publish(ws, tw.run_standard(ws, standard, YEARS[1]).id)

    assert yearly.kind == "evaluation"
    assert _now(ws, "D") == ("A", "held")  # the one evaluation of grace, not used up by the review
    lc.publish(ws, tw.run_standard(ws, standard, YEARS[2]).id)
    assert _now(ws, "D") == ("B", "confirmed")  # then at most one step down


def test_a_second_publication_in_the_same_window_is_a_review(windowed: tuple[tw.Workspace, Path]) -> None:
    ws, standard = windowed
    lc.publish(ws, tw.run_standard(ws, standard, YEARS[0]).id)
    first = lc.publish(ws, tw.run_standard(ws, standard, dt.date(2025, 3, 26)).id)
    correction = lc.publish(ws, tw.run_standard(ws, standard, dt.date(2025, 3, 29)).id)

    assert (first.kind, correction.kind) == ("evaluation", "review")
    held = ws.records("SELECT hold_count FROM grades WHERE customer_id = 'D' AND valid_to IS NULL")
    assert held == [{"hold_count": 1}]  # counted once in the period
    publish = [r for r in ws.audit_records() if r["action"] == "publish"]
    assert ['"kind": "review"' in r["detail"] for r in publish] == [False, False, True]


def test_cadence_takes_a_window_and_due_names_it(windowed: tuple[tw.Workspace, Path]) -> None:
    ws, standard = windowed
    lc.publish(ws, tw.run_standard(ws, standard, YEARS[0]).id)

    listed = reports.due(ws, dt.date(2025, 3, 20), standard_id="yearly-sales")
    evaluation = listed[listed["kind"] == "evaluation"].iloc[0]

    assert evaluation["due"] == dt.date(2025, 3, 25)
    assert "evaluation window 2025-03-25 to 2025-03-30" in evaluation["detail"]


def test_a_cadence_window_that_runs_backwards_is_refused() -> None:
    with pytest.raises(ValueError, match=r"The window '03-30\.\.03-25' must run from its first day to a later one"):
        loads_standard(WINDOWED.replace("03-25..03-30", "03-30..03-25"))
