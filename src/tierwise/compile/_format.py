"""Text for reasons: numbers formatted inside the query, bounds formatted in Python.

Number formatting is written with plain arithmetic and string functions so that the
same reason renders on every Ibis backend (no backend-specific ``format``).
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from tierwise.spec import format_amount

__all__ = [
    "bound_text",
    "concat",
    "label_text",
    "number_sql",
    "round_exact",
    "share_sql",
    "share_text",
    "value_sql",
]


def _group_int(ip: ir.IntegerValue) -> ir.StringValue:
    """Digits of a non-negative integer with thousands separators."""

    def part(k: int) -> ir.StringValue:
        return ((ip // (1000**k)) % 1000).cast("string").lpad(3, "0")

    branches = []
    for top in range(5, 0, -1):
        head = (ip // (1000**top)).cast("string")
        text = head
        for k in range(top - 1, -1, -1):
            text = text + "," + part(k)
        branches.append((ip >= 1000**top, text))
    return ibis.cases(*branches, else_=ip.cast("string"))


@ibis.udf.scalar.builtin(name="format")  # type: ignore[untyped-decorator]
def _duckdb_format(template: str, value: float) -> str:  # type: ignore[empty-body]
    """DuckDB's ``format`` (fmt syntax), used where the backend is DuckDB."""


EXACT_PLACES = 6  # a floating-point value is read as its decimal to the millionth before rounding


def round_exact(value: ir.NumericValue, digits: int) -> ir.FloatingValue:
    """``value`` rounded half away from zero as the decimal it shows (19.935 -> 19.94), as a float.

    Rounding the binary float instead gives 19.93 on DuckDB and 19.94 on PostgreSQL and
    Spark (which round through a decimal); the decimal first gives 19.94 on each.
    """
    exact = value.cast(f"decimal(38, {EXACT_PLACES})")
    return exact.round(digits).cast("float64")  # type: ignore[no-any-return]


def number_sql(value: ir.NumericValue, dialect: str = "duckdb") -> ir.StringValue:
    """``12345678.5`` -> ``'12,345,678.5'`` (two decimals at most); null stays null.

    On DuckDB this is its ``format('{:,.2f}')``; elsewhere plain arithmetic and string
    functions that every backend has.
    """
    rounded = round_exact(value, 2)
    if dialect == "duckdb":
        text = _duckdb_format("{:,.2f}", rounded).re_replace(r"\.?0+$", "")
        return ibis.ifelse(rounded == 0, ibis.literal("0"), text)
    magnitude = rounded.abs()
    ip = magnitude.floor().cast("int64")
    cents = ((magnitude - ip.cast("float64")) * 100).round().cast("int64")
    frac = ibis.cases(
        (cents == 0, ibis.literal("")),
        (cents % 10 == 0, "." + (cents // 10).cast("string")),
        else_="." + cents.cast("string").lpad(2, "0"),
    )
    sign = ibis.ifelse((rounded < 0) & ((ip > 0) | (cents > 0)), "-", "")
    return sign + _group_int(ip) + frac


def share_sql(value: ir.NumericValue, dialect: str = "duckdb") -> ir.StringValue:
    """``0.7531`` -> ``'75.31%'``."""
    return number_sql(value * 100, dialect) + "%"


def value_sql(value: ir.Value, dialect: str = "duckdb") -> ir.StringValue:
    """Any value as text for a reason (numbers formatted, booleans as-is)."""
    if value.type().is_numeric() and not value.type().is_boolean():
        return number_sql(value, dialect)  # type: ignore[arg-type]
    return value.cast("string")


def bound_text(value: float, lang: str) -> str:
    """A bound as a business reader writes it: ``1000万``, ``0.6亿`` (zh) or ``10,000,000``."""
    if lang == "zh" and value != 0:
        for unit, size in (("亿", 1e8), ("万", 1e4)):
            scaled = value / size
            if abs(scaled) >= 1 and abs(round(scaled, 4) - scaled) < 1e-9:
                return f"{scaled:g}{unit}"
    return format_amount(value)


def share_text(value: float) -> str:
    return f"{value * 100:g}%"


def label_text(value: Any) -> str:
    return str(value)


def concat(*parts: ir.StringValue | str) -> ir.StringValue:
    """Concatenate text; a null part (an unformatted null value) is shown as '—'."""
    out: ir.StringValue | None = None
    for part in parts:
        piece = ibis.literal(part) if isinstance(part, str) else part.fill_null("—")
        out = piece if out is None else out + piece
    assert out is not None
    return out
