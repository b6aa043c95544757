"""The lifecycle rules (LANGUAGE.md §8) as one pure decision per customer and publication.

Given the customer's current published grade, its newly evaluated grade, its tenure and
any approved override, :func:`decide` says which grade to publish, in what state, and why.
Nothing here reads or writes the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from tierwise.spec._lifecycle import Lifecycle

__all__ = ["Current", "Decision", "Override", "decide"]


@dataclass(frozen=True)
class Current:
    """The grade a customer has now."""

    grade: str | None
    state: str  # confirmed | provisional | held | override | cancelled
    hold_count: int = 0


@dataclass(frozen=True)
class Override:
    """An approved special approval (特批)."""

    request_id: int
    grade: str
    until: dt.date


@dataclass(frozen=True)
class Decision:
    """What to publish for one customer."""

    grade: str | None
    state: str
    hold_count: int
    why: str
    upgrade_to: str | None = None  # an upgrade that waits for an application's approval


def decide(
    rules: Lifecycle | None,
    grades: Sequence[str],
    current: Current | None,
    evaluated: str,
    *,
    as_of: dt.date,
    tenure_days: int | None = None,
    override: Override | None = None,
    scheduled: bool = True,
) -> Decision:
    """Apply cancellation, overrides, provisional grades, downgrade hold and upgrade rules, in that order.

    A publication that is not a ``scheduled`` evaluation (a review) grades new customers,
    confirms provisional ones and restores ended overrides, but leaves every other grade,
    state and hold count as it is: grace and max-steps count scheduled evaluations only.
    """
    if current is not None and current.state == "cancelled":
        return Decision(current.grade, "cancelled", 0, "已取消资格，等待恢复")
    if override is not None and override.until >= as_of:
        return Decision(
            override.grade, "override", 0, f"特批 #{override.request_id}：{override.grade}，有效至 {override.until}"
        )
    provisional = rules.provisional if rules is not None else None
    if provisional is not None and tenure_days is not None and tenure_days < provisional.tenure_below.approx_days:
        return Decision(
            evaluated, "provisional", 0, f"新客户暂定等级（合作不满 {provisional.tenure_below.zh}）：评估为 {evaluated}"
        )
    if current is None or current.grade is None:
        return Decision(evaluated, "confirmed", 0, f"评估为 {evaluated}")
    if current.state == "provisional":
        return Decision(evaluated, "confirmed", 0, f"暂定期满，确认为 {evaluated}")
    if current.state == "override":
        return Decision(evaluated, "confirmed", 0, f"特批到期，恢复评估等级 {evaluated}")
    if not scheduled:
        return Decision(current.grade, current.state, current.hold_count, f"复评：评估为 {evaluated}，等级不调整")
    now, new = grades.index(current.grade), grades.index(evaluated)
    if new > now:  # worse: a downgrade
        downgrade = rules.downgrade if rules is not None else None
        hold = downgrade.hold if downgrade is not None else 0
        if current.hold_count < hold:
            count = current.hold_count + 1
            return Decision(
                current.grade, "held", count, f"降级宽限 {count}/{hold}：评估为 {evaluated}，保留 {current.grade}"
            )
        steps = downgrade.max_steps if downgrade is not None and downgrade.max_steps else len(grades)
        target = grades[min(now + steps, new)]
        limited = f"（每次最多降 {steps} 级）" if target != evaluated else ""
        return Decision(target, "confirmed", 0, f"降级：评估为 {evaluated}，调整为 {target}{limited}")
    if new < now:  # better: an upgrade
        if rules is not None and rules.upgrade == "by_application":
            return Decision(current.grade, "confirmed", 0, f"评估为 {evaluated}，升级待申请批准", upgrade_to=evaluated)
        return Decision(evaluated, "confirmed", 0, f"升级：评估为 {evaluated}")
    return Decision(evaluated, "confirmed", 0, f"评估为 {evaluated}，等级不变")
