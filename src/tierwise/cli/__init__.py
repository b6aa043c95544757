"""The ``tierwise`` command line."""

from __future__ import annotations

from . import _users, _workspace  # noqa: F401 - register the workspace and user commands on the app
from ._app import app, main

__all__ = ["app", "main"]
