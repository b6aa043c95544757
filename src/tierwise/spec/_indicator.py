"""Indicators (LANGUAGE.md §4): where one value per customer comes from."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from tierwise.spec._expr import aggregate_calls, parse_expression
from tierwise.spec._fields import AggExpr, Expr, _date, _duration, _Model, _number
from tierwise.spec._literals import Duration

__all__ = ["DATE_COLUMNS", "MODELS", "MODEL_OUTPUTS", "Indicator", "Window", "monthly_rate"]

# Customer-base models (docs/models): what each may predict, the first being its default.
MODELS = ("bgnbd", "pnbd", "gammagamma", "bgnbd+gammagamma", "pnbd+gammagamma")
MODEL_OUTPUTS = {
    "bgnbd": ("purchases", "p_alive"),
    "pnbd": ("purchases", "p_alive"),
    "gammagamma": ("spend",),
    "bgnbd+gammagamma": ("clv", "purchases", "p_alive", "spend"),
    "pnbd+gammagamma": ("clv", "purchases", "p_alive", "spend"),
}
_PERIODS = {
    "monthly": 1,
    "per month": 1,
    "每月": 1,
    "月": 1,
    "yearly": 12,
    "annual": 12,
    "per year": 12,
    "每年": 12,
    "年": 12,
}


def monthly_rate(value: Any) -> float:
    """A discount rate such as '1% monthly' or '12% yearly' as a monthly rate.

    Examples
    --------
    >>> monthly_rate("1% monthly")
    0.01
    >>> round(monthly_rate("12.68% yearly"), 4)
    0.01
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        rate, months = float(value), 1
    else:
        text = str(value).strip()
        for word, per in sorted(_PERIODS.items(), key=lambda kv: -len(kv[0])):
            if text.endswith(word):
                rate, months = float(_number(text[: -len(word)].strip())), per
                break
        else:
            raise ValueError(
                f"A discount is a rate and its period, like '1% monthly' or '12% yearly'. Got {value!r} instead"
            )
    if not 0 <= rate < 1:
        raise ValueError(f"A discount rate is at least 0% and below 100%. Got {value!r} instead")
    return rate if months == 1 else float((1 + rate) ** (1 / months) - 1)


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
    model: Literal[MODELS] | None = None  # type: ignore[valid-type]
    output: Literal["clv", "purchases", "p_alive", "spend"] | None = None
    horizon: Annotated[Duration, BeforeValidator(_duration)] | None = None
    discount: Annotated[float, BeforeValidator(monthly_rate)] | None = None
    calibration: Annotated[Window, BeforeValidator(_window)] | None = None
    amount: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Indicator:
        if self.model is not None:
            return self._model_options()
        model_only = [
            k for k in ("output", "horizon", "discount", "calibration", "amount") if getattr(self, k) is not None
        ]
        if model_only:
            raise ValueError(f"'{model_only[0]}' only applies to indicators predicted by a 'model' (bgnbd, pnbd ...)")
        sources = [k for k in ("attribute", "from", "expr", "standard") if getattr(self, "from_" if k == "from" else k)]
        if len(sources) != 1:
            got = ", ".join(sources) or "none"
            raise ValueError(
                f"An indicator takes its value from exactly one of attribute, from, expr, standard or model; got {got}"
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

    def _model_options(self) -> Indicator:
        extra = [k for k in ("attribute", "agg", "window", "where", "expr", "standard") if getattr(self, k) is not None]
        if extra:
            hint = " (a model reads its 'calibration' period instead)" if extra[0] == "window" else ""
            raise ValueError(f"'{extra[0]}' does not apply to an indicator predicted by a model{hint}")
        allowed = MODEL_OUTPUTS[self.model or ""]
        output = self.output or allowed[0]
        if output not in allowed:
            raise ValueError(
                f"The model '{self.model}' predicts {', '.join(allowed)}, not '{output}'"
                + ("; use bgnbd+gammagamma for a value" if output in ("clv", "spend") else "")
            )
        if output in ("clv", "purchases") and self.horizon is None:
            raise ValueError(f"Predicting '{output}' needs a 'horizon', such as 12 months")
        if output not in ("clv",) and self.discount is not None:
            raise ValueError(f"'discount' only applies to predicting 'clv', not '{output}'")
        return self

    @property
    def model_table(self) -> str:
        """The table a model indicator reads its purchases from (default 'transactions')."""
        return self.from_ or "transactions"

    @property
    def model_column(self) -> str:
        """The column that holds a model indicator's prediction: the same for the same model and options."""
        key = "|".join(
            str(v)
            for v in (self.model, self.prediction, self.horizon, self.discount, self.calibration, self.model_table)
        )
        key += f"|{self.amount}|{self.date}"
        return "_tw_model_" + hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:12]

    @property
    def prediction(self) -> str | None:
        """What a model indicator predicts (its ``output`` or the model's default); None otherwise."""
        return None if self.model is None else self.output or MODEL_OUTPUTS[self.model][0]

    @property
    def kind(self) -> str:
        if self.model is not None:
            return "model"
        return next(
            k for k in ("attribute", "from", "expr", "standard") if getattr(self, "from_" if k == "from" else k)
        )


def _has_aggregate(text: str) -> bool:
    return bool(aggregate_calls(parse_expression(text, allow_aggregates=True)))
