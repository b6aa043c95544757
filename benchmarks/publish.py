"""Time publishing in a workspace: import, run, publish, a second run and publish, history, grades on a day.

Each size runs in a fresh child process (so peak RSS is that size's alone). Customers carry
total assets and a creation date; the standard is a ladder with provisional grades and a
downgrade hold, so the second publication holds, confirms and moves customers.

Usage: python benchmarks/publish.py [CUSTOMERS ...]   (default 100000 1000000)
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import sys
import tempfile
from pathlib import Path

from _machine import Steps, machine, run_child

STANDARD = """tierwise: 1
id: assets
name: 资产分层
version: "1"
grades: [特大型, 大型, 中型, 小型]
indicators:
  assets: {attribute: total_assets}
grade:
  ladder:
    on: assets
    steps: [{grade: 特大型, at_least: 100亿}, {grade: 大型, at_least: 10亿}, {grade: 中型, at_least: 1亿}, {grade: 小型}]
lifecycle:
  provisional: {tenure_below: 6 months}
  downgrade: {hold: 1, max_steps: 1}
"""


def _customers(path: Path, count: int, seed: int) -> None:
    import duckdb

    duckdb.connect().execute(
        f"""COPY (SELECT 'C' || lpad(CAST(i AS VARCHAR), 8, '0') AS customer_id,
                  round(exp(16 + 4 * ((hash(i * {seed}) % 1000000) / 1000000.0)), 2) AS total_assets,
                  DATE '2025-12-31' - CAST(hash(i) % 4000 AS INTEGER) AS created_at
           FROM range({count}) t(i)) TO '{path}' (FORMAT parquet)"""
    )


def child(count: int) -> dict[str, float]:
    import tierwise
    import tierwise.lifecycle as lc
    import tierwise.workspace as tw

    step = Steps()
    times = step.times

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        _customers(root / "c1.parquet", count, 7)
        _customers(root / "c2.parquet", count, 11)
        (root / "assets.yaml").write_text(STANDARD, encoding="utf-8")
        ws = tw.Workspace.init(root / "ws")
        step("import customers (Parquet)", lambda: tierwise.import_file(ws, "customers", root / "c1.parquet"))
        run1 = step("run", lambda: tw.run_standard(ws, root / "assets.yaml", dt.date(2026, 3, 31)))
        step("publish (first)", lambda: lc.publish(ws, run1.id))  # type: ignore[attr-defined]
        step("import again (changed assets)", lambda: tierwise.import_file(ws, "customers", root / "c2.parquet"))
        run2 = step("second run", lambda: tw.run_standard(ws, root / "assets.yaml", dt.date(2026, 6, 30)))
        result = step("publish (second: holds, moves)", lambda: lc.publish(ws, run2.id))  # type: ignore[attr-defined]
        step("history of one customer", lambda: lc.history(ws, "C00000042"))
        step("grades on a day (all customers)", lambda: lc.grades_on(ws, "assets", dt.date(2026, 5, 1)))
        times["grades changed by the second (count)"] = float(result.changed)  # type: ignore[attr-defined]
    times["peak RSS MiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return times


def main(sizes: list[int]) -> None:
    print(f"machine: {machine()}")
    for count in sizes:
        times = run_child(__file__, str(count))
        print(f"\n{count:,} customers")
        for name, value in times.items():
            unit = "" if name.endswith(("(count)", "MiB")) else " s"
            print(f"  {name:38s} {value:10,.2f}{unit}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(int(sys.argv[2]))))
    else:
        main([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000])
