"""Write a seeded synthetic transaction log (CSV or Parquet) for the benchmarks.

Rows are spread over customers with a skew (some buy far more often), amounts are
heavy-tailed, margins are 0-35% of the amount, dates span the two years before
2026-03-31. Customers with no row do not appear.

Usage: python benchmarks/make_transactions.py ROWS CUSTOMERS OUT_DIR [csv|parquet]
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb


def main(rows: int, customers: int, out: Path, kind: str = "csv") -> Path:
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.execute("SELECT setseed(0.42)")
    con.execute(f"""
        CREATE TABLE transactions AS
        SELECT
            'C' || lpad(CAST(CAST(floor(pow(random(), 1.6) * {customers}) AS BIGINT) AS VARCHAR), 8, '0') AS customer_id,
            CAST(DATE '2026-03-31' - CAST(floor(random() * 730) AS INTEGER) AS DATE) AS date,
            round(100 + 20000 * pow(random(), 4) / (0.05 + random()), 2) AS amount
        FROM range({rows})
    """)
    con.execute("ALTER TABLE transactions ADD COLUMN margin DOUBLE")
    con.execute("UPDATE transactions SET margin = round(amount * random() * 0.35, 2)")
    target = out / f"transactions.{kind}"
    options = "(FORMAT PARQUET, ROW_GROUP_SIZE 1000000)" if kind == "parquet" else "(HEADER)"
    con.execute(f"COPY transactions TO '{target}' {options}")
    return target


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else "csv")
