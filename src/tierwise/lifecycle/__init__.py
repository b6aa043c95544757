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

__all__ = [
    "Current",
    "CustomerCard",
    "CustomerFilter",
    "Decision",
    "Override",
    "PublishResult",
    "StandardInfo",
    "apply_upgrade",
    "audit_log",
    "cancel",
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
    "scoped_requests",
    "simulate",
    "standards",
    "visible",
]
