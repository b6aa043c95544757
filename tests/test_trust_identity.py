"""Identities that mean something: registered users, roles, Argon2 passwords, approvals by another user."""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.conftest import run_cli

import tierwise.lifecycle as lc
import tierwise.workspace as tw
from tierwise import import_file

STANDARD = """tierwise: 1
id: s
name: s
version: "1"
grades: [A, B]
indicators:
  sales: {from: transactions, agg: sum(amount)}
grade: {ladder: {on: sales, steps: [{grade: A, at_least: 100}, {grade: B}]}}
lifecycle:
  overrides: {approval: required}
"""
PASSWORDS = {"alice": "alice-secret-1", "bob": "bob-secret-22", "carol": "carol-secret-3", "viv": "viewer-secret-4"}
TODAY = dt.date.today()


@pytest.fixture
def ws(tmp_path: Path) -> tw.Workspace:
    """Admin (the OS login), alice (account manager of 华东), bob (manager), carol (account manager of 华北)."""
    admin = tw.Workspace.init(tmp_path / "ws")
    tw.add_user(admin, "alice", "account_manager", regions=("华东",), password=PASSWORDS["alice"])
    tw.add_user(admin, "bob", "manager", password=PASSWORDS["bob"])
    tw.add_user(admin, "carol", "account_manager", regions=("华北",), password=PASSWORDS["carol"])
    tw.add_user(admin, "viv", "viewer", password=PASSWORDS["viv"])
    customers = pa.table({"customer_id": ["C1", "C2"], "region": ["华东", "华北"]})
    transactions = pa.table({"customer_id": ["C1", "C2"], "date": [dt.date(2025, 1, 5)] * 2, "amount": [50.0, 500.0]})
    pq.write_table(customers, tmp_path / "customers.parquet")
    pq.write_table(transactions, tmp_path / "transactions.parquet")
    import_file(admin, "customers", tmp_path / "customers.parquet")
    import_file(admin, "transactions", tmp_path / "transactions.parquet")
    (tmp_path / "s.yaml").write_text(STANDARD, encoding="utf-8")
    lc.publish(admin, tw.run_standard(admin, tmp_path / "s.yaml", "2025-03-31").id)
    return admin


def _request(ws: tw.Workspace) -> int:
    alice = ws.as_user("alice", PASSWORDS["alice"])
    return lc.request_override(alice, "s", "C1", "A", "战略客户", TODAY + dt.timedelta(days=90))


def test_init_makes_the_os_login_the_first_admin(ws: tw.Workspace) -> None:
    users = {u.name: u for u in tw.list_users(ws)}
    assert users[getpass.getuser()].role == "admin"
    assert ws.audit_records()[0]["user"] == getpass.getuser()


def test_passwords_are_stored_as_argon2_hashes_never_in_clear(ws: tw.Workspace) -> None:
    with duckdb.connect(str(ws.database), read_only=True) as con:
        stored = dict(con.execute("SELECT name, password_hash FROM users").fetchall())
    assert stored["alice"].startswith("$argon2id$")
    assert all(PASSWORDS["alice"] not in (h or "") for h in stored.values())


@pytest.mark.parametrize("name", ["alice", "ALICE", "alice ", "Ａｌｉｃｅ"])
def test_the_requester_cannot_approve_their_own_override_under_any_spelling(ws: tw.Workspace, name: str) -> None:
    request = _request(ws)
    tw.add_user(ws, "alice_mgr", "manager", password="mgr-secret-9")
    same = ws.as_user(name, PASSWORDS["alice"])
    with pytest.raises(tw.AccessDenied):
        lc.decide_request(same, request, approve=True)
    assert lc.requests(ws, "pending")[0]["id"] == request


def test_an_unregistered_name_cannot_approve(ws: tw.Workspace) -> None:
    _request(ws)
    with pytest.raises(tw.AccessDenied, match="is not a user of this workspace"):
        ws.as_user("alice2", "whatever-1")


def test_a_wrong_or_missing_password_is_refused(ws: tw.Workspace) -> None:
    with pytest.raises(tw.AccessDenied, match="wrong"):
        ws.as_user("bob", "not-his-password")
    with pytest.raises(tw.AccessDenied, match="needs their password"):
        ws.as_user("bob")


def test_an_approval_needs_the_approving_role(ws: tw.Workspace) -> None:
    request = _request(ws)
    for name in ("carol", "viv"):
        with pytest.raises(tw.AccessDenied, match="may not approve"):
            lc.decide_request(ws.as_user(name, PASSWORDS[name]), request, approve=True)
    lc.decide_request(ws.as_user("bob", PASSWORDS["bob"]), request, approve=True, why="同意")
    approved = lc.requests(ws)[0]
    assert (approved["status"], approved["decided_by"], approved["requested_by"]) == ("approved", "bob", "alice")


def test_the_audit_log_records_the_authenticated_name_not_an_environment_variable(
    ws: tw.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIERWISE_USER", "bob")
    request = _request(ws)
    lc.decide_request(ws.as_user("bob", PASSWORDS["bob"]), request, approve=True, why="同意")
    actions = {r["action"]: r["user"] for r in ws.audit_records("C1")}
    assert actions["override-requested"] == "alice"
    assert actions["override-approved"] == "bob"


def test_an_account_manager_requests_only_for_customers_of_their_regions(ws: tw.Workspace) -> None:
    alice = ws.as_user("alice", PASSWORDS["alice"])
    with pytest.raises(tw.NotFound, match="no customer 'C2' among the customers you may see") as refused:
        lc.request_override(alice, "s", "C2", "A", "想要", TODAY + dt.timedelta(days=30))
    with pytest.raises(tw.NotFound) as missing:
        lc.request_override(alice, "s", "C9", "A", "想要", TODAY + dt.timedelta(days=30))
    assert str(refused.value).replace("C2", "?") == str(missing.value).replace("C9", "?"), "another region's = none"


def test_an_override_or_cancellation_for_a_customer_that_does_not_exist_is_refused(ws: tw.Workspace) -> None:
    with pytest.raises(tw.WorkspaceError, match="no customer 'D9999'"):
        lc.request_override(ws, "s", "D9999", "A", "test", TODAY + dt.timedelta(days=30))
    with pytest.raises(tw.WorkspaceError, match="no customer 'D9999'"):
        lc.cancel(ws, "s", "D9999", "test")
    assert lc.requests(ws) == []


def test_a_viewer_cannot_import_run_or_publish(ws: tw.Workspace, tmp_path: Path) -> None:
    viv = ws.as_user("viv", PASSWORDS["viv"])
    with pytest.raises(tw.AccessDenied, match="may not import data"):
        import_file(viv, "customers", tmp_path / "customers.parquet")
    with pytest.raises(tw.AccessDenied, match="may not store runs"):
        tw.run_standard(viv, tmp_path / "s.yaml", "2025-03-31")
    with pytest.raises(tw.AccessDenied, match="may not publish"):
        lc.publish(viv, 1)


def test_a_disabled_user_cannot_act(ws: tw.Workspace) -> None:
    tw.disable_user(ws, "bob")
    with pytest.raises(tw.AccessDenied, match="disabled"):
        ws.as_user("bob", PASSWORDS["bob"])


def test_user_names_are_unique_whatever_their_case(ws: tw.Workspace) -> None:
    with pytest.raises(tw.WorkspaceError, match="already a user 'bob'"):
        tw.add_user(ws, "BOB", "viewer")


def test_an_os_login_that_is_not_registered_cannot_write(tmp_path: Path) -> None:
    ws = tw.Workspace.init(tmp_path / "ws")
    with duckdb.connect(str(ws.database)) as con:
        con.execute("DELETE FROM users")
    (tmp_path / "c.csv").write_text("customer_id\nC1\n", encoding="utf-8")
    with pytest.raises(tw.AccessDenied, match="not a user of the workspace"):
        import_file(ws, "customers", tmp_path / "c.csv")


def test_cli_users_add_list_and_approve_as_another_user_with_password_stdin(ws: tw.Workspace) -> None:
    root = str(ws.root)
    added = run_cli(
        "users", "add", "dave", "--role", "manager", "--new-password-stdin", "-w", root, stdin="dave-pass-55\n"
    )
    assert added.returncode == 0, added.stderr
    listed = run_cli("users", "list", "-w", root)
    assert "dave" in listed.stdout
    assert "经理" in listed.stdout
    request = _request(ws)
    wrong = run_cli("--user", "dave", "--password-stdin", "approve", str(request), "-w", root, stdin="nope-nope\n")
    assert wrong.returncode == 1
    assert wrong.stderr.startswith("Error: The password for 'dave' is wrong.")
    good = run_cli("--user", "dave", "--password-stdin", "approve", str(request), "-w", root, stdin="dave-pass-55\n")
    assert good.returncode == 0, good.stderr
    assert lc.requests(ws)[0]["decided_by"] == "dave"


def test_cli_acting_as_another_user_without_a_password_is_refused(ws: tw.Workspace) -> None:
    request = _request(ws)
    result = run_cli("--user", "bob", "approve", str(request), "-w", str(ws.root))
    assert result.returncode == 1
    assert "needs their password" in result.stderr
    assert lc.requests(ws, "pending")[0]["id"] == request
