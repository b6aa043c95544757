"""The ``tierwise`` command line."""

from __future__ import annotations

from . import _workspace  # noqa: F401 - registers the workspace commands on the app
from ._app import app, main

__all__ = ["app", "main"]
