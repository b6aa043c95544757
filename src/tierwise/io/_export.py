"""Writing evaluation results: CSV (UTF-8 with BOM, so Excel shows Chinese), Parquet, .xlsx.

Every writer is formula-safe (the OWASP CSV-injection rule): a text cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is never written as a live
formula. In CSV it gets a leading ``'``; in Excel it is a text cell with Excel's own
quote prefix (shown as typed, never run). Numbers stay numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["EXPORT_SUFFIXES", "FORMULA_START", "formula_safe", "write_table", "write_workbook"]

EXPORT_SUFFIXES = (".csv", ".parquet", ".xlsx")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RX = "^[=+\\-@\t\r]"


def formula_safe(table: pa.Table) -> pa.Table:
    """``table`` with every text cell that a spreadsheet would run as a formula prefixed by ``'``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> formula_safe(pa.table({"name": ["=1+1", "ok", "-x"], "n": [-1, 2, 3]})).to_pylist()[0]
    {'name': "'=1+1", 'n': -1}
    """
    columns = []
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            risky = pc.match_substring_regex(column, _FORMULA_RX)
            column = pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=table.schema)


def write_table(table: pa.Table, path: str | Path, sheet: str = "grades") -> Path:
    """Write ``table`` to ``path``; the suffix chooses the format.

    Raises
    ------
    ValueError
        For a suffix other than .csv, .parquet or .xlsx.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise ValueError(f"Cannot write '{path.name}': the output must end in .csv, .parquet or .xlsx.")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, path)
    elif suffix == ".csv":
        import pyarrow.csv as pcsv

        with path.open("wb") as handle:
            handle.write(b"\xef\xbb\xbf")
            pcsv.write_csv(formula_safe(table), handle)
    else:
        _write_xlsx(table, path, sheet)
    return path


def write_workbook(sheets: dict[str, pa.Table], path: str | Path) -> Path:
    """Write one formatted .xlsx workbook with a sheet per table (names cut to 31 characters)."""
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for name, table in sheets.items():
        if table.num_rows >= 1_048_576:
            raise ValueError(
                f"The sheet '{name}' has {table.num_rows:,} rows, more than one Excel sheet holds (1,048,575); "
                f"write .csv or .parquet."
            )
    options = {
        "constant_memory": True,
        "default_date_format": "yyyy-mm-dd",
        "strings_to_formulas": False,  # a text is never a formula, whatever it starts with
        "strings_to_urls": False,
    }
    book = xlsxwriter.Workbook(str(path), options)
    try:
        head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        number = book.add_format({"num_format": "#,##0.##"})
        quoted = book.add_format({"quote_prefix": True})
        for name, table in sheets.items():
            _write_sheet(book.add_worksheet(name[:31]), table, head, number, quoted)
    finally:
        book.close()
    return path


def _write_xlsx(table: pa.Table, path: Path, sheet: str) -> None:
    write_workbook({sheet: table}, path)


def _write_sheet(ws: Any, table: pa.Table, head: Any, number: Any, quoted: Any) -> None:
    widths = [max(10, min(60, len(field.name.encode("gbk", "replace")) + 2)) for field in table.schema]
    for col, field in enumerate(table.schema):
        ws.write_string(0, col, field.name, quoted if field.name.startswith(FORMULA_START) else head)
    numeric = [pa.types.is_integer(c.type) or pa.types.is_floating(c.type) for c in table.columns]
    written = 0
    for batch in table.to_batches(max_chunksize=50_000):
        columns = [c.to_pylist() for c in batch.columns]
        for offset, values in enumerate(zip(*columns, strict=True)):
            row = written + offset + 1
            for col, value in enumerate(values):
                if value is None or (isinstance(value, float) and value != value):
                    continue
                if numeric[col]:
                    ws.write_number(row, col, value, number)
                elif isinstance(value, str):
                    ws.write_string(row, col, value, quoted if value.startswith(FORMULA_START) else None)
                else:
                    ws.write(row, col, value)
        written += batch.num_rows
    if "reason" in table.column_names:
        widths[table.column_names.index("reason")] = 60
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, max(table.num_rows, 1), max(table.num_columns - 1, 0))
