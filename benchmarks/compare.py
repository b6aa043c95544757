"""Four engines, the same four outputs, checked customer by customer.

Outputs (as of 2026-03-31, customers = everyone in the transaction log):
  ladder   12-month sales: VIP >= 50万, A >= 20万, B >= 5万, else C
  abc      ABC 80/15/5 on 12-month sales (pareto; ties by customer_id)
  rfm      the eight RFM classes, mean split (recency = days since the last purchase, over all history:
           standards/rfm-8-recency-all.yaml, the built-in rfm-8 before it took one 12-month window)
  pyramid  铂金/黄金/钢铁/铅: top 1/5/20% of 12-month margin (strictly-greater rule)

Engines: tierwise (the built-in standards through ``evaluate_many``, with every output column
including the reason sentences), tierwise_grades (the same with ``reasons=False``),
tierwise_postgres (the same standards on a private PostgreSQL 15 holding the transactions,
loaded before the timing; the server's own memory is not in the peak), tierwise_spark (on a
local[2] Spark session reading the Parquet file; its start and the JVM's memory are not counted),
hand-written DuckDB SQL, Polars (lazy), and pandas written the way an analyst would. Each run is a fresh process; the time is from
reading the Parquet file to having all four outputs (imports excluded; bytecode precompiled
with ``uv sync --compile-bytecode``), the memory is the process's peak RSS. Median of RUNS runs.

Usage: python benchmarks/compare.py DATA_DIR [RUNS]      (DATA_DIR holds transactions.parquet)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _machine import machine

HERE = Path(__file__).resolve().parent
AS_OF = dt.date(2026, 3, 31)
START = dt.date(2025, 3, 31)  # as_of - 12 months: the window is START < date <= AS_OF
ENGINES = ("tierwise", "tierwise_grades", "tierwise_postgres", "tierwise_spark", "duckdb_sql", "polars", "pandas")
RFM = {
    (True, True, True): "重要价值客户",
    (True, False, True): "重要发展客户",
    (False, True, True): "重要保持客户",
    (False, False, True): "重要挽留客户",
    (True, True, False): "一般价值客户",
    (True, False, False): "一般发展客户",
    (False, True, False): "一般保持客户",
    (False, False, False): "一般挽留客户",
}


def run_tierwise(path: Path, reasons: bool = True) -> Any:
    import tierwise
    from tierwise.engine import load_data

    con = tierwise.connect()
    tables = load_data(con, path.parent)
    standards = {
        "ladder": tierwise.load_standard(HERE / "standards" / "sales-ladder.yaml"),
        "abc": tierwise.load_builtin("abc-pareto"),
        "rfm": tierwise.load_standard(HERE / "standards" / "rfm-8-recency-all.yaml"),
        "pyramid": tierwise.load_builtin("customer-pyramid"),
    }
    results = tierwise.evaluate_many(list(standards.values()), tables, AS_OF, con=con, reasons=reasons)
    return {name: result.to_arrow() for name, result in zip(standards, results, strict=True)}


def _standards() -> list[Any]:
    import tierwise

    return [
        tierwise.load_standard(HERE / "standards" / "sales-ladder.yaml"),
        tierwise.load_builtin("abc-pareto"),
        tierwise.load_standard(HERE / "standards" / "rfm-8-recency-all.yaml"),
        tierwise.load_builtin("customer-pyramid"),
    ]


def run_tierwise_postgres(path: Path) -> Any:
    """The same four standards on PostgreSQL, where the table already is (loaded by main, not timed)."""
    import tierwise

    con = tierwise.connect_backend(os.environ["BENCH_POSTGRES_URL"])
    results = tierwise.evaluate_many(_standards(), con, AS_OF)
    return {name: r.to_arrow() for name, r in zip(("ladder", "abc", "rfm", "pyramid"), results, strict=True)}


def run_tierwise_spark(path: Path) -> Any:
    """The same four standards on a local[2] Spark session reading the Parquet file where it runs.

    The session's start (a JVM, about 5-10 s) is not timed: on a cluster it is already up.
    """
    import ibis

    import tierwise
    from tierwise.engine._backends import spark_builder

    global _STARTED
    session = (  # what connect_backend("spark:local[2]") starts, with the memory a 10M-row shuffle needs
        spark_builder("local[2]")
        .config("spark.driver.memory", os.environ.get("BENCH_SPARK_MEMORY", "8g"))
        .config("spark.sql.shuffle.partitions", "8")
        .getOrCreate()
    )
    con = ibis.pyspark.connect(session)
    _STARTED = time.perf_counter()
    results = tierwise.evaluate_many(_standards(), path.parent, AS_OF, con=con)
    return {name: r.to_arrow() for name, r in zip(("ladder", "abc", "rfm", "pyramid"), results, strict=True)}


_STARTED: float | None = None  # set by an engine whose timing starts after its own setup


def _combine(outputs: dict[str, Any]) -> Any:
    """One table of the four grades from tierwise's four results (for the comparison only)."""
    out = None
    for name, result in outputs.items():
        graded = result.select(["customer_id", "grade"]).rename_columns(["customer_id", name])
        out = graded if out is None else out.join(graded, "customer_id")
    return out


def run_tierwise_grades(path: Path) -> Any:
    return run_tierwise(path, reasons=False)


DUCKDB_SQL = """
WITH per_customer AS (
    SELECT customer_id,
           COALESCE(SUM(CAST(amount AS DECIMAL(18, 2))) FILTER (WHERE date > DATE '{start}'), 0) AS sales_12m,
           COUNT(*) FILTER (WHERE date > DATE '{start}') AS orders_12m,
           COALESCE(SUM(CAST(margin AS DECIMAL(18, 2))) FILTER (WHERE date > DATE '{start}'), 0) AS margin_12m,
           DATE '{as_of}' - MAX(date) AS recency_days
    FROM transactions
    WHERE date <= DATE '{as_of}'
    GROUP BY customer_id
), ranked AS (
    SELECT *,
           SUM(GREATEST(sales_12m, 0)) OVER (ORDER BY GREATEST(sales_12m, 0) DESC, customer_id
                                            ROWS UNBOUNDED PRECEDING) - GREATEST(sales_12m, 0) AS sales_before,
           SUM(GREATEST(sales_12m, 0)) OVER () AS sales_total,
           RANK() OVER (ORDER BY margin_12m DESC) - 1 AS above,
           COUNT(*) OVER () AS customers,
           AVG(recency_days) OVER () AS mean_r, AVG(orders_12m) OVER () AS mean_f, AVG(sales_12m) OVER () AS mean_m
    FROM per_customer
)
SELECT customer_id,
       CASE WHEN sales_12m >= 500000 THEN 'VIP' WHEN sales_12m >= 200000 THEN 'A'
            WHEN sales_12m >= 50000 THEN 'B' ELSE 'C' END AS ladder,
       CASE WHEN sales_12m <= 0 THEN 'C' WHEN sales_before * 100 < 80 * sales_total THEN 'A'
            WHEN sales_before * 100 < 95 * sales_total THEN 'B' ELSE 'C' END AS abc,
       CASE WHEN recency_days <= mean_r THEN (CASE WHEN orders_12m >= mean_f
                 THEN (CASE WHEN sales_12m >= mean_m THEN '重要价值客户' ELSE '一般价值客户' END)
                 ELSE (CASE WHEN sales_12m >= mean_m THEN '重要发展客户' ELSE '一般发展客户' END) END)
            ELSE (CASE WHEN orders_12m >= mean_f
                 THEN (CASE WHEN sales_12m >= mean_m THEN '重要保持客户' ELSE '一般保持客户' END)
                 ELSE (CASE WHEN sales_12m >= mean_m THEN '重要挽留客户' ELSE '一般挽留客户' END) END) END AS rfm,
       CASE WHEN above * 100 < customers THEN '铂金' WHEN above * 100 < 5 * customers THEN '黄金'
            WHEN above * 100 < 20 * customers THEN '钢铁' ELSE '铅' END AS pyramid
FROM ranked
"""


def run_duckdb_sql(path: Path) -> Any:
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE TABLE transactions AS SELECT * FROM read_parquet('{path}')")
    return con.sql(DUCKDB_SQL.format(start=START, as_of=AS_OF)).to_arrow_table()


def run_polars(path: Path) -> Any:
    import polars as pl

    recent = pl.col("date") > START
    per_customer = (
        pl.scan_parquet(path)
        .filter(pl.col("date") <= AS_OF)
        .with_columns(  # money as integer cents: exact sums, the same in every run
            cents=(pl.col("amount") * 100).round().cast(pl.Int64),
            margin_cents=(pl.col("margin") * 100).round().cast(pl.Int64),
        )
        .group_by("customer_id")
        .agg(
            sales_12m=pl.col("cents").filter(recent).sum(),
            orders_12m=recent.sum(),
            margin_12m=pl.col("margin_cents").filter(recent).sum(),
            last=pl.col("date").max(),
        )
        .with_columns(recency_days=(pl.lit(AS_OF) - pl.col("last")).dt.total_days())
        .with_columns(positive=pl.max_horizontal(pl.col("sales_12m"), 0))
        .sort(["positive", "customer_id"], descending=[True, False])
        .with_columns(
            before=pl.col("positive").cum_sum() - pl.col("positive"),
            total=pl.col("positive").sum(),
            above=pl.col("margin_12m").rank("min", descending=True) - 1,
            n=pl.len(),
        )
        .collect()
    )
    s, f, r = pl.col("sales_12m"), pl.col("orders_12m"), pl.col("recency_days")
    high_r, high_f, high_m = r <= r.mean(), f >= f.mean(), s >= s.mean()
    rfm = pl.lit("一般挽留客户")
    for (hr, hf, hm), label in RFM.items():
        rfm = pl.when((high_r == hr) & (high_f == hf) & (high_m == hm)).then(pl.lit(label)).otherwise(rfm)
    return per_customer.select(
        "customer_id",
        ladder=pl.when(s >= 50_000_000)
        .then(pl.lit("VIP"))
        .when(s >= 20_000_000)
        .then(pl.lit("A"))
        .when(s >= 5_000_000)
        .then(pl.lit("B"))
        .otherwise(pl.lit("C")),
        abc=pl.when(s <= 0)
        .then(pl.lit("C"))
        .when(pl.col("before") * 100 < 80 * pl.col("total"))
        .then(pl.lit("A"))
        .when(pl.col("before") * 100 < 95 * pl.col("total"))
        .then(pl.lit("B"))
        .otherwise(pl.lit("C")),
        rfm=rfm,
        pyramid=pl.when(pl.col("above") * 100 < pl.col("n"))
        .then(pl.lit("铂金"))
        .when(pl.col("above") * 100 < 5 * pl.col("n"))
        .then(pl.lit("黄金"))
        .when(pl.col("above") * 100 < 20 * pl.col("n"))
        .then(pl.lit("钢铁"))
        .otherwise(pl.lit("铅")),
    ).to_arrow()


def run_pandas(path: Path) -> Any:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    df = pd.read_parquet(path)
    df["date"] = pd.to_datetime(df["date"])
    df = df[df["date"] <= pd.Timestamp(AS_OF)]
    df["cents"] = (df["amount"] * 100).round().astype("int64")  # money as integer cents: exact sums
    df["margin_cents"] = (df["margin"] * 100).round().astype("int64")
    recent = df[df["date"] > pd.Timestamp(START)]
    customers = df.groupby("customer_id").agg(last=("date", "max"))
    stats = recent.groupby("customer_id").agg(
        sales_12m=("cents", "sum"), orders_12m=("cents", "size"), margin_12m=("margin_cents", "sum")
    )
    c = customers.join(stats).fillna({"sales_12m": 0, "orders_12m": 0, "margin_12m": 0}).reset_index()
    c["recency_days"] = (pd.Timestamp(AS_OF) - c["last"]).dt.days
    c["ladder"] = np.select(
        [c.sales_12m >= 50_000_000, c.sales_12m >= 20_000_000, c.sales_12m >= 5_000_000], ["VIP", "A", "B"], "C"
    )
    c["positive"] = c["sales_12m"].clip(lower=0)
    c = c.sort_values(["positive", "customer_id"], ascending=[False, True])
    before = c["positive"].cumsum() - c["positive"]
    total = c["positive"].sum()
    c["abc"] = np.select([c.sales_12m <= 0, before * 100 < 80 * total, before * 100 < 95 * total], ["C", "A", "B"], "C")
    above = c["margin_12m"].rank(method="min", ascending=False) - 1
    n = len(c)
    c["pyramid"] = np.select(
        [above * 100 < n, above * 100 < 5 * n, above * 100 < 20 * n], ["铂金", "黄金", "钢铁"], "铅"
    )
    keys = zip(
        c.recency_days <= c.recency_days.mean(),
        c.orders_12m >= c.orders_12m.mean(),
        c.sales_12m >= c.sales_12m.mean(),
        strict=True,
    )
    c["rfm"] = [RFM[key] for key in keys]
    return pa.Table.from_pandas(c[["customer_id", "ladder", "abc", "rfm", "pyramid"]], preserve_index=False)


def worker(engine: str, path: Path, out: Path) -> None:
    import pyarrow.parquet as pq

    runner = globals()[f"run_{engine}"]
    start = time.perf_counter()
    table = runner(path)
    seconds = time.perf_counter() - (_STARTED or start)  # the outputs exist; what follows only checks them
    if isinstance(table, dict):
        table = _combine(table)
    pq.write_table(table.select(["customer_id", "ladder", "abc", "rfm", "pyramid"]), out)
    print(json.dumps({"seconds": seconds}))


def main(data: Path, runs: int) -> None:
    import pyarrow.parquet as pq

    path = data / "transactions.parquet"
    rows = pq.ParquetFile(path).metadata.num_rows
    print(f"machine: {machine()}\ndata: {path} ({rows:,} rows)", flush=True)
    engines = [e for e in ENGINES if e in os.environ.get("BENCH_ENGINES", ",".join(ENGINES)).split(",")]
    with contextlib.ExitStack() as stack:
        if "tierwise_postgres" in engines:
            os.environ["BENCH_POSTGRES_URL"] = _postgres_with(stack, path)
        _compare(engines, path, runs)


def _postgres_with(stack: contextlib.ExitStack, path: Path) -> str:
    """A private PostgreSQL holding the transactions (COPY, then ANALYZE), stopped when the run ends."""
    import pyarrow.parquet as pq

    sys.path.insert(0, str(HERE.parent))
    from tests.backends._servers import postgres_server

    server = stack.enter_context(postgres_server())
    started = time.perf_counter()
    url = server.create_database("bench", {"transactions": pq.read_table(path)})
    print(f"postgres: {url}, transactions loaded in {time.perf_counter() - started:.1f}s (not timed)", flush=True)
    return url


def _compare(engines: list[str], path: Path, runs: int) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    timings: dict[str, list[float]] = {}
    peaks: dict[str, float] = {}
    outputs: dict[tuple[str, int], Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for engine in engines:
            for run in range(runs):
                out = Path(tmp) / f"{engine}-{run}.parquet"
                seconds, peak = _run_worker(engine, path, out, Path(tmp))
                timings.setdefault(engine, []).append(seconds)
                peaks[engine] = max(peaks.get(engine, 0.0), peak)
                print(
                    f"  {engine:10s} run {run + 1}: {timings[engine][-1]:7.2f}s  peak {peaks[engine]:8.0f} MiB",
                    flush=True,
                )
            for run in range(runs):
                table = pq.read_table(Path(tmp) / f"{engine}-{run}.parquet")
                schema = pa.schema([(name, pa.string()) for name in table.column_names])
                outputs[(engine, run)] = table.cast(schema).sort_by("customer_id")
    reference = outputs[("tierwise", 0)]
    print("\nagreement with tierwise's first run, customer by customer, for every run of every engine:")
    for engine in engines:
        for run in range(runs):
            if (engine, run) == ("tierwise", 0):
                continue
            other = outputs[(engine, run)]
            same_ids = other.column("customer_id").equals(reference.column("customer_id"))
            assert same_ids, f"{engine} run {run + 1}: different customers"
            diffs = {
                col: int(pc.sum(pc.not_equal(other.column(col), reference.column(col))).as_py() or 0)
                for col in ("ladder", "abc", "rfm", "pyramid")
            }
            print(f"  {engine:16s} run {run + 1}: {reference.num_rows:,} customers, differing: {diffs}")
    base = statistics.median(timings["tierwise"])
    print(
        "\n| engine | min | median | max | median vs tierwise | peak RSS (Python process) |\n"
        "|---|---:|---:|---:|---:|---:|"
    )
    for engine in engines:
        median = statistics.median(timings[engine])
        print(
            f"| {engine} | {min(timings[engine]):.2f} s | {median:.2f} s | {max(timings[engine]):.2f} s | "
            f"{median / base:.2f}x | {peaks[engine]:,.0f} MiB |"
        )


def _run_worker(engine: str, path: Path, out: Path, tmp: Path) -> tuple[float, float]:
    """Run one engine in a fresh process: (its seconds, its peak RSS in MiB)."""
    log, errors = tmp / f"{engine}.out", tmp / f"{engine}.err"
    with log.open("w") as stdout, errors.open("w") as stderr:
        child = subprocess.Popen(
            [sys.executable, __file__, "--worker", engine, str(path), str(out)], stdout=stdout, stderr=stderr
        )
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{engine} failed:\n{errors.read_text()}")
    return json.loads(log.read_text().strip().splitlines()[-1])["seconds"], usage.ru_maxrss / 1024


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
    elif len(sys.argv) in (2, 3):
        main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 3)
    else:
        raise SystemExit(__doc__)
