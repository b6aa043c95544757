"""Grades true as of their date: customers that existed then, rows dated up to then, no future runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.conftest import run_cli, write_standard

import tierwise
import tierwise.lifecycle as lc
import tierwise.workspace as tw

STANDARD = """
tierwise: 1
id: sales
name: sales
version: "1"
grades: [A, B]
indicators:
  sales: {from: transactions, agg: sum(amount)}
grade: {ladder: {on: sales, steps: [{grade: A, at_least: 100}, {grade: B}]}}
lifecycle:
  provisional: {tenure_below: 6 months}
"""


@pytest.fixture
def ws(tmp_path: Path) -> tw.Workspace:
    workspace = tw.Workspace.init(tmp_path / "ws")
    customers = pa.table({"customer_id": ["OLD", "NEW"], "created_at": [dt.date(2020, 1, 1), dt.date(2025, 2, 1)]})
    transactions = pa.table(
        {
            "customer_id": ["OLD", "NEW"],
            "date": [dt.date(2024, 6, 1), dt.date(2025, 3, 1)],
            "amount": [500.0, 900.0],
        }
    )
    pq.write_table(customers, tmp_path / "customers.parquet")
    pq.write_table(transactions, tmp_path / "transactions.parquet")
    tierwise.import_file(workspace, "customers", tmp_path / "customers.parquet")
    tierwise.import_file(workspace, "transactions", tmp_path / "transactions.parquet")
    write_standard(tmp_path, STANDARD)
    return workspace


def test_a_run_as_of_a_date_grades_only_customers_that_existed_then(ws: tw.Workspace, tmp_path: Path) -> None:
    info = tw.run_standard(ws, tmp_path / "sales.yaml", "2024-12-31")
    assert [r["customer_id"] for r in tw.run_rows(ws, info.id)] == ["OLD"]
    result = lc.publish(ws, info.id)
    assert result.states == {"confirmed": 1}  # no provisional grade for a customer of 2025


def test_evaluate_with_a_customers_table_skips_customers_created_after_the_date(tmp_path: Path) -> None:
    path = write_standard(tmp_path, STANDARD)
    data = {
        "customers": pd.DataFrame({"customer_id": ["OLD", "NEW"], "created_at": ["2020-01-01", "2025-02-01"]}),
        "transactions": pd.DataFrame({"customer_id": ["OLD"], "date": [dt.date(2024, 6, 1)], "amount": [5.0]}),
    }
    result = tierwise.evaluate(path, data=data, as_of="2024-12-31")
    assert list(result.to_pandas()["customer_id"]) == ["OLD"]


def test_without_a_customers_table_a_customer_whose_rows_all_come_later_is_not_graded(tmp_path: Path) -> None:
    path = write_standard(tmp_path, STANDARD)
    transactions = pd.DataFrame(
        {"customer_id": ["OLD", "LATER"], "date": [dt.date(2024, 6, 1), dt.date(2025, 3, 1)], "amount": [5.0, 9.0]}
    )
    result = tierwise.evaluate(path, data={"transactions": transactions}, as_of="2024-12-31")
    assert list(result.to_pandas()["customer_id"]) == ["OLD"]


def test_a_run_as_of_a_future_date_is_refused_and_nothing_is_stored(ws: tw.Workspace, tmp_path: Path) -> None:
    future = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(tw.WorkspaceError, match="is in the future"):
        tw.run_standard(ws, tmp_path / "sales.yaml", future)
    result = run_cli("run", str(tmp_path / "sales.yaml"), "--as-of", "2030-01-01", "-w", str(ws.root))
    assert result.returncode == 1
    assert "in the future" in result.stderr
    assert tw.list_runs(ws) == []


@pytest.mark.parametrize("written", ["2024/12/31", "2024年12月31日", "20241231", "２０２４-１２-３１"])
def test_as_of_accepts_the_date_forms_imports_accept(ws: tw.Workspace, tmp_path: Path, written: str) -> None:
    result = run_cli("run", str(tmp_path / "sales.yaml"), "--as-of", written, "-w", str(ws.root))
    assert result.returncode == 0, result.stderr
    assert tw.list_runs(ws)[0].as_of == dt.date(2024, 12, 31)


def test_a_date_that_does_not_exist_is_a_sentence(tmp_path: Path) -> None:
    path = write_standard(tmp_path, STANDARD)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "transactions.csv").write_text("customer_id,date,amount\nA,2024-01-01,1\n", encoding="utf-8")
    result = run_cli("evaluate", str(path), "--data", str(tmp_path / "d"), "--as-of", "2024-02-30")
    assert result.returncode == 1
    assert "no day 2024-02-30" in result.stderr


def test_an_evaluation_as_of_a_future_date_is_refused_like_a_run(tmp_path: Path) -> None:
    path = write_standard(tmp_path, STANDARD)
    future = dt.date.today() + dt.timedelta(days=1)
    transactions = pd.DataFrame({"customer_id": ["K1"], "date": [dt.date(2024, 6, 1)], "amount": [5.0]})
    with pytest.raises(ValueError, match=f"An evaluation as of {future} is in the future") as caught:
        tierwise.evaluate(path, data={"transactions": transactions}, as_of=future)
    assert "Use a date up to today." in str(caught.value)
    with pytest.raises(ValueError, match="is in the future"):
        tierwise.evaluate_many([path], {"transactions": transactions}, future)
    data = tmp_path / "data"
    data.mkdir()
    transactions.to_csv(data / "transactions.csv", index=False)
    result = run_cli("evaluate", str(path), "--data", str(data), "--as-of", "2099-01-01")
    assert result.returncode == 1
    assert "An evaluation as of 2099-01-01 is in the future" in result.stderr
    assert "Traceback" not in result.stderr
