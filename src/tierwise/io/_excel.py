"""Excel workbooks (.xlsx, .xls) read with python-calamine into Arrow."""

from __future__ import annotations

import datetime as dt
import zipfile
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


MAX_EXPANDED = 2 << 30  # bytes an .xlsx may expand to; a real export of a million rows is a few hundred MB
MAX_RATIO = 200  # compression ratio above which a large member is a zip bomb, not a spreadsheet


def _refuse_bomb(path: Path) -> None:
    """Refuse an .xlsx whose parts would expand to gigabytes (a zip bomb) before reading it."""
    if not zipfile.is_zipfile(path):
        return
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    expanded = sum(m.file_size for m in members)
    bomb = any(m.file_size > 50 << 20 and m.file_size > MAX_RATIO * max(m.compress_size, 1) for m in members)
    if expanded > MAX_EXPANDED or bomb:
        raise ValueError(
            f"The workbook {path.name} would expand to {expanded / (1 << 30):,.1f} GB from "
            f"{path.stat().st_size / (1 << 20):,.1f} MB: it is not a real export (a zip bomb?); it was not read."
        )


def read_excel(path: str | Path, sheet: str | int = 0) -> pa.Table:
    """Read one sheet; the first row holds the column names.

    Raises
    ------
    ValueError
        When the sheet is missing, empty, or has blank or repeated column names.
    """
    from python_calamine import CalamineWorkbook

    path = Path(path)
    _refuse_bomb(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = book.sheet_names
    except Exception as exc:
        raise ValueError(
            f"The workbook {path.name} cannot be read: it is not an Excel file, or it is damaged. "
            f"Open it in Excel and save it again as .xlsx (or export it as CSV)."
        ) from exc
    if isinstance(sheet, int):
        if sheet >= len(names):
            raise ValueError(f"The workbook {path.name} has no sheet number {sheet + 1}; it has {len(names)}.")
        sheet_name = names[sheet]
    elif sheet in names:
        sheet_name = sheet
    else:
        raise ValueError(f"The workbook {path.name} has no sheet '{sheet}'; its sheets are {', '.join(names)}.")
    try:
        rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=True)
    except Exception as exc:
        raise ValueError(
            f"The sheet '{sheet_name}' of {path.name} cannot be read: the workbook is damaged. "
            f"Open it in Excel and save it again."
        ) from exc
    if not rows:
        raise ValueError(f"The sheet '{sheet_name}' of {path.name} is empty.")
    header = [_text(h).strip() for h in rows[0]]
    blank = [i + 1 for i, h in enumerate(header) if not h]
    if blank:
        raise ValueError(f"The sheet '{sheet_name}' of {path.name} has no column name in column {blank[0]}.")
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise ValueError(f"The sheet '{sheet_name}' of {path.name} repeats the column name(s) {', '.join(repeated)}.")
    body = [list(r) + [None] * (len(header) - len(r)) for r in rows[1:]]
    columns = {name: _column([row[i] for row in body]) for i, name in enumerate(header)}
    return pa.table(columns)
