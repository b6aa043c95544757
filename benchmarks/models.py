"""Customer-base models at scale: the RFM summary, the fits and the CLV for a million customers.

The purchases are simulated from the BG/NBD and Gamma-Gamma processes themselves, with the
CDNow parameters (r=0.243, alpha=4.414, a=0.793, b=2.426; p=6.25, q=3.74, gamma=15.44),
so the benchmark also checks that the fit recovers the parameters the data was made with.
Each step runs REPEATS times in this process; the table gives min/median/max seconds.

Usage: python benchmarks/models.py [CUSTOMERS] [REPEATS]
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine

import tierwise
from tierwise.engine._models import _summary_of, steps
from tierwise.models import fit_bgnbd, fit_gammagamma, fit_pnbd, predict
from tierwise.spec import parse_duration

TRUE = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
SPEND = {"p": 6.25, "q": 3.74, "gamma": 15.44}
START = dt.date(2024, 10, 1)
END = dt.date(2026, 3, 31)  # 78 weeks after START


def simulate(customers: int, seed: int = 7) -> pa.Table:
    """Purchases of ``customers`` customers who first buy in the first 13 weeks (a cohort, as CDNow's)."""
    rng = np.random.default_rng(seed)
    horizon = (END - START).days / 7
    rate = rng.gamma(TRUE["r"], 1 / TRUE["alpha"], customers)  # purchases per week
    drop = rng.beta(TRUE["a"], TRUE["b"], customers)
    nu = rng.gamma(SPEND["q"], 1 / SPEND["gamma"], customers)
    first = rng.uniform(0, 13, customers)
    ids, weeks = [np.arange(customers)], [first]
    now, alive, who = first.copy(), np.ones(customers, dtype=bool), np.arange(customers)
    while who.size:
        now[who] += rng.exponential(1 / rate[who])
        inside = now[who] < horizon
        who = who[inside]
        ids.append(who)
        weeks.append(now[who])
        survive = rng.random(who.size) >= drop[who]  # after each purchase the customer may drop out
        alive[who[~survive]] = False
        who = who[survive]
    customer = np.concatenate(ids)
    week = np.concatenate(weeks)
    amount = np.round(rng.gamma(SPEND["p"], 1 / nu[customer]), 2)
    days = np.floor(week * 7).astype("int64")
    dates = np.datetime64(START.isoformat()) + days.astype("timedelta64[D]")
    return pa.table(
        {
            "customer_id": pa.array([f"C{i:07d}" for i in customer]),
            "date": pa.array(dates.astype("datetime64[D]")),
            "amount": pa.array(amount),
        }
    )


def timed(times: dict[str, list[float]], name: str, work: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = work()
    times.setdefault(name, []).append(time.perf_counter() - started)
    return result


def one_round(times: dict[str, list[float]], folder: Path, standard: Any) -> tuple[Any, ...]:
    """Every step once, on a fresh connection."""
    con = tierwise.connect()
    tables = tierwise.engine.load_data(con, folder)
    calibration_end = dt.date(2025, 9, 30)  # 52 weeks of calibration, 26 of holdout
    summary, _ = timed(
        times,
        "RFM summary in DuckDB",
        lambda: _summary_of(con, tables["transactions"], None, calibration_end, "date", "amount"),
    )
    purchases = timed(times, "BG/NBD fit", lambda: fit_bgnbd(summary))
    spend = timed(times, "Gamma-Gamma fit", lambda: fit_gammagamma(summary))
    pareto = timed(times, "Pareto/NBD fit", lambda: fit_pnbd(summary))
    months = steps(calibration_end, parse_duration("12 months"))
    timed(times, "CLV 12 months (12 monthly steps)", lambda: predict("clv", summary, purchases, spend, months, 0.01))
    timed(times, "P(alive)", lambda: predict("p_alive", summary, purchases))
    result = timed(
        times, "evaluate clv-value-potential (fit + grade)", lambda: tierwise.evaluate(standard, tables, END, con=con)
    )
    return summary, purchases, spend, pareto, result


def main(customers: int = 1_000_000, repeats: int = 3) -> None:
    print(f"Machine: {machine()}")
    started = time.perf_counter()
    table = simulate(customers)
    folder = Path(tempfile.mkdtemp(prefix="tierwise-models-"))
    pq.write_table(table, folder / "transactions.parquet")
    print(f"Simulated {table.num_rows:,} purchases of {customers:,} customers in {time.perf_counter() - started:.1f} s")
    standard = tierwise.load_builtin("clv-value-potential")
    times: dict[str, list[float]] = {}
    for _ in range(repeats):
        summary, purchases, spend, pareto, result = one_round(times, folder, standard)
    print(
        f"{summary.customers:,} customers in the summary, {summary.repeat_buyers:,} with a repeat purchase; "
        f"{len(summary.compressed()):,} distinct (x, t_x, T)"
    )
    print(f"{len(result):,} customers graded: {result.to_pandas()['grade'].value_counts().to_dict()}")
    print()
    print("| step | min s | median s | max s |")
    print("|---|---:|---:|---:|")
    for name, values in times.items():
        print(f"| {name} | {min(values):.2f} | {statistics.median(values):.2f} | {max(values):.2f} |")
    print()
    print("| parameter | simulated with | fitted | standard error |")
    print("|---|---:|---:|---:|")
    for fit, truth in ((purchases, TRUE), (spend, SPEND)):
        for name, value in truth.items():
            print(f"| {fit.label} {name} | {value} | {fit.params[name]:.4f} | {fit.se[name]:.4f} |")
    print(f"| Pareto/NBD | — | {', '.join(f'{k}={v:.4f}' for k, v in pareto.params.items())} | |")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
