"""A quick start: ``import tierwise`` and ``tierwise --help`` load nothing heavy (issue 25, item 5).

Each check runs in a fresh interpreter (this test process has imported everything already)
and reads the child's ``sys.modules``. The heavy packages load when a name that needs them is
first used; ``tierwise.__all__`` stays the public surface, resolved on first access (PEP 562).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import tierwise

HEAVY = ("scipy", "sklearn", "ibis", "pandas", "numpy", "pyarrow", "polars", "playwright", "duckdb")
SRC = str(Path(tierwise.__file__).resolve().parents[1])  # the child imports the tierwise under test
MARK = "-- sys.modules --"
PRINT_MODULES = f"\nimport sys\nprint({MARK!r}, *sorted(sys.modules), sep='\\n')\n"
RUN_CLI = """
import runpy, sys
sys.argv = ["tierwise", *{args!r}]
try:
    runpy.run_module("tierwise", run_name="__main__", alter_sys=True)  # what ``python -m tierwise`` does
except SystemExit as exited:
    assert exited.code in (0, None), exited.code
"""


def modules_after(code: str) -> set[str]:
    """The names in ``sys.modules`` of a fresh interpreter after it ran ``code``."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    env |= {"COLUMNS": "200", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    child = subprocess.run(
        [sys.executable, "-c", code + PRINT_MODULES],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    return set(child.stdout.rpartition(MARK)[2].split())


def heavy(modules: set[str]) -> list[str]:
    """The heavy packages among ``modules``."""
    return sorted({name.partition(".")[0] for name in modules} & set(HEAVY))


def test_import_tierwise_loads_no_heavy_package() -> None:
    modules = modules_after("import tierwise")
    assert "tierwise" in modules
    assert heavy(modules) == []


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["evaluate", "--help"]], ids=" ".join)
def test_cli_help_and_version_load_no_heavy_package(args: list[str]) -> None:
    modules = modules_after(RUN_CLI.format(args=args))
    assert "tierwise.cli" in modules
    assert heavy(modules) == []
    assert "rich" not in {name.partition(".")[0] for name in modules}  # plain help; rich loads to print a table


def test_a_public_name_loads_its_package_when_first_used() -> None:
    modules = modules_after("import tierwise\nassert callable(tierwise.load_standard)")
    assert "tierwise.spec" in modules
    assert "tierwise.engine" not in modules


def test_every_public_name_resolves_and_is_listed_by_dir() -> None:
    listed = dir(tierwise)
    for name in tierwise.__all__:
        assert getattr(tierwise, name) is not None, name
        assert name in listed, name
    assert tierwise.demo.run_demo is tierwise.run_demo
    with pytest.raises(AttributeError, match="no_such_name"):
        getattr(tierwise, "no_such_name")  # noqa: B009 - a name the module does not have
