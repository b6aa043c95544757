"""The long fuzz of imports: exports with damaged rows, every row imported or reported, none lost.

Usage: ``python scripts/fuzz_imports.py [CASES] [SEED]`` (default 5,000 files, seed 1).
Each file has up to 12 rows written as an export writes them, some damaged (an extra or a
missing cell, an unquoted thousands comma, a bare CR, a NUL). Prints the counts (ok, silent
drops, wrong rows, crashes) and the first file of each failure. CI runs the same harness
with fewer cases (tests/test_trust_import.py).
"""

from __future__ import annotations

import collections
import random
import string
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzzing import CORRUPTIONS, import_outcome

import tierwise

ALPHABET = [*string.ascii_letters, *"0123456789 ,\"'\r\n=-万年"]


def main(cases: int, seed: int) -> int:
    rng = random.Random(seed)
    counts: collections.Counter[str] = collections.Counter()
    failures: dict[str, list[tuple[list[str], str]]] = {}
    rows_seen = damaged = 0
    with tempfile.TemporaryDirectory() as folder:
        ws = tierwise.Workspace.init(Path(folder) / "ws")
        started = time.perf_counter()
        for _ in range(cases):
            rows = [
                (["".join(rng.choices(ALPHABET, k=rng.randrange(7))) for _ in range(3)], rng.choice(CORRUPTIONS))
                for _ in range(rng.randint(1, 12))
            ]
            rows_seen += len(rows)
            damaged += sum(1 for _, kind in rows if kind != "none")
            outcome = import_outcome(ws, Path(folder) / "fuzz.csv", rows)
            counts[outcome.split(":")[0]] += 1
            if outcome != "ok":
                failures.setdefault(outcome[:100], rows)
    elapsed = time.perf_counter() - started
    print(f"{cases:,} files ({rows_seen:,} rows, {damaged:,} damaged) in {elapsed:.0f} s (seed {seed}): {dict(counts)}")
    for what, rows in failures.items():
        print(f"\n== {what}\n{rows!r}")
    return 1 if failures else 0


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    sys.exit(main(args[0] if args else 5_000, args[1] if len(args) > 1 else 1))
