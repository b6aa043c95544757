"""Workspaces: the persistent store of data, imports and the audit log."""

from __future__ import annotations

from ._import import ImportRefused, ImportResult, RowProblem, import_file
from ._store import SCHEMA_VERSION, Workspace, WorkspaceBusy, WorkspaceError

__all__ = [
    "SCHEMA_VERSION",
    "ImportRefused",
    "ImportResult",
    "RowProblem",
    "Workspace",
    "WorkspaceBusy",
    "WorkspaceError",
    "import_file",
]
