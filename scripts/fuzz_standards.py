"""The long fuzz of standard files: mutated built-in standards through check, evaluate and explain.

Usage: ``python scripts/fuzz_standards.py [CASES] [SEED] [SECONDS]`` (default 20,000 cases,
seed 1, no time budget). Half of the mutations are of the hostile kinds of
``tests.fuzzing.KINDS``. A case that uses more than ``HANG_SECONDS`` of CPU (the process's,
so a busy machine does not make one) is a hang; the timer repeats, so an alarm swallowed
inside a ``__del__`` still ends the case, and it interrupts only the case it was set for. Prints the counts (ok, located
errors, crashes, hangs) every 1,000 cases and at the end, and every distinct crash with the
file that caused it. CI runs the same harness with fewer cases (tests/test_trust_yaml.py).
"""

from __future__ import annotations

import collections
import random
import signal
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzzing import mutate_standard, verdict

import tierwise
from tierwise.demo import AS_OF, generate

HANG_SECONDS = 10


_armed = [False]  # the timer repeats; it interrupts only the case it was set for


def _hang(signum: int, frame: Any) -> None:
    if _armed[0]:
        raise TimeoutError


def main(cases: int, seed: int, budget: float | None = None) -> int:
    tables = generate(customers=200, seed=3)
    rng = random.Random(seed)
    counts: collections.Counter[str] = collections.Counter()
    crashes: dict[str, tuple[str, str]] = {}
    ids = tierwise.builtin_ids()
    started = time.perf_counter()
    signal.signal(signal.SIGPROF, _hang)
    done = 0
    for done in range(1, cases + 1):
        if budget is not None and time.perf_counter() - started > budget:
            done -= 1
            break
        standard = rng.choice(ids)
        text = mutate_standard(
            tierwise.builtin_path(standard).read_text(encoding="utf-8"), rng, rng.randint(1, 4), hostile=True
        )
        begun = time.process_time()
        _armed[0] = True
        signal.setitimer(signal.ITIMER_PROF, HANG_SECONDS, 1.0)
        try:
            outcome = verdict(text, tables, AS_OF)
        except TimeoutError:
            outcome = "hang"
        finally:
            _armed[0] = False
            signal.setitimer(signal.ITIMER_PROF, 0)
        if time.process_time() - begun > HANG_SECONDS:
            outcome = "hang"
        counts[outcome.split(":")[0].split(" in ")[0]] += 1
        if outcome.startswith(("crash", "hang")) and outcome[:100] not in crashes:
            crashes[outcome[:100]] = (standard, text)
            print(f"case {done:,}: {outcome[:100]} (from {standard})", flush=True)  # seen even if the run is stopped
        if done % 1_000 == 0:
            print(f"... {done:,} cases, {time.perf_counter() - started:.0f} s: {dict(counts)}", flush=True)
    print(f"{done:,} cases in {time.perf_counter() - started:.0f} s (seed {seed}): {dict(counts)}")
    for what, (standard, text) in crashes.items():
        print(f"\n== {what} (from {standard})\n{text}")
    return 1 if crashes else 0


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    sys.exit(main(args[0] if args else 20_000, args[1] if len(args) > 1 else 1, args[2] if len(args) > 2 else None))
