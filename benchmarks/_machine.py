"""The machine a benchmark ran on, in one line."""

from __future__ import annotations

import os
import platform
from pathlib import Path

__all__ = ["machine"]


def machine() -> str:
    """OS, CPU, cores, memory and Python version."""
    info = Path("/proc/cpuinfo")
    lines = info.read_text().splitlines() if info.exists() else []
    cpu = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), platform.processor())
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, "
        f"Python {platform.python_version()}"
    )


class Steps:
    """Seconds per named step of a benchmark: ``steps("import", lambda: ...)`` runs and times it."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}

    def __call__(self, name: str, work: object) -> object:
        import time

        started = time.perf_counter()
        result = work() if callable(work) else None
        self.times[name] = time.perf_counter() - started
        return result


def run_child(script: str, *arguments: str) -> dict[str, float]:
    """Run ``script --child ARGUMENTS`` in a fresh Python (its own peak RSS) and read the JSON it prints last."""
    import json
    import subprocess
    import sys

    here = str(Path(script).resolve().parent)
    output = subprocess.run(
        [sys.executable, script, "--child", *arguments],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), here]))},
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))
