"""Workspaces: the persistent store of data, imports, runs, users and roles, and the audit log."""

from __future__ import annotations

from ._errors import AccessDenied, NotFound, WorkspaceBusy, WorkspaceError
from ._import import ImportRefused, ImportResult, RowProblem, import_file
from ._runs import (
    Movement,
    RunInfo,
    deciding_indicator,
    diff_runs,
    evaluate_in,
    explain_in,
    get_run,
    list_runs,
    movement,
    past_date,
    run_rows,
    run_standard,
)
from ._sessions import close_session, open_session, session_user, verify_password
from ._store import SCHEMA_VERSION, Workspace, data_columns
from ._users import (
    ACCESS,
    ROLES,
    User,
    add_user,
    disable_user,
    in_scope,
    list_users,
    role_label,
    scope_sql,
    set_password,
    update_user,
)

__all__ = [
    "ACCESS",
    "ROLES",
    "SCHEMA_VERSION",
    "AccessDenied",
    "ImportRefused",
    "ImportResult",
    "Movement",
    "NotFound",
    "RowProblem",
    "RunInfo",
    "User",
    "Workspace",
    "WorkspaceBusy",
    "WorkspaceError",
    "add_user",
    "close_session",
    "data_columns",
    "deciding_indicator",
    "diff_runs",
    "disable_user",
    "evaluate_in",
    "explain_in",
    "get_run",
    "import_file",
    "in_scope",
    "list_runs",
    "list_users",
    "movement",
    "open_session",
    "past_date",
    "role_label",
    "run_rows",
    "run_standard",
    "scope_sql",
    "session_user",
    "set_password",
    "update_user",
    "verify_password",
]
