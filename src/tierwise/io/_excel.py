"""Excel workbooks (.xlsx, .xls) read with python-calamine into Arrow."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa

__all__ = ["read_excel"]


def _column(values: list[Any]) -> pa.Array:
    present = [v for v in values if v is not None and v != ""]
    cleaned = [None if v == "" else v for v in values]
    if present and all(isinstance(v, bool) for v in present):
        return pa.array(cleaned, pa.bool_())
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        if all(float(v).is_integer() for v in present):
            return pa.array([None if v is None else int(v) for v in cleaned], pa.int64())
        return pa.array(cleaned, pa.float64())
    if present and all(isinstance(v, dt.datetime) for v in present):
        if all(v.time() == dt.time() for v in present):
            return pa.array([None if v is None else v.date() for v in cleaned], pa.date32())
        return pa.array(cleaned, pa.timestamp("us"))
    if present and all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in present):
        return pa.array(cleaned, pa.date32())
    return pa.array([None if v is None else _text(v) for v in cleaned], pa.string())


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_excel(path: str | Path, sheet: str | int = 0) -> pa.Table:
    """Read one sheet; the first row holds the column names.

    Raises
    ------
    ValueError
        When the sheet is missing, empty, or has blank or repeated column names.
    """
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    names = book.sheet_names
    if isinstance(sheet, int):
        if sheet >= len(names):
            raise ValueError(f"The workbook {path} has no sheet number {sheet + 1}; it has {len(names)}.")
        sheet_name = names[sheet]
    elif sheet in names:
        sheet_name = sheet
    else:
        raise ValueError(f"The workbook {path} has no sheet '{sheet}'; its sheets are {', '.join(names)}.")
    rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=True)
    if not rows:
        raise ValueError(f"The sheet '{sheet_name}' of {path} is empty.")
    header = [_text(h).strip() for h in rows[0]]
    blank = [i + 1 for i, h in enumerate(header) if not h]
    if blank:
        raise ValueError(f"The sheet '{sheet_name}' of {path} has no column name in column {blank[0]}.")
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise ValueError(f"The sheet '{sheet_name}' of {path} repeats the column name(s) {', '.join(repeated)}.")
    body = [list(r) + [None] * (len(header) - len(r)) for r in rows[1:]]
    columns = {name: _column([row[i] for row in body]) for i, name in enumerate(header)}
    return pa.table(columns)
