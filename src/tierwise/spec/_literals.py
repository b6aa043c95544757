"""Literals of the standard language (LANGUAGE.md §3): amounts, shares, durations, dates."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from tierwise._dates import parse_day
from tierwise._messages import message

__all__ = [
    "MAX_NUMBER",
    "Duration",
    "LiteralError",
    "add_duration",
    "format_amount",
    "parse_amount",
    "parse_date",
    "parse_duration",
    "parse_number",
    "shown_text",
]

_SUFFIXES: dict[str, Decimal] = {
    "万": Decimal(10_000),
    "亿": Decimal(100_000_000),
    "k": Decimal(1_000),
    "K": Decimal(1_000),
    "M": Decimal(1_000_000),
    "B": Decimal(1_000_000_000),
}
_AMOUNT = re.compile(r"^\s*([+-]?(?:\d[\d_,]*)?(?:\.\d+)?)\s*(万|亿|k|K|M|B|%)?\s*$")
_DURATION = re.compile(r"^\s*(\d+)\s*(day|days|week|weeks|month|months|year|years)\s*$")
_UNITS = {"day": "days", "week": "weeks", "month": "months", "year": "years"}


MAX_NUMBER = 10**15  # 1000万亿: beyond any amount, count or score, and exact as a float (below 2**53)


class LiteralError(ValueError):
    """A literal that does not read as an amount, share, duration or date."""


def parse_number(value: object) -> float:
    """Read a number written as a plain number or an amount/share literal.

    Examples
    --------
    >>> parse_number("1000万"), parse_number("80%"), parse_number("1_200"), parse_number(3)
    (10000000.0, 0.8, 1200.0, 3.0)
    """
    if isinstance(value, bool):
        raise LiteralError(f"{value!r} is a boolean, not a number")
    if isinstance(value, (int, float)):
        return _in_range(value, value)
    if not isinstance(value, str):
        raise LiteralError(f"{value!r} is not a number")
    match = _AMOUNT.match(value)
    if match is None or not match.group(1) or match.group(1) in "+-":
        raise LiteralError(f"'{value}' is not a number; write it like 1000万, 0.6亿, 5k, 1.2M, 3B or 80%")
    digits, suffix = match.groups()
    try:
        number = Decimal(digits.replace("_", "").replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only digits
        raise LiteralError(f"'{value}' is not a number") from exc
    if suffix == "%":
        number /= 100
    elif suffix:
        number *= _SUFFIXES[suffix]
    return _in_range(number, value)


def _in_range(number: int | float | Decimal, written: object) -> float:
    """``number`` as a float, or a :class:`LiteralError` when it is not finite or beyond :data:`MAX_NUMBER`."""
    if (isinstance(number, float) and number != number) or not -MAX_NUMBER <= number <= MAX_NUMBER:
        text = (
            written if isinstance(written, str) else repr(written) if isinstance(written, float) else _digits(written)
        )
        raise LiteralError(message("spec.literal_range", "en", value=shown_text(text), limit=f"{MAX_NUMBER:,}"))
    return float(number)


def _digits(value: object) -> str:
    return str(value) if isinstance(value, int) and value.bit_length() < 1000 else "a huge integer"


def shown_text(text: str, width: int = 40) -> str:
    """``text`` as a message may show it: shortened in the middle when long.

    Examples
    --------
    >>> shown_text("9" * 400)
    '99999999999999999999…9999999999 (400 characters)'
    """
    return text if len(text) <= width else f"{text[: width // 2]}…{text[-10:]} ({len(text):,} characters)"


def parse_amount(value: object) -> float:
    """Alias of :func:`parse_number` kept for readability at call sites about money."""
    return parse_number(value)


@dataclass(frozen=True)
class Duration:
    """A span of calendar time: a count of days, weeks, months or years."""

    count: int
    unit: str  # days | weeks | months | years

    def __str__(self) -> str:
        return f"{self.count} {self.unit}"

    @property
    def zh(self) -> str:
        """The span in Chinese, for reasons written in Chinese.

        >>> parse_duration("6 months").zh, parse_duration("1 year").zh, parse_duration("30 days").zh
        ('6 个月', '1 年', '30 天')
        """
        unit = {"days": "天", "weeks": "周", "months": "个月", "years": "年"}[self.unit]
        return f"{self.count} {unit}"

    @property
    def approx_days(self) -> float:
        """The length in days, months counted as 30.4375 days (for comparisons only)."""
        per = {"days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}[self.unit]
        return self.count * per


def parse_duration(value: object) -> Duration:
    """Read ``30 days``, ``6 months``, ``1 year`` …

    Examples
    --------
    >>> parse_duration("12 months")
    Duration(count=12, unit='months')
    """
    if not isinstance(value, str) or (match := _DURATION.match(value)) is None:
        raise LiteralError(f"'{value}' is not a duration; write it like '30 days', '6 months' or '1 year'")
    count, unit = match.groups()
    return Duration(int(count), _UNITS.get(unit, unit))


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last_day))


def add_duration(day: dt.date, duration: Duration, sign: int = 1) -> dt.date:
    """Move ``day`` by ``duration`` (``sign=-1`` goes back); month ends are clamped.

    Examples
    --------
    >>> add_duration(dt.date(2026, 3, 31), parse_duration("1 month"), -1)
    datetime.date(2026, 2, 28)
    """
    if duration.unit == "days":
        return day + dt.timedelta(days=sign * duration.count)
    if duration.unit == "weeks":
        return day + dt.timedelta(weeks=sign * duration.count)
    months = duration.count * (12 if duration.unit == "years" else 1)
    return _add_months(day, sign * months)


def parse_date(value: object) -> dt.date:
    """Read a date as people write it: ``2026-03-31``, ``2026/3/31``, ``2026年3月31日``, ``20260331``.

    Examples
    --------
    >>> parse_date("2026-03-31"), parse_date("2026年3月31日")
    (datetime.date(2026, 3, 31), datetime.date(2026, 3, 31))
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            day = parse_day(value)
        except ValueError as exc:
            raise LiteralError(f"'{value}' is not a date: {exc}") from exc
        if day is not None:
            return day
    raise LiteralError(f"'{value}' is not a date; write it like 2026-03-31, 2026/3/31 or 2026年3月31日")


def format_amount(value: float) -> str:
    """Format a number for people: thousands separators, at most two decimals.

    Examples
    --------
    The value is read as its decimal to the millionth and rounded half away from zero,
    as the queries round it on every backend (19.935 is 19.94, not the binary 19.93).

    >>> format_amount(12345678), format_amount(0.125), format_amount(-1500.5), format_amount(19.935)
    ('12,345,678', '0.13', '-1,500.5', '19.94')
    """
    if value != value:  # NaN
        return "NaN"
    if abs(value) == float("inf"):
        return "-inf" if value < 0 else "inf"
    exact = Decimal(repr(float(value))).quantize(Decimal("0.000001"), ROUND_HALF_UP)
    text = f"{exact.quantize(Decimal('0.01'), ROUND_HALF_UP):,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
