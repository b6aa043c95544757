"""Indicators (LANGUAGE.md §4): where one value per customer comes from."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from tierwise.spec._expr import aggregate_calls, parse_expression
from tierwise.spec._fields import AggExpr, Expr, _date, _duration, _Model
from tierwise.spec._literals import Duration

__all__ = ["DATE_COLUMNS", "Indicator", "Window"]

# The date column of each conventional table (LANGUAGE.md §3): windows, latest() and as-of cut-offs use it,
# unless an indicator names its own with 'date:'. Any other table's is 'date'.
DATE_COLUMNS = {
    "transactions": "date",
    "payments": "due_date",
    "assessments": "assessed_at",
    "opportunities": "expected_close",
}


class Window(_Model):
    """Which dated rows count: a duration, the last calendar year, a date range, or all."""

    kind: Literal["duration", "calendar_year", "range", "all"]
    duration: Duration | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    def __str__(self) -> str:
        if self.kind == "duration":
            return str(self.duration)
        if self.kind == "range":
            return f"{self.start}..{self.end}"
        return self.kind


def _window(value: Any) -> Any:
    if isinstance(value, Window):
        return value
    if value in ("all", "calendar_year"):
        return {"kind": value}
    if isinstance(value, str):
        return {"kind": "duration", "duration": _duration(value)}
    if isinstance(value, dict):
        unknown = set(value) - {"from", "to"}
        if unknown or not {"from", "to"} <= set(value):
            raise ValueError(f"A window range is written {{from: YYYY-MM-DD, to: YYYY-MM-DD}}. Got {value!r} instead")
        start, end = _date(value["from"]), _date(value["to"])
        if start > end:
            raise ValueError(f"The window starts ({start}) after it ends ({end})")
        return {"kind": "range", "start": start, "end": end}
    raise ValueError(
        f"A window is a duration ('12 months'), 'calendar_year', 'all' or {{from: DATE, to: DATE}}. Got {value!r} instead"
    )


class Indicator(_Model):
    """One value per customer (LANGUAGE.md §4)."""

    attribute: str | None = None
    from_: str | None = Field(default=None, alias="from")
    agg: AggExpr | None = None
    window: Annotated[Window, BeforeValidator(_window)] | None = None
    where: Expr | None = None
    date: str | None = None
    expr: Expr | None = None
    standard: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Indicator:
        sources = [k for k in ("attribute", "from", "expr", "standard") if getattr(self, "from_" if k == "from" else k)]
        if len(sources) != 1:
            got = ", ".join(sources) or "none"
            raise ValueError(
                f"An indicator takes its value from exactly one of attribute, from, expr or standard; got {got}"
            )
        if self.from_ is not None and self.agg is None:
            raise ValueError(f"An indicator 'from: {self.from_}' needs an 'agg', like sum(amount) or count()")
        if self.from_ is None:
            extra = [k for k in ("agg", "window", "where", "date") if getattr(self, k) is not None]
            if extra:
                raise ValueError(f"'{extra[0]}' only applies to indicators read 'from' a table")
        if self.agg is not None and not _has_aggregate(self.agg):
            raise ValueError(
                f"The agg '{self.agg}' has no aggregate; use sum, count, count_distinct, mean, median, min, max or latest"
            )
        return self

    @property
    def kind(self) -> str:
        return next(
            k for k in ("attribute", "from", "expr", "standard") if getattr(self, "from_" if k == "from" else k)
        )


def _has_aggregate(text: str) -> bool:
    return bool(aggregate_calls(parse_expression(text, allow_aggregates=True)))
