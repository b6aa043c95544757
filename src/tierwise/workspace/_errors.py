"""The errors of the workspace layer: each message is one sentence that says what to do."""

from __future__ import annotations

__all__ = ["AccessDenied", "WorkspaceBusy", "WorkspaceError"]


class WorkspaceError(ValueError):
    """A workspace that cannot be created, found or used as asked."""


class WorkspaceBusy(WorkspaceError):
    """Another tierwise command holds the workspace."""


class AccessDenied(WorkspaceError):
    """The acting user could not be authenticated, or may not do what was asked."""
