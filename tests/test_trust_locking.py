"""Locking that tells the truth: bounded waits, one busy message naming the holder, no Unix-only import."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import demo_workspace

import tierwise
import tierwise.workspace as tw
from tierwise.demo import AS_OF

ENV = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}


@pytest.fixture
def ws(tmp_path: Path) -> tw.Workspace:
    workspace = demo_workspace(tmp_path, customers=400, seed=2)
    return workspace


def _hold(ws: tw.Workspace, seconds: float, done: Path | None = None) -> subprocess.Popen[str]:
    """Another process that writes to the workspace for ``seconds``; returns once it holds it.

    With ``done``, it writes that file as the last thing it does before letting go.
    """
    code = (
        "import pathlib, sys, time, tierwise\n"
        f"ws = tierwise.Workspace({str(ws.root)!r})\n"
        "with ws.writing() as con:\n"
        "    print('holding', flush=True)\n"
        f"    time.sleep({seconds})\n" + (f"    pathlib.Path({str(done)!r}).write_text('done')\n" if done else "")
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=ENV)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "holding"
    return child


def test_a_reader_waits_for_a_writer_instead_of_failing(ws: tw.Workspace, tmp_path: Path) -> None:
    done = tmp_path / "writer-done"
    holder = _hold(ws, 1.5, done)
    assert ws.tables()["customers"] == 400
    assert done.exists()  # it waited until the writer had finished, then read
    holder.wait(timeout=30)


def test_contention_gives_the_one_busy_message_naming_the_holder(ws: tw.Workspace) -> None:
    config = ws.root / "tierwise.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + "wait_seconds = 0.5\nread_wait_seconds = 0.5\n", encoding="utf-8"
    )
    holder = _hold(ws, 60)  # held longer than two CLI start-ups take on a loaded machine; ended below
    try:
        for args in (["tables"], ["run", str(tierwise.builtin_path("rfm-8")), "--as-of", str(AS_OF)]):
            result = subprocess.run(
                [sys.executable, "-m", "tierwise", *args, "-w", str(ws.root)],
                capture_output=True,
                text=True,
                env=ENV,
                timeout=120,
                check=False,
            )
            assert result.returncode == 1
            assert re.match(r"Error: The workspace .* is busy: .* by \S+ \(process \d+, since ", result.stderr)
            assert "IO Error" not in result.stderr
    finally:
        holder.terminate()
        holder.wait(timeout=30)
    assert tw.list_runs(ws) == []


def test_six_processes_at_once_store_exactly_what_they_report(ws: tw.Workspace) -> None:
    standard = str(tierwise.builtin_path("annual-sales-grade"))
    commands = [["run", standard, "--as-of", str(AS_OF)] if i % 2 == 0 else ["runs"] for i in range(6)]
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "tierwise", *args, "-w", str(ws.root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        for args in commands
    ]
    outputs = [child.communicate(timeout=300) for child in children]
    reported = 0
    for child, (stdout, stderr) in zip(children, outputs, strict=True):
        assert "IO Error" not in stderr
        assert "Could not set lock" not in stderr
        assert child.returncode == 0 or "is busy" in stderr, stderr
        reported += len(re.findall(r"^Run \d+:", stdout, flags=re.M))
    assert reported == len(tw.list_runs(ws))
    assert reported >= 1


def test_tierwise_imports_and_works_where_fcntl_does_not_exist(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "sys.modules['fcntl'] = None  # as on Windows\n"
        "import tierwise\n"
        f"ws = tierwise.Workspace.init({str(tmp_path / 'w')!r})\n"
        "print(ws.schema_version())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tw.SCHEMA_VERSION)
