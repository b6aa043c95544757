"""The cluster grader at scale: k-means segments of a million customers, and grading them in SQL.

The purchases are the BG/NBD/Gamma-Gamma simulation of ``benchmarks/models.py``; the standard
is the built-in ``rfm-segments`` (recency, 12-month count and amount, four segments). Timed
steps: reading the values from DuckDB, the k-means fit (on a seeded sample of 200,000
customers, ten starts), the evaluation that fits and grades everyone in SQL, and the same
evaluation matched to the first fit's centres (what a workspace's second run does). Each
runs REPEATS times in this process; the table gives min/median/max seconds.

Usage: python benchmarks/cluster.py [CUSTOMERS] [REPEATS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine
from models import END, simulate, timed

import tierwise
from tierwise.compile import cluster_graders, indicator_table
from tierwise.engine._clusters import _values
from tierwise.models import fit_segments


def one_round(times: dict[str, list[float]], folder: Path, standard: Any, body: Any) -> tuple[Any, Any]:
    """Every step once, on a fresh connection."""
    con = tierwise.connect()
    tables = tierwise.engine.load_data(con, folder)
    values = timed(
        times, "indicator values to NumPy", lambda: _values(con, indicator_table(standard, tables, END), body)
    )
    timed(
        times,
        "k-means fit (sample 200,000, 10 starts)",
        lambda: fit_segments(
            values, list(body.on), body.segments, rank_by=body.rank_by, seed=body.seed, sample=body.sample, log=body.log
        ),
    )
    first = timed(
        times, "evaluate rfm-segments (fit + grade in SQL)", lambda: tierwise.evaluate(standard, tables, END, con=con)
    )
    again = timed(
        times,
        "evaluate again, matched to the first fit",
        lambda: tierwise.evaluate(standard, tables, END, con=con, previous=first.models),
    )
    return first, again


def main(customers: int = 1_000_000, repeats: int = 3) -> None:
    print(f"Machine: {machine()}")
    started = time.perf_counter()
    table = simulate(customers)
    folder = Path(tempfile.mkdtemp(prefix="tierwise-cluster-"))
    pq.write_table(table, folder / "transactions.parquet")
    print(f"Simulated {table.num_rows:,} purchases of {customers:,} customers in {time.perf_counter() - started:.1f} s")
    standard = tierwise.load_builtin("rfm-segments")
    ((_, body),) = cluster_graders(standard)
    times: dict[str, list[float]] = {}
    for _ in range(repeats):
        first, again = one_round(times, folder, standard, body)
    print(f"{len(first):,} customers graded; segments:")
    print(first.segments()[["grade", "name", "customers", "share"]].to_string(index=False))
    same = (first.to_pandas().sort_values("customer_id")["grade"].values
            == again.to_pandas().sort_values("customer_id")["grade"].values).mean()  # fmt: skip
    print(f"grades the matched run keeps: {same:.2%}")
    print()
    print("| step | min s | median s | max s |")
    print("|---|---:|---:|---:|")
    for name, spent in times.items():
        print(f"| {name} | {min(spent):.2f} | {statistics.median(spent):.2f} | {max(spent):.2f} |")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
