"""Long run of the process model (issue 24, item 8): python scripts/process_model.py [SEQUENCES] [STEPS] [plain].

Runs the hypothesis state machine of tests/process_model.py for SEQUENCES random sequences
(default 2000) of up to STEPS steps each, and prints the counts; any invariant violation
stops it with the failing sequence. Each sequence holds its workspace as ``tierwise serve``
does (one connection, ten times faster than opening the store for every step); ``plain``
opens it for every step as the CLI does (the bounded test in CI runs that way). Two runs
side by side use both cores; each draws its own sequences. Run it niced: it is CPU-bound.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from tests.process_model import ProcessModel


def main() -> None:
    sequences = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    ProcessModel.served = "plain" not in sys.argv[3:]
    started = time.monotonic()
    teardown = ProcessModel.teardown

    def counted(self: ProcessModel) -> None:
        teardown(self)
        if ProcessModel.sequences % 10 == 0:
            print(f"{ProcessModel.sequences} sequences, {ProcessModel.steps} actions so far", flush=True)

    ProcessModel.teardown = counted  # type: ignore[method-assign]
    run_state_machine_as_test(
        ProcessModel,
        settings=settings(
            max_examples=sequences,
            stateful_step_count=steps,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    print(
        f"{ProcessModel.sequences} sequences ({ProcessModel.steps} actions, {ProcessModel.refused} refused as they "
        f"should be) of up to {steps} steps, {'served' if ProcessModel.served else 'plain'}: 0 invariant violations ({time.monotonic() - started:.0f} s)"
    )


if __name__ == "__main__":
    main()
