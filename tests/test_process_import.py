"""Imports have no destructive default: append, or an explicit replace that shows what it deletes and asks (issue 24).

Reproduces the finding: a monthly export uploaded with the defaults replaced the table and
deleted all history.
"""

from __future__ import annotations

from pathlib import Path

from tests._process import AS_OF, published, transactions
from typer.testing import CliRunner

import tierwise.workspace as tw
from tierwise import import_file
from tierwise.cli import app


def test_a_monthly_export_imported_with_the_defaults_is_appended_and_the_history_kept(tmp_path: Path) -> None:
    ws = published(tmp_path)
    month = transactions(tmp_path, {"K1": 5.0}, AS_OF)
    assert import_file(ws, "transactions", month).mode == "append"
    assert ws.tables()["transactions"] == 6
    answer = CliRunner().invoke(app, ["import", "transactions", str(month), "-w", str(ws.root)])
    assert answer.exit_code == 0, answer.output
    assert "(append)" in answer.output
    assert ws.tables()["transactions"] == 7


def test_replace_on_the_cli_shows_what_it_deletes_and_asks_unless_yes(tmp_path: Path) -> None:
    ws = published(tmp_path)
    month = transactions(tmp_path, {"K1": 5.0}, AS_OF)
    command = ["import", "transactions", str(month), "--mode", "replace", "-w", str(ws.root)]
    runner = CliRunner()
    declined = runner.invoke(app, command, input="n\n", env={"COLUMNS": "200"})
    assert declined.exit_code == 1
    assert "Replacing deletes all 5 rows now in 'transactions' (2026-03-21 to 2026-03-21, from 1 imports)" in (
        declined.output
    )
    assert ws.tables()["transactions"] == 5, "declined: nothing deleted"
    replaced = runner.invoke(app, [*command, "--yes"])
    assert replaced.exit_code == 0, replaced.output
    assert ws.tables()["transactions"] == 1
    audited = next(r for r in reversed(ws.audit_records()) if r["action"] == "import")
    assert '"replaced": {"rows": 5, "first": "2026-03-21", "last": "2026-03-21", "imports": 1}' in audited["detail"]


def test_replacing_a_new_or_empty_table_deletes_nothing_and_does_not_ask(tmp_path: Path) -> None:
    ws = published(tmp_path)
    assert tw.replacement(ws, "payments") is None
    lost = tw.replacement(ws, "transactions")
    assert lost is not None
    assert lost.text("zh") == "替换会删除表“transactions”现有的全部 5 行（2026-03-21 至 2026-03-21，来自 1 次导入）。"
