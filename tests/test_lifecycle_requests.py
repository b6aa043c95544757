"""Applications and 特批 are decided with the evaluation beside them (issue 24, item 4)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from tests.test_lifecycle import PASSWORDS, YEARS, scenario

import tierwise.lifecycle as lc
import tierwise.workspace as tw

__all__ = ["scenario"]

STD = "yearly-sales"


def _request(ws: tw.Workspace, request_id: int) -> dict[str, object]:
    return next(r for r in lc.requests(ws) if r["id"] == request_id)


def test_a_request_shows_the_grade_in_force_and_the_latest_evaluation(scenario: tuple[tw.Workspace, Path]) -> None:
    ws, standard = scenario
    lc.publish(ws, tw.run_standard(ws, standard, YEARS[0]).id)
    request = lc.apply_upgrade(ws, STD, "O", "A", "新签大单")

    shown = _request(ws, request)

    assert (shown["current_grade"], shown["evaluated_grade"], shown["evaluated_next"]) == ("B", "B", "A")
    assert shown["evaluated_gap"] == 300_000
    assert shown["evaluated_reason"]
    scoped = lc.scoped_requests(ws, None, customer="O")[0]
    assert (scoped["current_grade"], scoped["evaluated_grade"]) == ("B", "B")


def test_an_upgrade_above_the_evaluation_needs_the_approver_to_override_it(scenario: tuple[tw.Workspace, Path]) -> None:
    ws, standard = scenario
    bob = ws.as_user("bob", PASSWORDS["bob"])
    lc.publish(ws, tw.run_standard(ws, standard, YEARS[0]).id)
    request = lc.apply_upgrade(ws, STD, "O", "A", "关系好")

    with pytest.raises(
        tw.Refused, match="the latest published evaluation of customer O is B, which does not support A"
    ):
        lc.decide_request(bob, request, approve=True, on=dt.date(2024, 6, 1))
    assert _request(ws, request)["status"] == "pending"

    lc.decide_request(bob, request, approve=True, on=dt.date(2024, 6, 1), override_evaluation=True)

    recorded = _request(ws, request)
    assert (recorded["kind"], recorded["status"], recorded["until"]) == ("override", "approved", dt.date(2025, 8, 31))
    assert lc.grades_on(ws, STD, dt.date(2024, 7, 1))["O"] == ("A", "override")
    assert "override-approved" in [r["action"] for r in ws.audit_records("O")]


def test_an_application_a_later_evaluation_contradicts_is_closed_with_the_reason(
    scenario: tuple[tw.Workspace, Path],
) -> None:
    ws, standard = scenario
    bob = ws.as_user("bob", PASSWORDS["bob"])
    lc.publish(ws, tw.run_standard(ws, standard, YEARS[0]).id)
    request = lc.apply_upgrade(ws, STD, "O", "A", "预计增长")
    later = tw.run_standard(ws, standard, YEARS[1])  # O is still evaluated B

    result = lc.publish(ws, later.id)

    closed = _request(ws, request)
    assert result.closed_applications == 1
    assert closed["status"] == "closed"
    assert closed["decision_why"] == f"评估 #{later.id} 评为 B，低于申请的 A，申请自动关闭"
    audit = [r for r in ws.audit_records("O") if r["action"] == "upgrade-closed"]
    assert len(audit) == 1
    assert json.loads(audit[0]["detail"])["evaluated"] == "B"
    with pytest.raises(tw.WorkspaceError, match="already closed"):
        lc.decide_request(bob, request, approve=True)


def test_an_application_the_evaluation_supports_stays_open_and_is_approved_as_an_upgrade(
    scenario: tuple[tw.Workspace, Path],
) -> None:
    ws, standard = scenario
    bob = ws.as_user("bob", PASSWORDS["bob"])
    lc.publish(ws, tw.run_standard(ws, standard, YEARS[0]).id)
    lc.publish(ws, tw.run_standard(ws, standard, YEARS[1]).id)  # U evaluated A: its application is filed
    request = next(r["id"] for r in lc.requests(ws, "pending") if r["customer_id"] == "U")

    lc.decide_request(bob, request, approve=True, on=dt.date(2025, 4, 1))

    assert (_request(ws, request)["kind"], lc.history(ws, "U", STD)[-1]["grade"]) == ("upgrade", "A")


def test_a_special_approval_to_the_grade_already_held_is_refused(scenario: tuple[tw.Workspace, Path]) -> None:
    ws, standard = scenario
    lc.publish(ws, tw.run_standard(ws, standard, YEARS[0]).id)

    with pytest.raises(tw.Refused, match="Customer O already holds B under 'yearly-sales'"):
        lc.request_override(ws, STD, "O", "B", "保持", dt.date(2025, 1, 31), on=dt.date(2024, 6, 1))

    assert not [r for r in lc.requests(ws) if r["kind"] == "override"]


def test_approving_an_upgrade_to_a_grade_already_held_is_refused(scenario: tuple[tw.Workspace, Path]) -> None:
    ws, standard = scenario
    bob = ws.as_user("bob", PASSWORDS["bob"])
    lc.publish(ws, tw.run_standard(ws, standard, YEARS[0]).id)
    request = lc.apply_upgrade(ws, STD, "O", "A", "关系好")
    special = lc.request_override(ws, STD, "O", "VIP", "战略", dt.date(2025, 1, 31), on=dt.date(2024, 6, 1))
    lc.decide_request(bob, special, approve=True, on=dt.date(2024, 6, 1))

    with pytest.raises(tw.Refused, match="customer O already holds VIP, not below the A asked for"):
        lc.decide_request(bob, request, approve=True, on=dt.date(2024, 6, 2), override_evaluation=True)


def test_the_web_offers_the_override_beside_the_evaluation_and_approves_with_it(
    scenario: tuple[tw.Workspace, Path],
) -> None:
    from fastapi.testclient import TestClient

    from tierwise.web import create_app

    ws, standard = scenario
    lc.publish(ws, tw.run_standard(ws, standard, YEARS[0]).id)
    request = lc.apply_upgrade(ws, STD, "O", "A", "关系好")
    with TestClient(create_app(ws.root)) as web:
        signed = web.post("/api/v1/login", json={"name": "bob", "password": PASSWORDS["bob"]})
        assert signed.status_code == 200, signed.text
        page = web.get("/requests").text
        assert 'name="override_evaluation"' in page
        assert "否决评估结果（按特批记录）" in page
        refused = web.post(f"/api/v1/requests/{request}/approve", json={"why": "关系好"})
        assert refused.status_code == 400
        assert "最近一次发布的评估为 B，不支持升到 A；若仍要批准，请勾选“否决评估结果”" in refused.json()["detail"]
        assert _request(ws, request)["status"] == "pending"
        approved = web.post(f"/api/v1/requests/{request}/approve", json={"why": "关系好", "override_evaluation": True})
        assert approved.status_code == 200, approved.text
    recorded = _request(ws, request)
    assert (recorded["kind"], recorded["status"]) == ("override", "approved")
    assert "override-approved" in [r["action"] for r in ws.audit_records("O")]
