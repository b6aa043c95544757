"""SIGKILL during publish and approve leaves the workspace consistent: all of a change or none of it."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.conftest import demo_workspace

import tierwise
import tierwise.lifecycle as lc
import tierwise.workspace as tw

ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}
STANDARD = "annual-sales-grade"
MONTHS = [dt.date(2025, m, 28) for m in range(1, 13)]


@pytest.fixture
def ws(tmp_path: Path) -> tw.Workspace:
    workspace = demo_workspace(tmp_path, customers=2000, seed=8)
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


def _kill_at(command: list[str], delay: float) -> bool:
    """SIGKILL ``command`` after ``delay`` seconds; whether it was still running."""
    child = subprocess.Popen(command, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    return child.wait() == -signal.SIGKILL


def _cli(ws: tw.Workspace, *args: str) -> list[str]:
    return [sys.executable, "-m", "tierwise", *args, "-w", str(ws.root)]


HEAVY = ("annual-sales-grade", "rfm-8", "customer-pyramid", "abc-pareto", "membership-tier", "loyalty-status")


def _timed(ws: tw.Workspace, tmp_path: Path, *args: str) -> float:
    """How long the command takes on a copy of the workspace (so the kill can aim at its middle)."""
    copy = tmp_path / f"copy-{time.monotonic_ns()}"
    shutil.copytree(ws.root, copy)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tierwise", *args, "-w", str(copy)], env=ENV, check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    shutil.rmtree(copy)
    return elapsed


def test_sigkill_during_publish_leaves_all_of_it_or_none(ws: tw.Workspace, tmp_path: Path) -> None:
    interrupted = 0
    for standard, fraction in zip(HEAVY, (0.5, 0.6, 0.7, 0.75, 0.8, 0.85), strict=True):
        run_id = tw.run_standard(ws, tierwise.builtin_path(standard), MONTHS[0]).id  # a first publish: every grade
        full = _timed(ws, tmp_path, "publish", str(run_id), "--yes")
        interrupted += _kill_at(_cli(ws, "publish", str(run_id), "--yes"), full * fraction)
        _consistent(ws)
        if run_id not in {p["run_id"] for p in ws.records("SELECT run_id FROM publications")}:
            lc.publish(ws, run_id)  # killed before it committed: publishing it again works
            _consistent(ws)
    assert interrupted >= 3


def test_sigkill_during_approve_leaves_all_of_it_or_none(ws: tw.Workspace) -> None:
    lc.publish(ws, tw.run_standard(ws, tierwise.builtin_path(STANDARD), MONTHS[0]).id)
    alice = ws.as_user("alice", "alice-secret-1")
    customers = [r["customer_id"] for r in ws.records("SELECT customer_id FROM data.customers LIMIT 8")]
    until = dt.date.today() + dt.timedelta(days=60)
    requests = [lc.request_override(alice, STANDARD, c, "VIP", "战略客户", until) for c in customers]
    started = time.perf_counter()
    subprocess.run(_cli(ws, "approve", str(requests[0])), env=ENV, check=True, capture_output=True)
    full = time.perf_counter() - started
    interrupted = 0
    for request, fraction in zip(requests[1:], (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9), strict=True):
        interrupted += _kill_at(_cli(ws, "approve", str(request)), full * fraction)
        _consistent(ws)
        status = ws.records("SELECT status FROM requests WHERE id = ?", [request])[0]["status"]
        assert status in ("pending", "approved")
    assert interrupted >= 3
