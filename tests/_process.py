"""A small workspace for the tests of the process (standard in force, stale runs, impact, imports)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import tierwise.lifecycle as lc
import tierwise.workspace as tw
from tierwise import import_file

STANDARD = """tierwise: 1
id: yearly-sales
name: 年度销售额分级
version: "1"
grades: [VIP, A, C]
indicators:
  sales_12m: {from: transactions, agg: sum(amount), window: 12 months}
grade:
  ladder:
    on: sales_12m
    steps: [{grade: VIP, at_least: 1000万}, {grade: A, at_least: 50万}, {grade: C}]
lifecycle:
  overrides: {approval: required, max_duration: 12 months}
policies:
  VIP: {账期: 90天, 拜访频率: 每月}
  A: {账期: 60天, 拜访频率: 每季度}
  C: {账期: 款到发货, 拜访频率: 按需}
"""
DRAFT = (
    STANDARD.replace("at_least: 1000万", "at_least: 100万")
    .replace('version: "1"', 'version: "2"')
    .replace("approval: required, max_duration: 12 months", "approval: none, max_duration: 60 months")
)
AS_OF = dt.date(2026, 3, 31)
SALES = {"K1": 20_000_000.0, "K2": 2_000_000.0, "K3": 1_500_000.0, "K4": 600_000.0, "K5": 10_000.0}
PASSWORD = "secret-password-1"


def published(tmp_path: Path) -> tw.Workspace:
    """A workspace with one publication of ``STANDARD`` (run from a file outside the workspace), as alice."""
    admin = tw.Workspace.init(tmp_path / "ws")
    for name, role in (("alice", "manager"), ("bob", "manager"), ("ana", "analyst")):
        tw.add_user(admin, name, role, password=PASSWORD)
    pq.write_table(pa.table({"customer_id": list(SALES)}), tmp_path / "customers.parquet")
    transactions = pa.table(
        {
            "customer_id": list(SALES),
            "date": [AS_OF - dt.timedelta(days=10)] * len(SALES),
            "amount": list(SALES.values()),
        }
    )
    pq.write_table(transactions, tmp_path / "transactions.parquet")
    import_file(admin, "customers", tmp_path / "customers.parquet", today=AS_OF)
    import_file(admin, "transactions", tmp_path / "transactions.parquet", today=AS_OF)
    path = tmp_path / "yearly-sales.yaml"
    path.write_text(STANDARD, encoding="utf-8")
    alice = admin.acting("alice")
    lc.publish(alice, tw.run_standard(alice, path, AS_OF - dt.timedelta(days=1)).id)
    return alice


def transactions(tmp_path: Path, sales: dict[str, float], day: dt.date, name: str = "more.parquet") -> Path:
    """A transactions file: one row per customer on ``day``."""
    table = pa.table({"customer_id": list(sales), "date": [day] * len(sales), "amount": list(sales.values())})
    pq.write_table(table, tmp_path / name)
    return tmp_path / name
