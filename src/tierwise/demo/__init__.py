"""The demo: generated B2B data and the real CDNow purchase log, graded by every built-in standard."""

from __future__ import annotations

from ._generate import AS_OF, CRITERIA, generate
from ._run import CDNOW, CDNOW_AS_OF, CDNOW_STANDARDS, DemoReport, DemoSection, run_demo

__all__ = [
    "AS_OF",
    "CDNOW",
    "CDNOW_AS_OF",
    "CDNOW_STANDARDS",
    "CRITERIA",
    "DemoReport",
    "DemoSection",
    "generate",
    "run_demo",
]
