"""The ``tierwise`` command line."""

from __future__ import annotations

from . import _models, _reports, _serve, _users, _workspace  # noqa: F401 - register the model, workspace, report, serve and user commands
from ._app import app, main

__all__ = ["app", "main"]
