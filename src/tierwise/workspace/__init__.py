"""Workspaces: the persistent store of data, imports and the audit log."""

from __future__ import annotations

from ._import import ImportRefused, ImportResult, RowProblem, import_file
from ._runs import (
    Movement,
    RunInfo,
    deciding_indicator,
    diff_runs,
    evaluate_in,
    get_run,
    list_runs,
    movement,
    run_rows,
    run_standard,
)
from ._store import SCHEMA_VERSION, Workspace, WorkspaceBusy, WorkspaceError

__all__ = [
    "SCHEMA_VERSION",
    "ImportRefused",
    "ImportResult",
    "Movement",
    "RowProblem",
    "RunInfo",
    "Workspace",
    "WorkspaceBusy",
    "WorkspaceError",
    "deciding_indicator",
    "diff_runs",
    "evaluate_in",
    "get_run",
    "import_file",
    "list_runs",
    "movement",
    "run_rows",
    "run_standard",
]
