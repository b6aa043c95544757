"""Lifecycle: publishing runs as grades with provisional grades, downgrade hold, approvals and history."""

from __future__ import annotations

from ._decide import Current, Decision, Override, decide
from ._publish import (
    PublishResult,
    cancel,
    decide_request,
    grades_on,
    grades_on_sql,
    history,
    publish,
    reinstate,
    request_override,
    requests,
    simulate,
)

__all__ = [
    "Current",
    "Decision",
    "Override",
    "PublishResult",
    "cancel",
    "decide",
    "decide_request",
    "grades_on",
    "grades_on_sql",
    "history",
    "publish",
    "reinstate",
    "request_override",
    "requests",
    "simulate",
]
