"""``python -m tierwise``."""

from __future__ import annotations

from tierwise.cli import main

main()
