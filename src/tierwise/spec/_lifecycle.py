"""Lifecycle settings (LANGUAGE.md §8): cadence, provisional grades, downgrade hold, overrides."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Literal

from pydantic import Field, field_validator

from tierwise.spec._fields import DurationField, _Model

__all__ = ["Cadence", "Downgrade", "Lifecycle", "Overrides", "Provisional"]


_DAY = r"\d{2}-\d{2}|\d{1,2}"


class Cadence(_Model):
    """When scheduled evaluations happen: ``every`` period, ``on`` a day or a window of days.

    ``on`` is ``MM-DD`` (yearly) or a day of the month, or a window ``03-25..03-30`` /
    ``25..30``: the first publication (not a review) on or after the window's first day is
    the period's scheduled evaluation; every other publication is a review.
    """

    every: Literal["year", "half_year", "quarter", "month", "week"]
    on: str | None = None

    @field_validator("on")
    @classmethod
    def _day(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(rf"({_DAY})(\.\.({_DAY}))?", value):
            raise ValueError(
                "'on' is a day ('MM-DD' for a yearly cadence or a day of the month) or a window of days "
                f"('03-25..03-30'). Got '{value}' instead"
            )
        if value is not None and ".." in value:
            first, last = value.split("..")
            if ("-" in first) != ("-" in last) or _key(last) < _key(first):
                raise ValueError(
                    f"The window '{value}' must run from its first day to a later one of the same form, like "
                    f"'03-25..03-30'"
                )
        return value

    @property
    def first_day(self) -> str | None:
        """The window's first day (``on`` itself for one day)."""
        return self.on.split("..")[0] if self.on is not None else None

    @property
    def last_day(self) -> str | None:
        """The window's last day (``on`` itself for one day)."""
        return self.on.split("..")[-1] if self.on is not None else None

    def period_start(self, day: dt.date) -> dt.date:
        """The first day of the period ``day`` is in: the latest window start on or before ``day``.

        A publication (not a review) is the period's scheduled evaluation when no other was
        published since this day. Without a yearly ``MM-DD`` or a monthly day, the period is
        the ``every`` before ``day``.

        >>> Cadence(every="year", on="03-25..03-30").period_start(dt.date(2026, 7, 31))
        datetime.date(2026, 3, 25)
        >>> Cadence(every="year", on="03-25..03-30").period_start(dt.date(2026, 3, 1))
        datetime.date(2025, 3, 25)
        """
        first = self.first_day
        if self.every == "week":
            return day - dt.timedelta(days=6)
        if self.every == "year" and first is not None and "-" in first:
            month, wanted = _key(first)
            start = _on(day.year, month, wanted)
            return start if start <= day else _on(day.year - 1, month, wanted)
        if self.every == "month" and first is not None and first.isdigit():
            start = _on(day.year, day.month, int(first))
            if start <= day:
                return start
            back = day.replace(day=1) - dt.timedelta(days=1)
            return _on(back.year, back.month, int(first))
        months = {"year": 12, "half_year": 6, "quarter": 3, "month": 1}[self.every]
        total = day.year * 12 + day.month - 1 - months
        return _on(total // 12, total % 12 + 1, day.day) + dt.timedelta(days=1)


def _on(year: int, month: int, day: int) -> dt.date:
    """The day of the month, or the month's last day when it is shorter."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _key(day: str) -> tuple[int, ...]:
    return tuple(int(part) for part in day.split("-"))


class Provisional(_Model):
    tenure_below: DurationField


class Downgrade(_Model):
    hold: int = Field(default=0, ge=0)
    max_steps: int | None = Field(default=None, ge=1)


class Overrides(_Model):
    approval: Literal["required", "none"] = "required"
    max_duration: DurationField | None = None


class Lifecycle(_Model):
    cadence: Cadence | None = None
    provisional: Provisional | None = None
    downgrade: Downgrade | None = None
    upgrade: Literal["automatic", "by_application"] = "automatic"
    overrides: Overrides | None = None
