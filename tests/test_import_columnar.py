"""Typed files (Parquet, Excel) import column by column with exactly the rows' results."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import tierwise
import tierwise.workspace as tw

TODAY = dt.date(2026, 3, 31)
CUSTOMERS = pd.DataFrame(
    {
        "客户编号": ["C001", "Ｃ００２", " C003 ", "", "C001", "C006"],
        "客户名称": [" 甲公司", "乙公司 ", "丙", "丁", "戊", ""],
        "总资产(万元)": ["12.5", "3", "1,200", "5", "6", "abc"],
        "建档日期": ["2020-01-05", "2024年3月5日", "2027-01-01", "2021/1/1", "2022-02-02", "2023-03-03"],
        "备注": ["是", "否", "是", "否", "是", "否"],
    }
)


def _import(ws: tw.Workspace, path: Path) -> tuple[list[dict[str, object]], list[tuple[int, str | None, str]]]:
    result = tierwise.import_file(ws, "customers", path, allow_bad_rows=True, today=TODAY)
    rows = ws.records("SELECT * FROM data.customers ORDER BY customer_id")
    problems = ws.records('SELECT "row", "column", problem FROM quarantine WHERE import_id = ?', [result.import_id])
    return rows, sorted((p["row"], p["column"], p["problem"]) for p in problems)


@pytest.mark.parametrize("typed", ["parquet", "xlsx"])
def test_a_typed_file_imports_as_the_same_rows_and_problems_as_its_csv(tmp_path: Path, typed: str) -> None:
    csv = tmp_path / "c.csv"
    CUSTOMERS.to_csv(csv, index=False)
    other = tmp_path / f"c.{typed}"
    if typed == "parquet":
        CUSTOMERS.to_parquet(other, index=False)
    else:
        tierwise.write_table(_arrow(), other)
    by_rows = _import(tw.Workspace.init(tmp_path / "a"), csv)
    by_columns = _import(tw.Workspace.init(tmp_path / "b"), other)
    assert by_columns == by_rows
    rows, problems = by_rows
    assert [r["customer_id"] for r in rows] == ["C001", "C002"]
    assert rows[0]["total_assets"] == 125_000
    assert rows[0]["name"] == "甲公司"
    assert rows[0]["备注"] is True
    assert {p[2] for p in problems} >= {
        "customer_id is empty",
        "duplicate customer_id (also on row 2)",
        "the date 2027-01-01 is in the future",
        "not a number",
    }


def _arrow() -> Any:
    import pyarrow as pa

    return pa.Table.from_pandas(CUSTOMERS, preserve_index=False)


def test_typed_numbers_dates_and_ids_go_straight_in(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    count = 200_000
    table = pa.table(
        {
            "customer_id": pa.array([f"K{i:07d}" for i in range(count)]),
            "total_assets": pa.array([float(i) for i in range(count)]),
            "created_at": pa.array([dt.date(2020, 1, 1)] * count, pa.date32()),
        }
    )
    pq.write_table(table, tmp_path / "c.parquet")
    ws = tw.Workspace.init(tmp_path / "ws")
    result = tierwise.import_file(ws, "customers", tmp_path / "c.parquet")
    assert result.rows == count
    stored = ws.records("SELECT sum(total_assets) AS s, min(created_at) AS d FROM data.customers")[0]
    assert stored["s"] == sum(range(count))
    assert stored["d"] == dt.date(2020, 1, 1)
