"""SIGKILL during publish and approve leaves the workspace consistent: all of a change or none of it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.conftest import demo_workspace, kill_inside_writes, run_cli

import tierwise
import tierwise.lifecycle as lc
import tierwise.workspace as tw

STANDARD = "annual-sales-grade"
MONTHS = [dt.date(2025, m, 28) for m in range(1, 13)]


@pytest.fixture
def ws(tmp_path: Path) -> tw.Workspace:
    workspace = demo_workspace(tmp_path, customers=800, seed=8)
    tw.add_user(workspace, "alice", "manager", password="alice-secret-1")
    return workspace


def _consistent(ws: tw.Workspace) -> None:
    with ws.reading() as con:
        published = {r[0] for r in con.execute("SELECT run_id FROM publications").fetchall()}
        graded = {r[0] for r in con.execute("SELECT DISTINCT run_id FROM grades WHERE run_id IS NOT NULL").fetchall()}
        doubled = con.execute(
            "SELECT count(*) FROM (SELECT standard_id, customer_id FROM grades WHERE valid_to IS NULL "
            "GROUP BY ALL HAVING count(*) > 1)"
        ).fetchall()[0][0]
        audited = con.execute("SELECT count(*) FROM audit_log WHERE action = 'publish'").fetchall()[0][0]
        approved = con.execute("SELECT count(*) FROM requests WHERE status = 'approved'").fetchall()[0][0]
        approvals = con.execute("SELECT count(*) FROM audit_log WHERE action = 'override-approved'").fetchall()[0][0]
        overrides = con.execute("SELECT count(*) FROM grades WHERE state = 'override'").fetchall()[0][0]
    assert graded <= published  # no grade from a run that is not published
    assert doubled == 0  # never two current grades for one customer
    assert audited == len(published)
    assert approved == approvals == overrides


POINTS = (0.05, 0.5, 1.0)  # of the way to COMMIT: its start, its middle, its last call before


def test_sigkill_during_publish_leaves_all_of_it_or_none(ws: tw.Workspace) -> None:
    for as_of in (MONTHS[0], MONTHS[6]):  # a first publication (every grade), then one of changes
        run_id = tw.run_standard(ws, tierwise.builtin_path(STANDARD), as_of).id
        killed = kill_inside_writes(
            ws.root, ["publish", str(run_id), "--yes", "-w", str(ws.root)], POINTS, lambda _: _consistent(ws)
        )
        assert len(killed) == len(POINTS)
        assert run_id not in {p["run_id"] for p in ws.records("SELECT run_id FROM publications")}
        lc.publish(ws, run_id)  # every kill came before the commit: publishing it now works
        _consistent(ws)


def test_sigkill_during_approve_leaves_all_of_it_or_none(ws: tw.Workspace) -> None:
    lc.publish(ws, tw.run_standard(ws, tierwise.builtin_path(STANDARD), MONTHS[0]).id)
    alice = ws.as_user("alice", "alice-secret-1")
    customer = ws.records("SELECT customer_id FROM data.customers LIMIT 1")[0]["customer_id"]
    until = dt.date.today() + dt.timedelta(days=60)
    request = lc.request_override(alice, STANDARD, customer, "VIP", "战略客户", until)

    def check(fraction: float) -> None:
        _consistent(ws)
        status = ws.records("SELECT status FROM requests WHERE id = ?", [request])[0]["status"]
        assert status == "pending", fraction

    assert len(kill_inside_writes(ws.root, ["approve", str(request), "-w", str(ws.root)], POINTS, check)) == len(POINTS)
    assert run_cli("approve", str(request), "-w", str(ws.root)).returncode == 0
    _consistent(ws)
    assert ws.records("SELECT status FROM requests WHERE id = ?", [request])[0]["status"] == "approved"
