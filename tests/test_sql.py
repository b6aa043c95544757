"""The compiled SQL a DBA reads is stable (snapshots) and runs the same as the evaluation."""

from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from tests.conftest import CDNOW, EXAMPLES, run_cli

import tierwise


@pytest.mark.parametrize("name", ["annual-sales", "cdnow-abc", "cdnow-rfm-8"])
def test_compiled_sql_snapshot(name: str, snapshot: SnapshotAssertion) -> None:
    sql = tierwise.compiled_sql(EXAMPLES / "standards" / f"{name}.yaml", as_of="2026-03-31")
    assert sql == snapshot


def test_window_edges_appear_as_literal_dates_in_the_sql() -> None:
    sql = tierwise.compiled_sql(EXAMPLES / "standards" / "annual-sales.yaml", as_of="2026-03-31")
    assert '"date" <= MAKE_DATE(2026, 3, 31)' in sql
    assert '"date" > MAKE_DATE(2025, 3, 31)' in sql


def test_sql_from_real_schema_runs_in_duckdb_and_matches_evaluate() -> None:
    import duckdb

    data = CDNOW
    sql = tierwise.compiled_sql(EXAMPLES / "standards" / "cdnow-abc.yaml", data=data, as_of="1998-06-30")
    con = duckdb.connect()
    con.execute(
        f"CREATE TABLE transactions AS SELECT * FROM read_csv('{data / 'transactions.csv'}', types={{'customer_id': 'VARCHAR'}})"
    )
    by_sql = dict(con.execute(f"SELECT customer_id, grade FROM ({sql})").fetchall())
    result = tierwise.evaluate(EXAMPLES / "standards" / "cdnow-abc.yaml", data, "1998-06-30").to_pandas()
    assert by_sql == dict(zip(result["customer_id"], result["grade"], strict=True))


def test_sql_command_prints_the_query(tmp_path: Path) -> None:
    result = run_cli("sql", str(EXAMPLES / "standards" / "annual-sales.yaml"), "--as-of", "2026-03-31")
    assert result.returncode == 0, result.stderr
    assert result.stdout.lstrip().startswith("SELECT")
    assert '"transactions"' in result.stdout
