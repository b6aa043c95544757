from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import settings

import tierwise

# CI runs every property and fuzz test on a fixed seed (derandomized), so a run is repeatable;
# on a developer's machine they search anew each time.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CDNOW = Path(tierwise.__file__).resolve().parent / "demo" / "cdnow"


def write_standard(folder: Path, text: str, name: str | None = None) -> Path:
    text = textwrap.dedent(text).lstrip()
    ident = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("id:"))
    path = folder / f"{name or ident}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    out = pd.DataFrame(rows)
    for column in out.columns:
        if column in ("date", "due_date", "paid_date", "created_at", "assessed_at", "expected_close"):
            out[column] = pd.to_datetime(out[column]).dt.date
    return out


Grades = Callable[..., dict[str, str]]


@pytest.fixture
def grades(tmp_path: Path) -> Grades:
    """Evaluate a standard (YAML text) on tables; return customer_id -> grade."""

    def run(
        text: str,
        tables: Mapping[str, Any],
        as_of: str = "2026-03-31",
        *,
        extra: list[str] = (),
        column: str = "grade",
        lang: str = "zh",
    ) -> dict[str, Any]:
        for other in extra:
            write_standard(tmp_path, other)
        path = write_standard(tmp_path, text)
        data = {k: frame(v) if isinstance(v, list) else v for k, v in tables.items()}
        result = tierwise.evaluate(path, data=data, as_of=dt.date.fromisoformat(as_of), lang=lang)
        df = result.to_pandas()
        return dict(zip(df["customer_id"], df[column], strict=True))

    return run


def run_cli(*args: str, cwd: Path | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run the real ``tierwise`` command in a subprocess (``stdin`` is what it reads, e.g. passwords)."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "tierwise", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=600,
        check=False,
    )


def kill_mid_way(command: list[str], fractions: tuple[float, ...], check: Callable[[float], None]) -> int:
    """Time ``command`` (the faster of two runs), then SIGKILL it at each fraction of that time.

    A run that finished before its kill (the machine is shared and noisy) is run once more
    and killed at three quarters of the delay. ``check`` runs after every attempt; returns
    how many kills interrupted a running command.
    """
    import signal
    import time

    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    timings = []
    for _ in range(2):  # the faster of two runs: a warm second run must not finish before the last kill
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        timings.append(time.perf_counter() - started)
    full = min(timings)
    interrupted = 0
    for fraction in fractions:
        for delay in (full * fraction, full * fraction * 0.75):
            child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            child.send_signal(signal.SIGKILL)
            killed = child.wait() == -signal.SIGKILL
            check(fraction)
            if killed:
                interrupted += 1
                break
    return interrupted


def demo_workspace(folder: Path, customers: int, seed: int) -> tierwise.Workspace:
    """A new workspace in ``folder/ws`` with the generated demo customers and transactions imported."""
    import pyarrow.parquet as pq

    from tierwise.demo import generate

    workspace = tierwise.Workspace.init(folder / "ws")
    tables = generate(customers=customers, seed=seed)
    for name in ("customers", "transactions"):
        pq.write_table(tables[name], folder / f"{name}.parquet")
        tierwise.import_file(workspace, name, folder / f"{name}.parquet")
    return workspace
