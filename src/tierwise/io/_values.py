"""Values as Chinese business systems export them, read into numbers, dates and booleans.

``1,234.50``, ``¥1,234``, ``12.3万``, ``(1,000)`` (a negative), ``８８`` (full-width digits),
``2024/3/5``, ``2024-03-05``, ``2024年3月5日``, Excel serial dates (``45356``), ``是/否``.
Each parser returns the value or raises :class:`ValueError` with a short reason, so an
importer can report every bad cell.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from tierwise._dates import parse_day

__all__ = ["parse_bool", "parse_business_date", "parse_business_number"]

_UNITS = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1_000), "百万": Decimal(1_000_000)}
_NUMBER = re.compile(r"^([+-]?)(\d+(?:,\d{3})*|\d*)(\.\d*)?(?:[eE]([+-]?\d{1,3}))?(百万|万|亿|千|%)?$")
_CURRENCY = ("¥", "￥", "RMB", "CNY", "元", "$", "US$", "USD")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_TRUE = {"是", "true", "t", "yes", "y", "1", "对", "有", "√"}
_FALSE = {"否", "false", "f", "no", "n", "0", "无", "×"}


def _normal(text: str) -> str:
    """Full-width forms to ASCII (``１２３`` -> ``123``, ``，`` -> ``,``), spaces removed."""
    return unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u00a0", "").strip()


def parse_business_number(value: object) -> float | None:
    """A number as exported: thousands separators, currency, 万/亿, parentheses, %.

    Empty text is None (a missing value). Raises ValueError for anything else.

    Examples
    --------
    >>> [parse_business_number(v) for v in ["1,234.50", "¥1,234", "12.3万", "(1,000)", "８８", "15%", "", "1.0117019e+10"]]
    [1234.5, 1234.0, 123000.0, -1000.0, 88.0, 0.15, None, 10117019000.0]
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("a true/false value is not a number")
    if isinstance(value, (int, float)):
        return float(value)
    text = _normal(str(value))
    if text in ("", "-", "—", "--"):
        return None
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    for mark in _CURRENCY:
        text = text.replace(mark, "")
    match = _NUMBER.match(text)
    if match is None or not any(c.isdigit() for c in (match.group(2) or "") + (match.group(3) or "")):
        raise ValueError("not a number")
    sign, whole, fraction, exponent, unit = match.groups()
    try:
        number = Decimal((whole or "0").replace(",", "") + (fraction or "") + (f"e{exponent}" if exponent else ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits digits only
        raise ValueError("not a number") from exc
    if unit == "%":
        number /= 100
    elif unit:
        number *= _UNITS[unit]
    if sign == "-" or negative:
        number = -number
    return float(number)


def parse_business_date(value: object) -> dt.date | None:
    """A date as exported: ISO, slashes, 年月日, ``YYYYMMDD``, Excel serial numbers, datetimes.

    Examples
    --------
    >>> [parse_business_date(v) for v in ["2024/3/5", "2024-03-05", "2024年3月5日", 45356, "２０２４年３月５日"]]
    [datetime.date(2024, 3, 5), datetime.date(2024, 3, 5), datetime.date(2024, 3, 5), datetime.date(2024, 3, 5), datetime.date(2024, 3, 5)]
    >>> parse_business_date("2024/3/5 10:23")  # a time of day, as Excel writes it, is dropped
    datetime.date(2024, 3, 5)
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError("a true/false value is not a date")
    if isinstance(value, (int, float)):
        return _excel_serial(float(value))
    text = _normal(str(value))
    if text == "":
        return None
    day = parse_day(str(value)) or parse_day(text)  # "2024/3/5 10:23" keeps its space, "2024 年 3 月 5 日" not
    if day is not None:
        return day
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _excel_serial(float(text))
    raise ValueError("not a date (write it like 2024-03-05, 2024/3/5 or 2024年3月5日)")


def _excel_serial(serial: float) -> dt.date:
    if not 1 <= serial < 2_958_466:
        raise ValueError("not a date")
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def parse_bool(value: object) -> bool | None:
    """是/否, Y/N, true/false, 1/0, 有/无 …

    Examples
    --------
    >>> [parse_bool(v) for v in ["是", "否", "Y", "false", 1, ""]]
    [True, False, True, False, True, None]
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = _normal(str(value)).lower()
    if text == "":
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("not 是/否 (yes/no)")
