"""A/B timing of ``tierwise evaluate`` (the real CLI) for two source trees in one run, alternating.

Usage: python benchmarks/ab_evaluate.py BEFORE_SRC AFTER_SRC DATA_DIR [RUNS]

BEFORE_SRC and AFTER_SRC are ``src`` folders of two checkouts (``git worktree add``); each
run puts one of them first on PYTHONPATH. Prints min/median/max wall time, the peak RSS
and the ratio of medians per standard of ``examples/standards``.
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


def once(src: str, standard: Path, data: Path) -> tuple[float, float]:
    out = Path(tempfile.mkdtemp()) / "out.parquet"
    started = time.perf_counter()
    command = ["evaluate", str(standard), "--data", str(data), "--as-of", "2026-03-31", "-o", str(out)]
    child = subprocess.Popen(
        [sys.executable, "-m", "tierwise", *command],
        env={**os.environ, "PYTHONPATH": src},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise SystemExit(child.stderr.read().decode() if child.stderr else "evaluate failed")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def main(before: str, after: str, data: Path, runs: int) -> None:
    print(f"machine: {machine()}")
    for name in ("cdnow-abc", "cdnow-rfm-8"):
        results: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
        for _ in range(runs):
            for label, src in (("before", before), ("after", after)):
                results[label].append(once(src, STANDARDS / f"{name}.yaml", data))
        medians = {}
        for label, rows in results.items():
            times = sorted(t for t, _ in rows)
            medians[label] = statistics.median(times)
            print(
                f"{name:12s} {label:6s} min {times[0]:.2f} median {medians[label]:.2f} max {times[-1]:.2f} s, "
                f"peak RSS {max(r for _, r in rows):.0f} MiB"
            )
        print(f"{name:12s} ratio of medians {medians['after'] / medians['before']:.2f}")


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 5)
