"""Time a workspace's whole life at a bank's scale: imports, runs, publications, queries, files.

For each size (customers; ten transactions per customer) a fresh child process builds the
files, then times every step on a new workspace and reports its peak RSS:

- init; import customers from CSV (Chinese headers, ``总资产(万元)``, dates as ``2024年3月5日``),
  from Parquet and (up to 100k rows, Excel's sheet holds 1,048,576) from xlsx; import the
  transactions CSV; beside each import, the same file read by DuckDB alone (``read_csv``
  into a table of the workspace's kind, or a Parquet copy), the yardstick of the targets;
- run a 12-month sales ladder with provisional grades and a downgrade hold, publish;
- the same standard with one threshold changed (a re-grade on the same day), then run a
  quarter later and published again (holds, confirmations, moves);
- the history of one customer; everyone's grade on a day written to a file by the real
  CLI (``tierwise grades --as-of D -o FILE``, process start included); the diff of the two
  runs; a simulate of a draft that changes a threshold; the workspace's size on disk.

Usage: python benchmarks/workspace.py [--repeat R] [CUSTOMERS ...]   (default 100000 1000000)
Each size runs R times (default 3); min / median / max are printed, and the growth ratio
of each step's median between consecutive sizes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _machine import Steps, machine, run_child

STANDARD = """tierwise: 1
id: sales
name: 12 个月销售额分级
version: "{version}"
grades: [VIP, A, B, C]
indicators:
  sales_12m: {{from: transactions, agg: sum(amount), window: 12 months}}
grade:
  ladder:
    on: sales_12m
    steps:
      - {{grade: VIP, at_least: {vip}}}
      - {{grade: A, at_least: 20万}}
      - {{grade: B, at_least: 5万}}
      - {{grade: C}}
lifecycle:
  provisional: {{tenure_below: 6 months}}
  downgrade: {{hold: 1, max_steps: 1}}
"""
XLSX_LIMIT = 100_000
_UNIFORM = "((hash(i * {k} + {k}) % 1000003) / 1000003.0)"  # the same numbers in every run, unlike random()


def _files(root: Path, customers: int) -> None:
    """The exports: customers (CSV with business formats, Parquet, xlsx) and transactions (CSV)."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.execute(
        f"""CREATE TABLE c AS SELECT 'C' || lpad(CAST(i AS VARCHAR), 8, '0') AS id,
                '客户' || CAST(i AS VARCHAR) AS name,
                ['华东', '华南', '华北', '西南', '东北'][1 + CAST(hash(i) % 5 AS INTEGER)] AS region,
                round(exp(4 + 4 * ((hash(i * 7) % 1000000) / 1000000.0)), 2) AS assets_wan,
                DATE '2025-12-31' - CAST(hash(i) % 4000 AS INTEGER) AS created
            FROM range({customers}) t(i)"""
    )
    con.execute(
        f"""COPY (SELECT id AS 客户编号, name AS 客户名称, region AS 地区, assets_wan AS "总资产(万元)",
                  CASE WHEN hash(id) % 2 = 0 THEN strftime(created, '%Y年%-m月%-d日')
                       ELSE strftime(created, '%Y-%m-%d') END AS 建档日期 FROM c)
            TO '{root / "customers.csv"}' (HEADER, DELIMITER ',')"""
    )
    con.execute(
        f"""COPY (SELECT id AS customer_id, name, region, assets_wan * 10000 AS total_assets, created AS created_at
            FROM c) TO '{root / "customers.parquet"}' (FORMAT parquet)"""
    )
    con.execute(
        f"""COPY (SELECT 'C' || lpad(CAST(CAST(floor(pow(u1, 1.6) * {customers}) AS BIGINT) AS VARCHAR), 8, '0')
                  AS customer_id,
                  DATE '2026-03-31' - CAST(floor(u2 * 730) AS INTEGER) AS date,
                  round(100 + 20000 * pow(u3, 4) / (0.05 + u4), 2) AS amount
            FROM (SELECT i, {_UNIFORM.format(k=3)} AS u1, {_UNIFORM.format(k=5)} AS u2,
                         {_UNIFORM.format(k=7)} AS u3, {_UNIFORM.format(k=11)} AS u4 FROM range({customers * 10}) t(i))
            ORDER BY i) TO '{root / "transactions.csv"}' (HEADER, DELIMITER ',')"""
    )
    if customers <= XLSX_LIMIT:
        import xlsxwriter

        rows = con.execute("SELECT id, name, region, assets_wan, created FROM c").fetchall()
        book = xlsxwriter.Workbook(str(root / "customers.xlsx"), {"constant_memory": True})
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ["客户编号", "客户名称", "地区", "总资产(万元)", "建档日期"])
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        for index, (cid, name, region, assets, created) in enumerate(rows, start=1):
            sheet.write_row(index, 0, [cid, name, region, assets])
            sheet.write_datetime(index, 4, dt.datetime.combine(created, dt.time()), day)
        book.close()
    for version, vip in (("1", "50万"), ("2", "40万")):
        (root / f"sales-{version}.yaml").write_text(STANDARD.format(version=version, vip=vip), encoding="utf-8")


def _duckdb_alone(root: Path, source: str) -> float:
    """DuckDB's own read of a file into a table of a fresh database file (closed, so written)."""
    import duckdb

    target = root / "alone.duckdb"
    target.unlink(missing_ok=True)
    started = time.perf_counter()
    con = duckdb.connect(str(target))
    con.execute("SET enable_progress_bar = false")
    parquet = source.endswith(".parquet")
    con.execute(f"CREATE TABLE t AS SELECT * FROM {'read_parquet' if parquet else 'read_csv'}(?)", [str(root / source)])
    con.close()
    seconds = time.perf_counter() - started
    target.unlink()
    return seconds


def _size(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def child(customers: int) -> dict[str, float]:
    import tierwise
    import tierwise.lifecycle as lc
    import tierwise.workspace as tw

    step = Steps()
    times = step.times

    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as folder:
        root = Path(folder)
        _files(root, customers)
        ws = step("init", lambda: tw.Workspace.init(root / "ws"))
        assert isinstance(ws, tw.Workspace)
        step("import customers CSV", lambda: tierwise.import_file(ws, "customers", root / "customers.csv"))
        times["  DuckDB read_csv alone"] = _duckdb_alone(root, "customers.csv")
        if customers <= XLSX_LIMIT:
            step("import customers xlsx", lambda: tierwise.import_file(ws, "customers", root / "customers.xlsx"))
        step("import customers Parquet", lambda: tierwise.import_file(ws, "customers", root / "customers.parquet"))
        times["  DuckDB Parquet copy alone"] = _duckdb_alone(root, "customers.parquet")
        step("import transactions CSV", lambda: tierwise.import_file(ws, "transactions", root / "transactions.csv"))
        times["  DuckDB read_csv alone "] = _duckdb_alone(root, "transactions.csv")
        run1 = step("run", lambda: tw.run_standard(ws, root / "sales-1.yaml", dt.date(2026, 3, 31)))
        step("publish", lambda: lc.publish(ws, run1.id))  # type: ignore[attr-defined]
        regrade = step(
            "re-grade after a threshold change (run)",
            lambda: tw.run_standard(ws, root / "sales-2.yaml", dt.date(2026, 3, 31)),
        )
        run2 = step(
            "second run, a quarter later", lambda: tw.run_standard(ws, root / "sales-2.yaml", dt.date(2026, 6, 30))
        )
        published = step("publish again", lambda: lc.publish(ws, run2.id))  # type: ignore[attr-defined]
        step("history of one customer", lambda: lc.history(ws, "C00000042"))
        step(
            "grades --as-of to a file (CLI)",
            lambda: subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "tierwise",
                    "grades",
                    "-s",
                    "sales",
                    "--as-of",
                    "2026-04-01",
                    "-o",
                    str(root / "grades.csv"),
                    "--workspace",
                    str(ws.root),
                ],
                check=True,
                capture_output=True,
            ),
        )
        step("diff of two runs", lambda: tw.diff_runs(ws, run1.id, regrade.id))  # type: ignore[attr-defined]
        (root / "sales-3.yaml").write_text(STANDARD.format(version="3", vip="60万"), encoding="utf-8")
        step("simulate a threshold change", lambda: lc.simulate(ws, root / "sales-3.yaml"))
        times["grades changed by the second publication (count)"] = float(published.changed)  # type: ignore[attr-defined]
        times["workspace size MiB"] = _size(ws.root)
        times["transactions CSV MiB"] = (root / "transactions.csv").stat().st_size / 2**20
    times["peak RSS MiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return times


def _unit(name: str) -> str:
    return "" if name.endswith(("(count)", "MiB")) else " s"


def main(sizes: list[int], repeat: int) -> None:
    print(f"machine: {machine()}")
    medians: dict[int, dict[str, float]] = {}
    for customers in sizes:
        runs = []
        for _ in range(repeat):
            runs.append(run_child(__file__, str(customers)))
        print(f"\n{customers:,} customers, {customers * 10:,} transactions ({repeat} runs: min / median / max)")
        medians[customers] = {}
        for name in runs[0]:
            values = sorted(r[name] for r in runs)
            medians[customers][name] = statistics.median(values)
            unit = _unit(name)
            print(f"  {name:52s} {values[0]:10,.2f} {statistics.median(values):10,.2f} {values[-1]:10,.2f}{unit}")
    for small, large in itertools.pairwise(sizes):
        print(f"\ngrowth {large:,} / {small:,} (ratio of medians; {large / small:.0f}x the customers)")
        for name, value in medians[large].items():
            base = medians[small].get(name)
            if base:
                print(f"  {name:52s} {value / base:8.2f}")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if len(arguments) == 2 and arguments[0] == "--child":
        print(json.dumps(child(int(arguments[1]))))
    else:
        repeat = 3
        if arguments[:1] == ["--repeat"]:
            repeat, arguments = int(arguments[1]), arguments[2:]
        main([int(a) for a in arguments] or [100_000, 1_000_000], repeat)
