"""User commands: tierwise users add / list / disable / passwd."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tierwise.cli._app import _state, app, out, stdin_line
from tierwise.cli._listing import listing
from tierwise.cli._workspace import WorkspaceOption, _workspace

users_app = typer.Typer(
    help="Users and roles of a workspace (admin only, except your own password).", rich_markup_mode=None
)
app.add_typer(users_app, name="users")

RoleOption = Annotated[
    str,
    typer.Option(
        "--role", help="admin, manager, analyst, account_manager (客户经理), finance or viewer.", show_default=False
    ),
]


def _new_password(name: str, given: bool) -> str | None:
    if given:
        return stdin_line(f"the new password of '{name}'")
    if not sys.stdin.isatty():
        return None
    password = typer.prompt(f"New password for {name} (empty: none)", hide_input=True, default="", show_default=False)
    if not password:
        return None
    if typer.prompt("Again", hide_input=True) != password:
        raise ValueError("The two passwords differ; nothing was changed.")
    return str(password)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(metavar="NAME")],
    role: RoleOption,
    region: Annotated[
        list[str] | None, typer.Option("--region", help="A region whose customers the user serves (repeatable).")
    ] = None,
    new_password_stdin: Annotated[
        bool,
        typer.Option("--new-password-stdin", help="Read the new user's password from standard input."),
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Register a user with a role (and regions, for account managers)."""
    import tierwise.workspace as tw

    ws = _workspace(workspace)
    user = tw.add_user(ws, name, role, regions=tuple(region or ()), password=_new_password(name, new_password_stdin))
    regions = f", regions {', '.join(user.regions)}" if user.regions else ""
    login = "with a password" if user.has_password else "without a password (acts only as the OS login of that name)"
    out.print(f"Added {user.name}: {user.role} ({tw.role_label(user.role)}){regions}, {login}.")


@users_app.command("list")
def users_list(workspace: WorkspaceOption = None) -> None:
    """List the users, their roles and regions."""
    import tierwise.workspace as tw

    rows = [
        (
            user.name,
            user.role,
            tw.role_label(user.role),
            ", ".join(user.regions),
            "yes" if user.has_password else "no",
            "disabled" if user.disabled else "active",
        )
        for user in tw.list_users(_workspace(workspace))
    ]
    listing(("user", "role", "角色", "regions", "password", "state"), rows)


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(metavar="NAME")], workspace: WorkspaceOption = None) -> None:
    """Disable a user; their past actions stay in the audit log."""
    import tierwise.workspace as tw

    tw.disable_user(_workspace(workspace), name)
    out.print(f"Disabled {name}.")


@users_app.command("passwd")
def users_passwd(
    name: Annotated[str | None, typer.Argument(metavar="[NAME]", help="Default: yourself.")] = None,
    new_password_stdin: Annotated[
        bool, typer.Option("--new-password-stdin", help="Read the new password from standard input.")
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Set your password, or (as an admin) another user's."""
    import tierwise.workspace as tw

    ws = _workspace(workspace)
    target = name or _state["user"] or ws.user()
    password = _new_password(target, new_password_stdin)
    if password is None:
        raise ValueError("No new password was given; nothing was changed.")
    tw.set_password(ws, target, password)
    out.print(f"Password of {target} set.")
