"""A run knows whether it is current: a stale run is listed as such everywhere and is never published (issue 24).

Reproduces the finding: run #3 as of today; more transactions appended; run #5 on the new
data published; publishing #3 was accepted and moved a customer C → A → C again.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests._process import AS_OF, published, transactions
from typer.testing import CliRunner

import tierwise.lifecycle as lc
import tierwise.workspace as tw
from tierwise import import_file
from tierwise.cli import app

STANDARD_ID = "yearly-sales"


def _grade(ws: tw.Workspace, customer: str) -> str | None:
    return lc.grades_on(ws, STANDARD_ID, dt.date.today())[customer][0]


@pytest.fixture
def superseded(tmp_path: Path) -> tuple[tw.Workspace, tw.RunInfo, tw.RunInfo]:
    """Run A on the first data; transactions appended; run B on the new data, published."""
    ws = published(tmp_path)
    old = tw.run_standard(ws, tw.current_standard(ws, STANDARD_ID), AS_OF)
    import_file(ws, "transactions", transactions(tmp_path, {"K5": 900_000.0}, AS_OF), mode="append", today=AS_OF)
    new = tw.run_standard(ws, tw.current_standard(ws, STANDARD_ID), AS_OF + dt.timedelta(days=1))
    lc.publish(ws, new.id)
    return ws, old, new


def test_a_run_older_than_the_latest_publication_on_changed_data_is_never_published(
    superseded: tuple[tw.Workspace, tw.RunInfo, tw.RunInfo],
) -> None:
    ws, old, new = superseded
    assert _grade(ws, "K5") == "A"
    with pytest.raises(tw.Refused) as refused:
        lc.publish(ws, old.id)
    text = str(refused.value)
    assert f"Run {old.id} of 'yearly-sales' is stale" in text
    assert f"run {new.id} was published on " in text
    assert f"as of {new.as_of}, which is not before this run's day {old.as_of}" in text
    assert "the table 'transactions' it read has changed since (5 rows then, 6 rows now)" in text
    assert "start a new run" in text
    assert "已过期" in refused.value.text("zh")
    assert _grade(ws, "K5") == "A", "the stale run's old figures never come back"


def test_a_stale_run_is_listed_with_its_reason_and_not_offered_for_review(
    superseded: tuple[tw.Workspace, tw.RunInfo, tw.RunInfo],
) -> None:
    ws, old, new = superseded
    states = {r.id: r.state for r in tw.list_runs(ws)}
    assert states[old.id] == "stale"
    assert states[new.id] == "published"
    assert old.id not in [r.id for r in lc.unpublished_runs(ws)]
    assert [r.id for r in lc.stale_runs(ws)] == [old.id]
    assert "has changed since" in tw.get_run(ws, old.id).stale_text("en")
    with pytest.raises(tw.Refused, match="not reviewed any more"):
        lc.change_grade(ws, old.id, "K1", "A", "复评")
    listed = CliRunner().invoke(app, ["runs", "-w", str(ws.root)], env={"COLUMNS": "400"})
    assert listed.exit_code == 0, listed.output
    line = next(x for x in listed.output.splitlines() if x.startswith(str(old.id)))
    assert "stale" in line
    assert "has changed since" in line


def test_a_run_on_data_changed_since_is_stale_even_without_a_later_publication(tmp_path: Path) -> None:
    ws = published(tmp_path)
    run = tw.run_standard(ws, tw.current_standard(ws, STANDARD_ID), AS_OF)
    assert tw.get_run(ws, run.id).state == "pending"
    import_file(ws, "transactions", transactions(tmp_path, {"K4": 1.0}, AS_OF), mode="append", today=AS_OF)
    assert tw.get_run(ws, run.id).state == "stale"
    with pytest.raises(tw.Refused, match="'transactions' it read has changed"):
        lc.publish(ws, run.id)


def test_a_run_as_of_the_day_of_the_grades_in_force_is_stale_and_never_listed_as_pending(tmp_path: Path) -> None:
    ws = published(tmp_path)
    day = tw.list_runs(ws)[0].as_of
    run = tw.run_standard(ws, tw.current_standard(ws, STANDARD_ID), day)
    assert tw.get_run(ws, run.id).stale_text("en").endswith(f"as of {day}, which is not before this run's day {day}")
    assert run.id not in [r.id for r in lc.unpublished_runs(ws)]


def test_a_run_for_a_later_day_stays_publishable_after_an_earlier_day_is_published(tmp_path: Path) -> None:
    ws = published(tmp_path)
    later = tw.run_standard(ws, tw.current_standard(ws, STANDARD_ID), AS_OF + dt.timedelta(days=2))
    lc.publish(ws, tw.run_standard(ws, tw.current_standard(ws, STANDARD_ID), AS_OF + dt.timedelta(days=1)).id)
    assert tw.get_run(ws, later.id).state == "pending", "same data, a later day: the lifecycle applies at publishing"
    lc.publish(ws, later.id)


def test_everything_listed_as_pending_can_be_published(tmp_path: Path) -> None:
    ws = published(tmp_path)
    for days in (1, 2):
        tw.run_standard(ws, tw.current_standard(ws, STANDARD_ID), AS_OF + dt.timedelta(days=days))
    pending = lc.unpublished_runs(ws)
    assert len(pending) == 2
    lc.publish(ws, pending[0].id)  # the newest: the other is now older than the latest publication
    assert lc.unpublished_runs(ws) == []
    assert [r.id for r in lc.stale_runs(ws)] == [pending[1].id]
