"""Write a seeded synthetic transaction log as CSV (and a customers table) for benchmarks.

Spend per customer is heavy-tailed (Pareto), order dates span two years before 2026-03-31.

Usage: python benchmarks/make_transactions.py ROWS CUSTOMERS OUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb


def main(rows: int, customers: int, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SELECT setseed(0.42)")
    con.execute(f"""
        CREATE TABLE transactions AS
        SELECT
            'C' || lpad(CAST(CAST(floor(pow(random(), 1.6) * {customers}) AS BIGINT) AS VARCHAR), 8, '0') AS customer_id,
            DATE '2026-03-31' - CAST(floor(random() * 730) AS INTEGER) AS date,
            round(100 + 20000 * pow(random(), 4) / (0.05 + random()), 2) AS amount,
            round(random() * 0.35, 4) AS margin_rate
        FROM range({rows})
    """)
    con.execute(f"COPY transactions TO '{out / 'transactions.csv'}' (HEADER)")
    con.execute(f"""
        COPY (SELECT 'C' || lpad(CAST(i AS VARCHAR), 8, '0') AS customer_id,
                     CASE WHEN i % 10 = 0 THEN 'individual' ELSE 'enterprise' END AS type
              FROM range({customers}) t(i)) TO '{out / "customers.csv"}' (HEADER)
    """)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
