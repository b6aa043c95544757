"""Lifecycle settings (LANGUAGE.md §8): cadence, provisional grades, downgrade hold, overrides."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from tierwise.spec._fields import DurationField, _Model

__all__ = ["Cadence", "Downgrade", "Lifecycle", "Overrides", "Provisional"]


class Cadence(_Model):
    every: Literal["year", "half_year", "quarter", "month", "week"]
    on: str | None = None

    @field_validator("on")
    @classmethod
    def _day(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{2}-\d{2}|\d{1,2}", value):
            raise ValueError(
                f"'on' is a day: 'MM-DD' for a yearly cadence or a day of the month. Got '{value}' instead"
            )
        return value


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
