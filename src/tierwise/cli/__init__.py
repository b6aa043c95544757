"""The ``tierwise`` command line."""

from __future__ import annotations

from . import _reports, _users, _workspace  # noqa: F401 - register the workspace, report and user commands
from ._app import app, main

__all__ = ["app", "main"]
