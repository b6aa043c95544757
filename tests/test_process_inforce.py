"""The standard in force is its latest publication: runs, drafts and simulations never change it (issue 23).

Reproduces the findings: an analyst's unpublished draft run became the standard in force
(VIP 21 → 431 with nobody approving), and a draft's ``approval: none`` and longer
``max_duration`` let a manager approve their own 特批 and a four-year override.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests._process import AS_OF, DRAFT, STANDARD, published

import tierwise.lifecycle as lc
import tierwise.workspace as tw


@pytest.fixture
def ws(tmp_path: Path) -> tw.Workspace:
    return published(tmp_path)


def _vip(ws: tw.Workspace) -> int:
    return sum(1 for grade, _ in lc.grades_on(ws, "yearly-sales", dt.date.today()).values() if grade == "VIP")


def _draft_run(ws: tw.Workspace) -> tw.RunInfo:
    """The analyst saves the draft, runs it, leaves the run unpublished, and deletes the draft."""
    ana = ws.acting("ana")
    assert tw.save_draft(ana, "yearly-sales", DRAFT) == []
    run = tw.run_standard(ana, tw.draft_standard(ana, "yearly-sales"), AS_OF, draft=True)
    tw.delete_draft(ana, "yearly-sales")
    return run


def test_an_unpublished_draft_run_never_becomes_the_standard_in_force(ws: tw.Workspace) -> None:
    assert _vip(ws) == 1
    run = _draft_run(ws)
    assert run.draft
    assert tw.current_standard(ws, "yearly-sales").text == STANDARD
    again = tw.run_standard(ws, tw.current_standard(ws, "yearly-sales"), AS_OF)
    assert not again.draft, "a run of the standard in force is no draft run"
    lc.publish(ws, again.id)
    assert _vip(ws) == 1, "nobody approved a lower VIP bar"


def test_override_approval_and_duration_are_read_from_the_standard_in_force_not_a_draft_run(
    ws: tw.Workspace,
) -> None:
    _draft_run(ws)
    own = lc.request_override(ws, "yearly-sales", "K4", "VIP", "战略客户", AS_OF + dt.timedelta(days=90), on=AS_OF)
    with pytest.raises(tw.AccessDenied, match="a different user"):
        lc.decide_request(ws, own, approve=True, on=AS_OF)
    with pytest.raises(tw.WorkspaceError, match="at most 12 months"):
        lc.request_override(ws, "yearly-sales", "K5", "A", "四年", AS_OF + dt.timedelta(days=4 * 365), on=AS_OF)


def test_a_draft_run_is_published_only_by_a_manager_who_confirms_its_rule_diff(ws: tw.Workspace) -> None:
    run = _draft_run(ws)
    with pytest.raises(tw.Refused, match="read the rule diff") as refused:
        lc.publish(ws, run.id)
    assert "规则差异" in refused.value.text("zh")
    assert _vip(ws) == 1
    rules = lc.rule_change(ws, run.id)
    assert rules.needs_confirmation
    assert rules.source == "publication"
    assert "-    steps: [{grade: VIP, at_least: 1000万}" in rules.diff
    assert "+    steps: [{grade: VIP, at_least: 100万}" in rules.diff
    with pytest.raises(tw.AccessDenied):
        lc.publish(ws.acting("ana"), run.id, accept_rules=True)
    lc.publish(ws, run.id, accept_rules=True)
    assert _vip(ws) == 3
    published = [r for r in ws.audit_records() if r["action"] == "publish"][-1]
    assert "at_least: 100万" in published["detail"]
    assert tw.current_standard(ws, "yearly-sales").version == "2", "the confirmed rules are now in force"


def test_a_run_of_edited_rules_is_a_draft_run_even_when_not_started_from_a_draft(
    ws: tw.Workspace, tmp_path: Path
) -> None:
    edited = tmp_path / "edited.yaml"
    edited.write_text(DRAFT, encoding="utf-8")
    run = tw.run_standard(ws, edited, AS_OF)
    assert run.draft
    with pytest.raises(tw.Refused, match="rules' text was changed"):
        lc.publish(ws, run.id)


def test_a_manager_adopts_a_draft_as_the_standard_in_force_with_the_diff_audited(ws: tw.Workspace) -> None:
    ana = ws.acting("ana")
    tw.save_draft(ana, "yearly-sales", DRAFT)
    with pytest.raises(tw.AccessDenied):
        tw.adopt_draft(ana, "yearly-sales", "新年度政策")
    with pytest.raises(tw.Refused, match="needs a reason"):
        tw.adopt_draft(ws, "yearly-sales", " ")
    diff = tw.adopt_draft(ws, "yearly-sales", "新年度政策")
    assert "+    steps: [{grade: VIP, at_least: 100万}" in diff
    assert tw.current_standard(ws, "yearly-sales").text == DRAFT
    adopted = [r for r in ws.audit_records() if r["action"] == "standard-adopted"]
    assert [(r["user"], r["why"]) for r in adopted] == [("alice", "新年度政策")]
    assert "at_least: 1000万" in adopted[0]["detail"]
    run = tw.run_standard(ws, tw.current_standard(ws, "yearly-sales"), AS_OF)
    assert not run.draft
    lc.publish(ws, run.id)
    assert _vip(ws) == 3
    with pytest.raises(tw.Refused, match="nothing to adopt"):
        tw.adopt_draft(ws, "yearly-sales", "again")


def test_a_standard_never_published_adopted_or_filed_is_not_in_force(ws: tw.Workspace) -> None:
    with pytest.raises(tw.Refused, match="There is no standard 'other' in force"):
        tw.current_standard(ws, "other")


def test_the_cli_adopts_a_draft_after_printing_its_rule_diff(ws: tw.Workspace) -> None:
    from typer.testing import CliRunner

    from tierwise.cli import app

    tw.save_draft(ws.acting("ana"), "yearly-sales", DRAFT)
    runner = CliRunner()
    declined = runner.invoke(app, ["adopt", "yearly-sales", "-r", "新政策", "-w", str(ws.root)], input="n\n")
    assert declined.exit_code == 1
    assert "+    steps: [{grade: VIP, at_least: 100万}" in declined.output
    assert tw.current_standard(ws, "yearly-sales").text == STANDARD
    adopted = runner.invoke(app, ["adopt", "yearly-sales", "-r", "新政策", "--yes", "-w", str(ws.root)])
    assert adopted.exit_code == 0, adopted.output
    assert tw.current_standard(ws, "yearly-sales").text == DRAFT


def test_the_web_shows_the_rule_diff_and_a_manager_adopts_the_draft_with_a_reason_and_a_confirmation(
    ws: tw.Workspace,
) -> None:
    from fastapi.testclient import TestClient
    from tests._process import PASSWORD

    from tierwise.web import create_app

    tw.save_draft(ws.acting("ana"), "yearly-sales", DRAFT)
    with TestClient(create_app(ws.root)) as web:
        analyst = web.post("/api/v1/login", json={"name": "ana", "password": PASSWORD})
        assert analyst.status_code == 200, analyst.text
        assert 'id="adopt-form"' not in web.get("/standards/yearly-sales").text  # an analyst may not adopt
        assert web.post("/api/v1/standards/yearly-sales/adopt", json={"why": "x", "confirm": True}).status_code == 403
        web.post("/logout")
        web.cookies.clear()
        manager = web.post("/api/v1/login", json={"name": "alice", "password": PASSWORD})
        assert manager.status_code == 200, manager.text
        page = web.get("/standards/yearly-sales").text
        assert 'id="adopt-form"' in page
        assert "采用为现行标准" in page
        assert "+    steps: [{grade: VIP, at_least: 100万}" in page  # the diff, before anything is adopted
        unconfirmed = web.post("/api/v1/standards/yearly-sales/adopt", json={"why": "新年度政策"})
        assert unconfirmed.status_code == 400
        assert "请先阅读它与现行规则的差异，再勾选确认" in unconfirmed.json()["detail"]
        no_reason = web.post("/api/v1/standards/yearly-sales/adopt", json={"why": " ", "confirm": True})
        assert no_reason.status_code == 400
        assert tw.current_standard(ws, "yearly-sales").text == STANDARD
        adopted = web.post("/api/v1/standards/yearly-sales/adopt", json={"why": "新年度政策", "confirm": True})
        assert adopted.status_code == 200, adopted.text
        assert adopted.json()["adopted"] is True
    assert tw.current_standard(ws, "yearly-sales").text == DRAFT
    records = [r for r in ws.audit_records() if r["action"] == "standard-adopted"]
    assert [(r["user"], r["why"]) for r in records] == [("alice", "新年度政策")]
