"""Field types shared by the standard's models: literals, labels, expressions, the base model."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from tierwise.spec._expr import ExprError, parse_expression
from tierwise.spec._literals import Duration, parse_date, parse_duration, parse_number, shown_text

__all__ = [
    "AggExpr",
    "DateField",
    "DurationField",
    "Expr",
    "Label",
    "Name",
    "Number",
    "_Model",
    "check_name",
    "repeated",
]


# The literal parsers raise LiteralError, a ValueError, which pydantic reports as is.
_number, _duration, _date = parse_number, parse_duration, parse_date


def _label(value: object) -> object:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return value


_WORD = re.compile(r"[^\W\d]\w*")


def check_name(value: object, what: str = "name") -> str:
    """A name a standard defines or refers to: one word of letters (any script), digits and '_'."""
    text = str(value)
    if not _WORD.fullmatch(text):
        raise ValueError(
            f"{text!r} is not a {what}: a {what} is one word of letters (any script), digits and '_', "
            f"not starting with a digit; rename it, e.g. {_suggest(text)!r}"
        )
    return text


def repeated(items: Iterable[object]) -> list[str]:
    """The items (as text) that appear more than once, sorted; linear, so 20,000 grades check at once."""
    counts = Counter(str(item) for item in items)
    return sorted(text for text, count in counts.items() if count > 1)


def _suggest(text: str) -> str:
    word = re.sub(r"\W+", "_", text).strip("_") or "name"
    return word if not word[0].isdigit() else f"n_{word}"


def _expression(aggregates: bool) -> Any:
    def check(text: str) -> str:
        try:
            parse_expression(text, allow_aggregates=aggregates)
        except ExprError as exc:
            raise ValueError(f"in '{shown_text(text, 60)}': {exc}") from exc
        return text

    return AfterValidator(check)


Number = Annotated[float, BeforeValidator(_number)]
DurationField = Annotated[Duration, BeforeValidator(_duration)]
DateField = Annotated[dt.date, BeforeValidator(_date)]
Label = Annotated[str, BeforeValidator(_label), Field(min_length=1)]
Expr = Annotated[str, _expression(False)]
Name = Annotated[str, AfterValidator(check_name)]
AggExpr = Annotated[str, _expression(True)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
