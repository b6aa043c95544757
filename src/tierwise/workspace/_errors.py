"""The errors of the workspace layer: each message is one sentence that says what to do."""

from __future__ import annotations

import errno

from tierwise._messages import message

__all__ = ["AccessDenied", "NotFound", "Refused", "WorkspaceBusy", "WorkspaceError", "storage_error"]


class WorkspaceError(ValueError):
    """A workspace that cannot be created, found or used as asked."""


class Refused(WorkspaceError):
    """A refusal whose sentence is a message of the catalogue (``key`` with ``params``), read in English as ``str``.

    The web app shows it in the reader's language from the same key.
    """

    def __init__(self, key: str, /, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(message(key, "en", **params))

    def text(self, lang: str) -> str:
        """The sentence in ``lang`` (zh or en)."""
        return message(self.key, lang, **self.params)


class WorkspaceBusy(WorkspaceError):
    """Another tierwise command holds the workspace."""


class AccessDenied(WorkspaceError):
    """The acting user could not be authenticated, or may not do what was asked."""


class NotFound(WorkspaceError):
    """There is no such customer, request, run or user."""


_ERRNO_TEXT = {
    errno.ENOSPC: ("the disk is full", "free some space and try again"),
    errno.EDQUOT: ("the disk quota is used up", "free some space and try again"),
    errno.EROFS: ("the folder is on a read-only disk", "use a folder you can write to"),
    errno.EACCES: ("you may not write there", "use a folder you can write to, or ask for access"),
    errno.EPERM: ("you may not write there", "use a folder you can write to, or ask for access"),
}
_DUCKDB_TEXT = (
    ("no space left", errno.ENOSPC),
    ("disk quota", errno.EDQUOT),
    ("read-only file system", errno.EROFS),
    ("permission denied", errno.EACCES),
)


def storage_error(exc: BaseException, where: object, doing: str) -> WorkspaceError | None:
    """A one-sentence error for a failure of the disk under the workspace (full, read-only, no access).

    ``exc`` is an OSError or a DuckDB error whose text tells the same; None for anything else.
    """
    code = exc.errno if isinstance(exc, OSError) else None
    if code is None:
        text = str(exc).lower()
        code = next((number for words, number in _DUCKDB_TEXT if words in text), None)
    if code not in _ERRNO_TEXT:
        return None
    what, fix = _ERRNO_TEXT[code]
    return WorkspaceError(f"Could not {doing} in {where}: {what}; nothing was changed. {fix[0].upper()}{fix[1:]}.")
