"""Sign-in sessions of the web app: a random token in a cookie, its SHA-256 hash in the workspace.

A session belongs to one registered user, ends at logout, when it expires, when the user is
disabled, or when their password is set. The token itself is never stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING

from tierwise.workspace._errors import AccessDenied
from tierwise.workspace._users import User, check_password, find_user

if TYPE_CHECKING:
    from tierwise.workspace._store import Workspace

__all__ = ["close_session", "open_session", "session_user", "verify_password"]

_WRONG = "The user name or the password is wrong (or the user is disabled); try again or ask an admin."


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(workspace: Workspace, name: str, password: str, *, hours: float = 8.0) -> tuple[str, User]:
    """Check ``name``'s password and start a session of ``hours``; returns its token and the user.

    Raises
    ------
    AccessDenied
        For an unknown or disabled user or a wrong password, with one message for all three.
    """
    try:
        with workspace.reading() as con:
            found = find_user(con, name)
    except ValueError:  # not even a valid user name
        found = None
    # the hash is checked even for an unknown user, so the time taken does not tell which names exist
    stored = found[1] if found is not None else None
    matches = check_password(stored or _DUMMY_HASH, password) and stored is not None
    if found is None or found[0].disabled or not matches:
        raise AccessDenied(_WRONG)
    user = found[0]
    token = secrets.token_urlsafe(32)
    now = dt.datetime.now()
    acting = workspace.acting(user.name)
    with acting.writing() as con:
        con.execute("DELETE FROM sessions WHERE expires_at < ?", [now])
        con.execute(
            'INSERT INTO sessions (token_hash, "user", created_at, expires_at, last_seen) VALUES (?, ?, ?, ?, ?)',
            [_hash(token), user.name, now, now + dt.timedelta(hours=hours), now],
        )
        acting.audit(con, "login", user.name, {})
    return token, user


def session_user(workspace: Workspace, token: str | None) -> tuple[Workspace, User] | None:
    """The workspace acting as the session's user, and the user; None for no, an expired or an ended session."""
    if not token:
        return None
    with workspace.reading() as con:
        rows = con.execute(
            'SELECT "user" FROM sessions WHERE token_hash = ? AND expires_at > ?', [_hash(token), dt.datetime.now()]
        ).fetchall()
        found = find_user(con, rows[0][0]) if rows else None
    if found is None or found[0].disabled:
        return None
    return workspace.acting(found[0].name), found[0]


def close_session(workspace: Workspace, token: str | None) -> None:
    """End the session (logout); nothing happens for an unknown token."""
    if not token:
        return
    with workspace.writing() as con:
        gone = con.execute('DELETE FROM sessions WHERE token_hash = ? RETURNING "user"', [_hash(token)]).fetchall()
        if gone:
            workspace.acting(gone[0][0]).audit(con, "logout", gone[0][0], {})


# a valid Argon2 hash of a random text, checked against for unknown users
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$D8RNg+eVWxefUK1jLVQV1A$527yMjFu4TK9IJH9BLakuU5GuI8y5sRv0k7lTTQ3Biw"


def verify_password(workspace: Workspace, name: str, password: str) -> bool:
    """Whether ``password`` is the active user ``name``'s (to confirm a change of password)."""
    with workspace.reading() as con:
        found = find_user(con, name)
    return found is not None and not found[0].disabled and check_password(found[1], password)
