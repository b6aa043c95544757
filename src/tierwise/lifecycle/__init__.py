"""Lifecycle: publishing runs as grades with provisional grades, downgrade hold, approvals and history."""

from __future__ import annotations

from ._customers import (
    CustomerCard,
    CustomerFilter,
    StandardInfo,
    audit_log,
    customer_card,
    customers_table,
    find_customers,
    regions,
    scoped_requests,
    standards,
    visible,
)
from ._decide import Current, Decision, Override, decide
from ._publish import (
    PublishResult,
    apply_upgrade,
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
from ._review import MOVES, ReviewPage, change_grade, review_page, undo_change, unpublished_runs

__all__ = [
    "MOVES",
    "Current",
    "CustomerCard",
    "CustomerFilter",
    "Decision",
    "Override",
    "PublishResult",
    "ReviewPage",
    "StandardInfo",
    "apply_upgrade",
    "audit_log",
    "cancel",
    "change_grade",
    "customer_card",
    "customers_table",
    "decide",
    "decide_request",
    "find_customers",
    "grades_on",
    "grades_on_sql",
    "history",
    "publish",
    "regions",
    "reinstate",
    "request_override",
    "requests",
    "review_page",
    "scoped_requests",
    "simulate",
    "standards",
    "undo_change",
    "unpublished_runs",
    "visible",
]
