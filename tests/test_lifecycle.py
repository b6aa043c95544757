"""Publishing with the lifecycle: three yearly evaluations, approvals, expiry and history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.conftest import run_cli, run_entry_point

import tierwise.lifecycle as lc
import tierwise.workspace as tw
from tierwise import import_file

STANDARD = """tierwise: 1
id: yearly-sales
name: 年度销售额分级
version: "1"
grades: [VIP, A, B, C]
indicators:
  sales_12m: {from: transactions, agg: sum(amount), window: 12 months}
grade:
  ladder:
    on: sales_12m
    steps: [{grade: VIP, at_least: 100万}, {grade: A, at_least: 50万}, {grade: B, at_least: 10万}, {grade: C}]
lifecycle:
  provisional: {tenure_below: 6 months}
  downgrade: {hold: 1, max_steps: 1}
  upgrade: by_application
  overrides: {approval: required, max_duration: 15 months}
"""
YEARS = (dt.date(2024, 3, 31), dt.date(2025, 3, 31), dt.date(2026, 3, 31))
SALES = {  # customer -> 12-month sales in each of the three years
    "P": (600_000, 600_000, 600_000),  # new in December 2023: provisional, then confirmed
    "D": (600_000, 50_000, 50_000),  # A, falls to C: held once, then one step down to B
    "O": (200_000, 200_000, 200_000),  # B, with an override to A until mid-2025
    "U": (200_000, 600_000, 600_000),  # B, rises to A: waits for its application
}


PASSWORDS = {"alice": "alice-secret-1", "bob": "bob-secret-22"}


@pytest.fixture
def scenario(tmp_path: Path) -> tuple[tw.Workspace, Path]:
    """The workspace as alice (a manager); bob is another manager."""
    admin = tw.Workspace.init(tmp_path / "ws")
    for name, password in PASSWORDS.items():
        tw.add_user(admin, name, "manager", password=password)
    ws = admin.as_user("alice", PASSWORDS["alice"])
    created = {"P": dt.date(2023, 12, 1), "D": dt.date(2015, 1, 1), "O": dt.date(2016, 1, 1), "U": dt.date(2017, 1, 1)}
    customers = pa.table({"customer_id": list(created), "created_at": list(created.values())})
    rows = [
        (c, year - dt.timedelta(days=30), amounts[i]) for c, amounts in SALES.items() for i, year in enumerate(YEARS)
    ]
    transactions = pa.table(
        {"customer_id": [r[0] for r in rows], "date": [r[1] for r in rows], "amount": [float(r[2]) for r in rows]}
    )
    pq.write_table(customers, tmp_path / "customers.parquet")
    pq.write_table(transactions, tmp_path / "transactions.parquet")
    import_file(ws, "customers", tmp_path / "customers.parquet", today=YEARS[-1])
    import_file(ws, "transactions", tmp_path / "transactions.parquet", today=YEARS[-1])
    standard = tmp_path / "yearly-sales.yaml"
    standard.write_text(STANDARD, encoding="utf-8")
    return ws, standard


def _steps(ws: tw.Workspace, customer: str) -> list[tuple[str | None, str, dt.date, dt.date | None]]:
    return [(h["grade"], h["state"], h["valid_from"], h["valid_to"]) for h in lc.history(ws, customer)]


def test_three_yearly_evaluations_tell_every_lifecycle_step(scenario: tuple[tw.Workspace, Path]) -> None:
    ws, standard = scenario
    bob = ws.as_user("bob", PASSWORDS["bob"])
    y1, y2, y3 = (tw.run_standard(ws, standard, year) for year in YEARS)

    lc.publish(ws, y1.id)
    override = lc.request_override(
        ws, "yearly-sales", "O", "A", "战略合作，总经理特批", dt.date(2025, 6, 30), on=dt.date(2024, 4, 10)
    )
    with pytest.raises(tw.AccessDenied, match="a different user with the role manager or admin must approve"):
        lc.decide_request(ws, override, approve=True, on=dt.date(2024, 4, 15))
    lc.decide_request(bob, override, approve=True, why="同意", on=dt.date(2024, 4, 15))

    second = lc.publish(ws, y2.id)
    assert second.applications == 1
    application = next(r for r in lc.requests(ws, "pending") if r["kind"] == "upgrade")
    assert (application["customer_id"], application["grade"]) == ("U", "A")
    lc.decide_request(bob, application["id"], approve=True, why="业绩达标", on=dt.date(2025, 4, 10))

    third = lc.publish(ws, y3.id)
    assert third.expired_overrides == 1

    assert _steps(ws, "P") == [("A", "provisional", YEARS[0], YEARS[1]), ("A", "confirmed", YEARS[1], None)]
    assert _steps(ws, "D") == [
        ("A", "confirmed", YEARS[0], YEARS[1]),
        ("A", "held", YEARS[1], YEARS[2]),
        ("B", "confirmed", YEARS[2], None),
    ]
    assert _steps(ws, "O") == [  # the override ends on its last day (2025-06-30), not at the next publication
        ("B", "confirmed", YEARS[0], dt.date(2024, 4, 15)),
        ("A", "override", dt.date(2024, 4, 15), dt.date(2025, 7, 1)),
        ("B", "confirmed", dt.date(2025, 7, 1), YEARS[2]),
        ("B", "confirmed", YEARS[2], None),
    ]
    assert lc.grades_on(ws, "yearly-sales", dt.date(2025, 6, 30))["O"] == ("A", "override")
    assert lc.grades_on(ws, "yearly-sales", dt.date(2025, 7, 1))["O"] == ("B", "confirmed")
    assert "2025-06-30 到期" in lc.history(ws, "O")[2]["why"]
    assert _steps(ws, "U") == [
        ("B", "confirmed", YEARS[0], dt.date(2025, 4, 10)),
        ("A", "confirmed", dt.date(2025, 4, 10), None),
    ]
    why = {h["state"]: h["why"] for h in lc.history(ws, "D")}
    assert "降级宽限 1/1" in why["held"]
    assert "每次最多降 1 级" in lc.history(ws, "D")[-1]["why"]
    assert "特批到期" in lc.history(ws, "O")[-1]["why"]
    assert "升级申请" in lc.history(ws, "U")[-1]["why"]

    assert lc.grades_on(ws, "yearly-sales", dt.date(2024, 6, 1)) == {
        "D": ("A", "confirmed"),
        "O": ("A", "override"),
        "P": ("A", "provisional"),
        "U": ("B", "confirmed"),
    }
    actions = [r["action"] for r in ws.audit_records()]
    for action in ("publish", "override-requested", "override-approved", "upgrade-approved", "override-expired"):
        assert action in actions

    shown = run_cli("history", "D", "-w", str(ws.root))
    assert shown.returncode == 0, shown.stderr
    assert "降级宽限" in shown.stdout


def test_publishing_twice_or_an_older_run_is_refused(scenario: tuple[tw.Workspace, Path]) -> None:
    ws, standard = scenario
    later = tw.run_standard(ws, standard, YEARS[1])
    earlier = tw.run_standard(ws, standard, YEARS[0])
    lc.publish(ws, later.id)
    with pytest.raises(tw.WorkspaceError, match="already published"):
        lc.publish(ws, later.id)
    with pytest.raises(
        tw.WorkspaceError,
        match=r"is stale: run \d+ was published on .* as of 2025-03-31, which is not before this run's day 2024-03-31",
    ):
        lc.publish(ws, earlier.id)


def test_cancelled_customer_keeps_no_grade_until_reinstated(scenario: tuple[tw.Workspace, Path]) -> None:
    ws, standard = scenario
    lc.publish(ws, tw.run_standard(ws, standard, YEARS[0]).id)
    lc.cancel(ws, "yearly-sales", "D", "客户违约", on=dt.date(2024, 5, 1))
    lc.publish(ws, tw.run_standard(ws, standard, YEARS[1]).id)
    assert lc.grades_on(ws, "yearly-sales", YEARS[1])["D"] == (None, "cancelled")
    lc.reinstate(ws, "yearly-sales", "D", "整改完成", on=dt.date(2025, 5, 1))
    assert lc.grades_on(ws, "yearly-sales", dt.date(2025, 5, 2))["D"] == ("C", "confirmed")
    with pytest.raises(tw.WorkspaceError, match="not cancelled"):
        lc.reinstate(ws, "yearly-sales", "D", "again")


def test_override_beyond_its_maximum_or_to_an_unknown_grade_is_refused(scenario: tuple[tw.Workspace, Path]) -> None:
    ws, standard = scenario
    lc.publish(ws, tw.run_standard(ws, standard, YEARS[0]).id)
    with pytest.raises(tw.WorkspaceError, match="lasts at most 15 months"):
        lc.request_override(ws, "yearly-sales", "O", "A", "x", dt.date(2026, 1, 1), on=dt.date(2024, 4, 1))
    with pytest.raises(tw.WorkspaceError, match="not a grade"):
        lc.request_override(ws, "yearly-sales", "O", "AA", "x", dt.date(2024, 6, 1), on=dt.date(2024, 4, 1))


def test_simulate_shows_what_a_draft_would_change_and_stores_nothing(scenario: tuple[tw.Workspace, Path]) -> None:
    ws, standard = scenario
    lc.publish(ws, tw.run_standard(ws, standard, YEARS[0]).id)
    draft = standard.parent / "draft.yaml"
    draft.write_text(STANDARD.replace("at_least: 50万", "at_least: 70万"), encoding="utf-8")  # A gets harder
    runs_before = len(tw.list_runs(ws))
    change = lc.simulate(ws, draft)
    assert change.downgrades == 2  # P and D (60万) would fall from A to B
    assert change.matrix[("A", "B")] == 2
    assert change.moved[("A", "B")] == pytest.approx(1_200_000)
    assert len(tw.list_runs(ws)) == runs_before
    shown = run_cli("simulate", str(draft), "-w", str(ws.root))
    assert shown.returncode == 0, shown.stderr
    assert "downgrades 2" in shown.stdout


def test_diff_weighs_each_cell_by_the_amount_moved(scenario: tuple[tw.Workspace, Path]) -> None:
    ws, standard = scenario
    first, second = (tw.run_standard(ws, standard, year) for year in YEARS[:2])
    change = tw.diff_runs(ws, first.id, second.id)
    assert change.value == "sales_12m"
    assert change.matrix[("A", "C")] == 1  # D
    assert change.moved[("A", "C")] == pytest.approx(50_000)
    assert (change.upgrades, change.downgrades) == (1, 1)


def test_a_second_writer_gets_a_busy_message_not_a_corrupt_store(scenario: tuple[tw.Workspace, Path]) -> None:
    ws, standard = scenario
    config = ws.root / "tierwise.toml"
    config.write_text(config.read_text(encoding="utf-8") + "wait_seconds = 1\n", encoding="utf-8")
    with ws.writing() as con:
        ws.audit(con, "test-hold", None, {})
        # another process, as a second writer is (one process shares its own connection)
        blocked = run_entry_point("run", str(standard), "--as-of", "2026-03-31", "-w", str(ws.root))
    assert blocked.returncode == 1
    assert "busy" in blocked.stderr
    assert tw.list_runs(ws) == []  # nothing half-written; the store still opens
    tw.run_standard(ws, standard, YEARS[0])
    assert len(tw.list_runs(ws)) == 1
