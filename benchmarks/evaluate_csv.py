"""Time ``tierwise evaluate`` (the real CLI) on a generated CSV data folder.

Reports wall time (median of N runs), the peak RSS of each run's process (``wait4``) and
the machine. Each run reads the CSV files, grades every customer and writes Parquet.

Usage: python benchmarks/evaluate_csv.py DATA_DIR [RUNS]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _machine import machine

STANDARDS = Path(__file__).resolve().parents[1] / "examples" / "standards"


def run_once(standard: Path, data: Path, out: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one ``tierwise evaluate``."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tierwise",
            "evaluate",
            str(standard),
            "--data",
            str(data),
            "--as-of",
            "2026-03-31",
            "-o",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(
            f"tierwise evaluate {standard.name} failed: {child.stderr.read().decode() if child.stderr else ''}"
        )
    return elapsed, usage.ru_maxrss / 1024


def main(data: Path, runs: int) -> None:
    with (data / "transactions.csv").open() as handle:
        rows = sum(1 for _ in handle) - 1
    print(f"machine: {machine()}")
    print(f"data: {data} ({rows:,} transactions)")
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("annual-sales", "cdnow-abc", "cdnow-rfm-8"):
            results = [run_once(STANDARDS / f"{name}.yaml", data, Path(tmp) / f"{name}.parquet") for _ in range(runs)]
            times = [t for t, _ in results]
            print(
                f"{name:14s} median {statistics.median(times):6.2f}s  runs {', '.join(f'{t:.2f}' for t in times)}  "
                f"peak RSS {max(r for _, r in results):.0f} MiB"
            )


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 3)
