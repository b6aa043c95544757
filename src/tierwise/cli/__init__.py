"""The ``tierwise`` command line."""

from __future__ import annotations

from . import _models, _quality, _reports, _serve, _users, _workspace  # noqa: F401 - register every command group
from ._app import app, main

__all__ = ["app", "main"]
