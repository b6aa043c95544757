"""Workspaces: the persistent store of data, imports, runs, users and roles, and the audit log."""

from __future__ import annotations

from ._errors import AccessDenied, WorkspaceBusy, WorkspaceError
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
    past_date,
    run_rows,
    run_standard,
)
from ._store import SCHEMA_VERSION, Workspace, data_columns
from ._users import ACCESS, ROLES, User, add_user, disable_user, list_users, role_label, set_password

__all__ = [
    "ACCESS",
    "ROLES",
    "SCHEMA_VERSION",
    "AccessDenied",
    "ImportRefused",
    "ImportResult",
    "Movement",
    "RowProblem",
    "RunInfo",
    "User",
    "Workspace",
    "WorkspaceBusy",
    "WorkspaceError",
    "add_user",
    "data_columns",
    "deciding_indicator",
    "diff_runs",
    "disable_user",
    "evaluate_in",
    "get_run",
    "import_file",
    "list_runs",
    "list_users",
    "movement",
    "past_date",
    "role_label",
    "run_rows",
    "run_standard",
    "set_password",
]
