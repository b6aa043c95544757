"""Field types shared by the standard's models: literals, labels, expressions, the base model."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from tierwise.spec._expr import ExprError, parse_expression
from tierwise.spec._literals import Duration, LiteralError, parse_date, parse_duration, parse_number

__all__ = ["AggExpr", "DateField", "DurationField", "Expr", "Label", "Number", "_Model"]


def _number(value: object) -> float:
    try:
        return parse_number(value)
    except LiteralError as exc:
        raise ValueError(str(exc)) from exc


def _duration(value: object) -> Duration:
    if isinstance(value, Duration):
        return value
    try:
        return parse_duration(value)
    except LiteralError as exc:
        raise ValueError(str(exc)) from exc


def _date(value: object) -> dt.date:
    try:
        return parse_date(value)
    except LiteralError as exc:
        raise ValueError(str(exc)) from exc


def _label(value: object) -> object:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _expression(aggregates: bool) -> Any:
    def check(text: str) -> str:
        try:
            parse_expression(text, allow_aggregates=aggregates)
        except ExprError as exc:
            raise ValueError(f"in '{text}': {exc}") from exc
        return text

    return AfterValidator(check)


Number = Annotated[float, BeforeValidator(_number)]
DurationField = Annotated[Duration, BeforeValidator(_duration)]
DateField = Annotated[dt.date, BeforeValidator(_date)]
Label = Annotated[str, BeforeValidator(_label), Field(min_length=1)]
Expr = Annotated[str, _expression(False)]
AggExpr = Annotated[str, _expression(True)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
