"""The errors of the workspace layer: each message is one sentence that says what to do."""

from __future__ import annotations

import errno
from typing import Self

from tierwise._messages import message

__all__ = ["AccessDenied", "NotFound", "Phrase", "Refused", "WorkspaceBusy", "WorkspaceError", "storage_error"]


class WorkspaceError(ValueError):
    """A workspace that cannot be created, found or used as asked.

    An error made by :meth:`said` carries its catalogue key and values, so the web app shows it
    in the reader's language; its text is the English sentence.
    """

    key: str | None = None
    params: dict[str, object] = {}  # noqa: RUF012 (read-only; :meth:`said` sets an instance's own)

    @classmethod
    def said(cls, key: str, /, **params: object) -> Self:
        """The error whose sentence is the catalogue's ``key`` with ``params``."""
        from tierwise._messages import message

        error = cls(message(key, "en", **params))
        error.key, error.params = key, dict(params)
        return error


def _text(value: object, lang: str) -> object:
    """A parameter in ``lang``: phrases rendered, a list of phrases joined."""
    if isinstance(value, Phrase):
        return value.text(lang)
    if isinstance(value, list | tuple):
        return ("；" if lang == "zh" else "; ").join(str(_text(v, lang)) for v in value)
    return value


class Phrase:
    """A catalogue message inside another one's sentence, rendered in the same language."""

    def __init__(self, key: str, /, **params: object) -> None:
        self.key, self.params = key, params

    def text(self, lang: str) -> str:
        return message(self.key, lang, **{k: _text(v, lang) for k, v in self.params.items()})

    def __str__(self) -> str:
        return self.text("en")


class Refused(WorkspaceError):
    """A refusal whose sentence is in the message catalogue: ``str()`` is English, :meth:`text` any language."""

    def __init__(self, key: str, /, **params: object) -> None:
        self.phrase = Phrase(key, **params)
        super().__init__(self.phrase.text("en"))
        self.key, self.params = key, dict(params)

    def text(self, lang: str) -> str:
        """The sentence in ``lang`` (zh or en)."""
        return self.phrase.text(lang)


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
