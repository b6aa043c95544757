"""Workspaces: the persistent store of data, imports and the audit log."""

from __future__ import annotations

from ._import import ImportRefused, ImportResult, RowProblem, import_file
from ._runs import Movement, RunInfo, diff_runs, get_run, list_runs, run_rows, run_standard
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
    "diff_runs",
    "get_run",
    "import_file",
    "list_runs",
    "run_rows",
    "run_standard",
]
