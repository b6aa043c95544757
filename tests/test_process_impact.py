"""Publishing shows what it will do, then asks (issue 24 item 3).

The impact (customers per outcome, the value moved, the entitlements that change) is the
lifecycle's own decision, computed without writing, so what is shown is what publishing
then does; the audit record keeps it; the CLI asks unless ``--yes``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests._process import AS_OF, DRAFT, published, transactions
from typer.testing import CliRunner

import tierwise.lifecycle as lc
import tierwise.workspace as tw
from tierwise import import_file
from tierwise.cli import app

STANDARD_ID = "yearly-sales"


@pytest.fixture
def pending(tmp_path: Path) -> tuple[tw.Workspace, tw.RunInfo]:
    """K5 (C) buys 900,000 more and K4 (A) is gone from the data: a run that moves one up and one out."""
    ws = published(tmp_path)
    import_file(ws, "transactions", transactions(tmp_path, {"K5": 900_000.0}, AS_OF), mode="append", today=AS_OF)
    return ws, tw.run_standard(ws, tw.current_standard(ws, STANDARD_ID), AS_OF + dt.timedelta(days=1))


def _grades(ws: tw.Workspace) -> dict[str, str | None]:
    return {c: g for c, (g, _) in lc.grades_on(ws, STANDARD_ID, dt.date.today()).items()}


def test_the_impact_shown_before_publishing_is_what_publishing_then_does(
    pending: tuple[tw.Workspace, tw.RunInfo],
) -> None:
    ws, run = pending
    before = _grades(ws)
    impact = lc.publish_impact(ws, run.id)
    assert impact.counts["up"] == 1
    assert impact.counts["unchanged"] == 4
    assert impact.value == "sales_12m"
    assert impact.moved["up"] == pytest.approx(910_000.0)
    assert [(e.policy, e.before, e.after, e.customers) for e in impact.entitlements] == [
        ("拜访频率", "按需", "每季度", 1),
        ("账期", "款到发货", "60天", 1),
    ]
    movers = lc.publish_outcome(ws, run.id, "up")
    assert movers == ["K5"]
    assert _grades(ws) == before, "showing the impact writes nothing"
    result = lc.publish(ws, run.id)
    after = _grades(ws)
    assert [c for c in after if after[c] != before.get(c)] == movers
    audited = [r for r in ws.audit_records() if r["action"] == "publish"][-1]
    assert '"impact"' in audited["detail"]
    assert result.impact is not None
    assert result.impact.summary() == impact.summary()


def test_the_cli_prints_the_impact_and_publishes_only_when_confirmed(pending: tuple[tw.Workspace, tw.RunInfo]) -> None:
    ws, run = pending
    runner = CliRunner()
    declined = runner.invoke(app, ["publish", str(run.id), "-w", str(ws.root)], input="n\n", env={"COLUMNS": "200"})
    assert declined.exit_code == 1
    assert "Move up" in declined.output
    assert "账期" in declined.output
    assert "Publish run" in declined.output
    assert tw.get_run(ws, run.id).state == "pending", "declined: nothing published"
    confirmed = runner.invoke(app, ["publish", str(run.id), "-w", str(ws.root)], input="y\n", env={"COLUMNS": "200"})
    assert confirmed.exit_code == 0, confirmed.output
    assert tw.get_run(ws, run.id).state == "published"


def test_yes_publishes_without_asking_but_a_draft_run_still_needs_its_rules_accepted(tmp_path: Path) -> None:
    ws = published(tmp_path)
    edited = tmp_path / "edited.yaml"
    edited.write_text(DRAFT, encoding="utf-8")
    run = tw.run_standard(ws, edited, AS_OF)
    runner = CliRunner()
    refused = runner.invoke(app, ["publish", str(run.id), "--yes", "-w", str(ws.root)])
    assert isinstance(refused.exception, tw.Refused), "the command's error handler prints it as one sentence"
    assert "+    steps: [{grade: VIP, at_least: 100万}" in refused.output
    assert "--accept-rules" in str(refused.exception)
    asked = runner.invoke(app, ["publish", str(run.id), "-w", str(ws.root)], input="y\ny\n")
    assert asked.exit_code == 0, asked.output
    assert "Publish it with these rules?" in asked.output


def test_a_run_far_after_the_newest_transaction_says_so(tmp_path: Path) -> None:
    ws = published(tmp_path)
    standard = tw.current_standard(ws, STANDARD_ID)
    newest = tw.newest_data_day(ws)
    assert newest == AS_OF - dt.timedelta(days=10)
    assert tw.data_age(ws, standard, newest + dt.timedelta(days=300)) is None
    note = tw.data_age(ws, standard, newest + dt.timedelta(days=400))
    assert note is not None
    assert "400 days after the newest transaction" in note.text("en")
    assert "365 天" not in note.text("zh")
    assert "366 天" in note.text("zh")
