from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import settings

import tierwise

# No timing fails a test: no profile has a deadline. CI and the README's test command
# (``tasks.py test`` sets HYPOTHESIS_PROFILE=ci) run every property and fuzz test on a fixed
# seed (derandomized), so a run is repeatable; a developer's plain pytest searches anew each time.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") or os.environ.get("HYPOTHESIS_PROFILE") == "ci" else "dev")

os.environ.update(COLUMNS="200", NO_COLOR="1")  # read by the CLI's consoles when first imported, as in a pipe

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
    """Run the ``tierwise`` command in this process (``stdin`` is what it reads, e.g. passwords).

    It goes through the same ``main()`` as the installed command (its one error handler and
    exit codes), with standard input, output and error captured and the working folder set
    to ``cwd``; ``run_entry_point`` starts the real installed command in a new process.
    """
    from tierwise.cli import _app as cli

    stdout, stderr = io.StringIO(), io.StringIO()
    cli._stdin.clear()
    code: int | str | None = 0
    with (
        contextlib.chdir(cwd or Path.cwd()),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
        _stdin(stdin),
        _argv(["tierwise", *args]),
    ):
        try:
            cli.main()
        except SystemExit as exited:
            code = exited.code
    cli._stdin.clear()
    returncode = code if isinstance(code, int) else (0 if code is None else 1)
    return subprocess.CompletedProcess(["tierwise", *args], returncode, stdout.getvalue(), stderr.getvalue())


@contextlib.contextmanager
def _stdin(text: str) -> Iterator[None]:
    saved = sys.stdin
    sys.stdin = io.StringIO(text)
    try:
        yield
    finally:
        sys.stdin = saved


@contextlib.contextmanager
def _argv(argv: list[str]) -> Iterator[None]:
    saved = sys.argv
    sys.argv = argv
    try:
        yield
    finally:
        sys.argv = saved


def run_entry_point(*args: str, cwd: Path | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run the real installed ``tierwise`` command in a new process, as a user's shell would."""
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


def kill_inside_writes(
    root: Path, args: list[str], fractions: tuple[float, ...], check: Callable[[float], None]
) -> list[int]:
    """SIGKILL ``tierwise ARGS`` at each fraction of the way to the COMMIT of its last write.

    The command first runs to the end on a copy of the workspace ``root`` (``args`` name
    ``root``; the copy takes its place) to count the calls made while the workspace is
    being written (``tests/_crash.py``); then it runs on ``root`` itself once per fraction
    and kills itself just before that call, so every kill falls before the last COMMIT
    (1.0: the last call before it). ``check`` runs after every kill. Returns the call numbers
    at which the command was killed (each kill interrupts it: the points are counted, not
    timed).
    """
    import shutil
    import signal
    import tempfile

    crash = Path(__file__).resolve().parent / "_crash.py"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "copy"
        shutil.copytree(root, copy)
        counted = Path(scratch) / "calls"
        on_copy = [str(copy) if a == str(root) else a for a in args]
        subprocess.run(
            [sys.executable, str(crash), "0", str(counted), *on_copy], env=env, check=True, capture_output=True
        )
        total, *committing = map(int, counted.read_text(encoding="utf-8").split())
        assert committing, f"tierwise {' '.join(args)} wrote nothing"
        killed = []
        for fraction in fractions:
            point = max(1, round(committing[-1] * fraction))
            child = subprocess.run(
                [sys.executable, str(crash), str(point), str(counted), *args], env=env, capture_output=True, check=False
            )
            assert child.returncode == -signal.SIGKILL, (fraction, point, total, child.stderr)
            killed.append(point)
            check(fraction)
    return killed


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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``pytest -n --dist loadgroup`` a module's tests run on one worker, in order; the conformance suite too.

    Many modules share one workspace between their tests (module fixtures), in the order the
    file gives, so a module is not split between workers; the whole conformance suite keeps to
    one worker, so one PostgreSQL and one Spark serve it. pytest-xdist 3.8 groups a test by the
    ``@group`` suffix of its node id, which it writes to ``item._nodeid``; pytest 9 reads the id
    from ``item._id``, so the suffix is set here.
    """
    if not getattr(config.option, "loadgroup", False):  # set in the workers of --dist loadgroup only
        return
    from _pytest.nodeid import coerce_node_id

    for item in items:
        group = "backends" if item.get_closest_marker("backends") else item.nodeid.split("::")[0]
        if not item.nodeid.endswith(f"@{group}"):
            item._id = coerce_node_id(f"{item.nodeid}@{group}")  # type: ignore[attr-defined]
