"""Users and roles of a workspace: who may do what, with passwords hashed by Argon2.

The roles follow the departments of the grading policies. Who is acting is authenticated:
the operating-system login when it is a registered user, or a registered user whose
password was given. No environment variable names the acting user.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tierwise._messages import MESSAGES
from tierwise.workspace._errors import AccessDenied, NotFound, WorkspaceError

if TYPE_CHECKING:
    from tierwise.workspace._store import Workspace

__all__ = [
    "ACCESS",
    "ROLES",
    "User",
    "add_user",
    "check_password",
    "disable_user",
    "hash_password",
    "list_users",
    "name_key",
    "normal_name",
    "role_label",
    "set_password",
    "update_user",
]

# role -> (中文, English), from the one message catalogue
ROLES: dict[str, tuple[str, str]] = {
    role: MESSAGES[f"role.{role}"] for role in ("admin", "manager", "analyst", "account_manager", "finance", "viewer")
}

# action -> the roles that may take it (reading needs no role). The one access table.
ACCESS: dict[str, tuple[str, ...]] = {
    "users": ("admin",),
    "import": ("admin", "analyst", "manager", "finance"),
    "run": ("admin", "analyst", "manager", "finance"),
    "publish": ("admin", "manager"),
    "review": ("admin", "manager", "analyst"),
    "assess": ("admin", "manager", "account_manager", "analyst"),
    "draft": ("admin", "manager", "analyst"),
    "request": ("admin", "manager", "account_manager", "finance", "analyst"),
    "approve": ("admin", "manager"),
    "cancel": ("admin", "manager"),
}

_ACTIONS = {
    "users": "manage users",
    "import": "import data",
    "run": "store runs",
    "publish": "publish grades",
    "review": "change grades at the review meeting (复评)",
    "assess": "fill in assessment forms (初评)",
    "draft": "edit drafts of standards",
    "request": "request overrides",
    "approve": "approve or reject requests",
    "cancel": "cancel or reinstate grades",
}
_NAME = re.compile(r"[\w.@-]{1,64}")


@dataclass(frozen=True)
class User:
    """A registered user of a workspace."""

    name: str
    role: str
    regions: tuple[str, ...]
    disabled: bool
    has_password: bool

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> User:
        name, role, regions, disabled, password = row
        return cls(name, role, tuple(json.loads(regions or "[]")), bool(disabled), password is not None)


def normal_name(name: str) -> str:
    """A user name as stored: NFKC-normalised and stripped; refused if it is not a plain name.

    Names are unique without regard to case ('Alice' and 'alice' are one user).

    >>> normal_name(" alice ")
    'alice'
    """
    text = unicodedata.normalize("NFKC", str(name)).strip()
    if not _NAME.fullmatch(text):
        raise ValueError(
            f"The user name {name!r} is not valid: use 1 to 64 letters (any script), digits, '.', '-', '_' or '@'."
        )
    return text


def name_key(name: str) -> str:
    """The one form of a user name that identifies the user: NFKC-normalised, case-folded, stripped.

    Sign-in, the lookup of users and the sign-in throttle all compare names by this key, so a
    full-width or differently-cased spelling is the same user (and the same failure budget).

    >>> name_key("  ＧＵＥＳＴ ") == name_key("guest") == "guest"
    True
    >>> name_key("Straße") == name_key("STRASSE")
    True
    """
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", str(name)).casefold()).strip()


def role_label(role: str, lang: str = "zh") -> str:
    """The role's name in the interface language."""
    zh, en = ROLES[role]
    return zh if lang == "zh" else en


def check_role(role: str) -> str:
    if role not in ROLES:
        from tierwise.spec import did_you_mean

        raise ValueError(f"There is no role '{role}'; the roles are {', '.join(ROLES)}.{did_you_mean(role, ROLES)}")
    return role


def action_text(action: str) -> str:
    return _ACTIONS.get(action, action)


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` (refused when shorter than 8 characters)."""
    from argon2 import PasswordHasher

    if len(password) < 8:
        raise ValueError("A password needs at least 8 characters.")
    return str(PasswordHasher().hash(password))


def check_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the stored Argon2 hash (no hash: never)."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    if not stored:
        return False
    try:
        return bool(PasswordHasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


_USER_COLUMNS = "name, role, regions, disabled, password_hash"


def find_user(con: Any, name: str) -> tuple[User, str | None] | None:
    """The registered user of that name (by :func:`name_key`: any width, any case), with the stored password hash."""
    name = normal_name(name)
    rows = con.execute(f"SELECT {_USER_COLUMNS} FROM users WHERE lower(name) = lower(?)", [name]).fetchall()
    if not rows:  # case-folding differs from SQL's lower() for a few letters (ß, ς, …): compare the keys
        key = name_key(name)
        rows = [r for r in con.execute(f"SELECT {_USER_COLUMNS} FROM users").fetchall() if name_key(r[0]) == key]
    return (User.from_row(rows[0]), rows[0][4]) if rows else None


def register(con: Any, name: str, role: str, regions: tuple[str, ...] = (), password_hash: str | None = None) -> str:
    """Insert a user (inside the caller's transaction); refused when the name is taken in any case."""
    name = normal_name(name)
    check_role(role)
    taken = find_user(con, name)
    if taken is not None:
        raise WorkspaceError(f"There is already a user '{taken[0].name}'; user names are unique whatever their case.")
    con.execute(
        f"INSERT INTO users ({_USER_COLUMNS}, created_at) VALUES (?, ?, ?, false, ?, ?)",
        [name, role, json.dumps(list(regions), ensure_ascii=False), password_hash, dt.datetime.now()],
    )
    return name


def add_user(
    workspace: Workspace, name: str, role: str, *, regions: tuple[str, ...] = (), password: str | None = None
) -> User:
    """Register a user (the acting user must be an admin). Without a password the user can act only as
    the operating-system login of the same name."""
    hashed = hash_password(password) if password is not None else None
    with workspace.writing() as con:
        workspace.authorize(con, "users")
        stored = register(con, name, role, tuple(regions), hashed)
        workspace.audit(con, "user-added", stored, {"role": role, "regions": list(regions)})
        found = find_user(con, stored)
    assert found is not None
    return found[0]


def end_sessions(con: Any, name: str) -> None:
    """End every web session of ``name`` (inside the caller's transaction): disabled, or a new password."""
    con.execute('DELETE FROM sessions WHERE lower("user") = lower(?)', [name])


def list_users(workspace: Workspace) -> list[User]:
    """Every registered user, by name."""
    with workspace.reading() as con:
        rows = con.execute(f"SELECT {_USER_COLUMNS} FROM users ORDER BY lower(name)").fetchall()
    return [User.from_row(r) for r in rows]


def _existing(con: Any, name: str) -> User:
    found = find_user(con, name)
    if found is None:
        raise NotFound(f"There is no user '{name}'; 'tierwise users list' lists them.")
    return found[0]


def disable_user(workspace: Workspace, name: str) -> None:
    """Disable a user: they can no longer act (their past actions stay in the audit log)."""
    with workspace.writing() as con:
        actor = workspace.authorize(con, "users")
        user = _existing(con, name)
        if user.name.lower() == actor.name.lower():
            raise WorkspaceError("You cannot disable yourself; another admin must do it.")
        con.execute("UPDATE users SET disabled = true WHERE name = ?", [user.name])
        end_sessions(con, user.name)
        workspace.audit(con, "user-disabled", user.name, {})


def update_user(workspace: Workspace, name: str, *, role: str, regions: tuple[str, ...]) -> User:
    """Set a user's role and regions (the acting user must be an admin; not their own role)."""
    check_role(role)
    with workspace.writing() as con:
        actor = workspace.authorize(con, "users")
        user = _existing(con, name)
        if user.name.lower() == actor.name.lower() and role != user.role:
            raise WorkspaceError("You cannot change your own role; another admin must do it.")
        con.execute(
            "UPDATE users SET role = ?, regions = ? WHERE name = ?",
            [role, json.dumps(list(regions), ensure_ascii=False), user.name],
        )
        workspace.audit(con, "user-changed", user.name, {"role": role, "regions": list(regions)})
        found = find_user(con, user.name)
    assert found is not None
    return found[0]


def set_password(workspace: Workspace, name: str, password: str) -> None:
    """Set a user's password: your own, or anyone's as an admin."""
    hashed = hash_password(password)
    with workspace.writing() as con:
        actor = workspace.authenticated(con)
        user = _existing(con, name)
        if user.name.lower() != actor.name.lower() and actor.role != "admin":
            raise AccessDenied(f"Only an admin may set the password of another user ('{user.name}').")
        con.execute("UPDATE users SET password_hash = ? WHERE name = ?", [hashed, user.name])
        end_sessions(con, user.name)
        workspace.audit(con, "password-set", user.name, {})


def scoped(user: User) -> bool:
    """Whether the user sees only the customers of their regions: account managers, and anyone given regions."""
    return user.role == "account_manager" or bool(user.regions)


def in_scope(user: User | None, region: str | None) -> bool:
    """Whether a customer of ``region`` is one the user may see and act on (None: no user to limit)."""
    return user is None or not scoped(user) or (region is not None and region in user.regions)


def scope_sql(user: User | None, region: str) -> tuple[str, list[Any]]:
    """The SQL condition (and its parameter) limiting rows to the user's customers; ``region`` is a trusted column.

    The one region filter of the query layer: customer lists, customer pages, requests, the
    audit log, reports and downloads all apply it, so pages, JSON and files agree.
    """
    if user is None or not scoped(user):
        return "TRUE", []
    return f"list_contains(?, CAST({region} AS VARCHAR))", [list(user.regions)]
