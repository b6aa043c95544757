"""Reading an exported file into a header and numbered records, losing nothing silently.

Every record keeps the line (CSV) or row (Excel, Parquet) it came from. A CSV file in
which every line is one record (no line break inside a quoted cell, no blank line, no
odd byte) is read by DuckDB's CSV reader as text columns; any other file, or one DuckDB
refuses, is read record by record by Python's, which finds and explains what is wrong
with each line. Both give the same records. A CSV record
that cannot be read as one row (a line break inside an unquoted cell, a cell over the
size limit, a NUL character, more or fewer cells than the header) is returned as a
*broken* record with the reason, so that rows in the file = rows read + rows reported.

Headers may carry a unit: ``总资产(万元)``, ``销售额（元）``, ``注册资本(亿元)``, ``毛利率(%)``.
:func:`split_unit` finds it; the importer multiplies the column's numbers by it.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ._encoding import detect_encoding, to_utf8
from ._excel import read_excel

__all__ = ["UNITS", "Broken", "Progress", "Sheet", "read_csv", "read_parquet", "read_sheet", "split_unit"]

FIELD_LIMIT = 131_072  # characters in one CSV cell; longer cells are reported, not read
UNITS: dict[str, Decimal] = {
    "元": Decimal(1),
    "人民币元": Decimal(1),
    "千元": Decimal(1_000),
    "万元": Decimal(10_000),
    "万": Decimal(10_000),
    "百万元": Decimal(1_000_000),
    "百万": Decimal(1_000_000),
    "亿元": Decimal(100_000_000),
    "亿": Decimal(100_000_000),
    "%": Decimal("0.01"),
    "％": Decimal("0.01"),
}
_UNIT = re.compile(r"^(?P<name>.*?)\s*[(（\[【]\s*(?P<unit>[^()（）\[\]【】]+?)\s*[)）\]】]\s*$")
_CSV_ERRORS = (
    ("new-line character", "a line break inside a cell that is not in double quotes splits the row; quote the cell"),
    ("field larger than field limit", f"a cell is longer than {FIELD_LIMIT:,} characters"),
    ("unexpected end of data", "a quoted cell is never closed (a double quote is missing)"),
)


@dataclass(frozen=True)
class Broken:
    """A record that could not be read as a row: where, why, and its raw text."""

    line: int
    problem: str
    raw: str


@dataclass
class Sheet:
    """The header, the good records as ``(line, cells)``, and the broken ones."""

    headers: list[str]
    records: list[tuple[int, list[Any]]] = field(default_factory=list)
    broken: list[Broken] = field(default_factory=list)
    arrow: Any = None  # the records as an Arrow table (text for CSV), read column by column
    lines: Any = None  # the line of each row of ``arrow`` when it is not the row's index + 2

    def line_numbers(self) -> Any:
        """The file line (or sheet row) of each row of ``arrow``."""
        import numpy as np
        import pyarrow as pa

        if self.lines is not None:
            return self.lines
        return pa.array(np.arange(2, self.arrow.num_rows + 2, dtype=np.int64))


def split_unit(header: str) -> tuple[str, str | None, Decimal | None]:
    """``(name, unit, factor)`` of a header; a header without a known unit is returned as is.

    >>> split_unit("总资产(万元)")
    ('总资产', '万元', Decimal('10000'))
    >>> split_unit("毛利率（%）")[2]
    Decimal('0.01')
    >>> split_unit("客户名称")
    ('客户名称', None, None)
    """
    match = _UNIT.match(header)
    if match is None or match.group("unit") not in UNITS:
        return header, None, None
    unit = match.group("unit")
    return match.group("name").strip(), unit, UNITS[unit]


def _csv_problem(message: str) -> str:
    for key, sentence in _CSV_ERRORS:
        if key in message:
            return sentence
    return f"the line is not valid CSV ({message})"


def _lines(text: str) -> list[str]:
    """Physical lines ending at LF (CRLF included); a file of bare CRs is split at CR."""
    if "\n" not in text and "\r" in text:
        return re.split(r"(?<=\r)", text)
    return re.split(r"(?<=\n)", text)


Progress = Callable[[int, int], None]  # (bytes read, bytes in all)
_SCAN = 1 << 24
# a quote after or before spaces at a cell's edge: Python's reader keeps it as text, DuckDB's unquotes
_SPACED_QUOTE = re.compile(rb'(?:^|,)[ \t]+"|"[ \t]+(?:,|\r?$)', re.MULTILINE)


def _spaced_quote(chunk: bytes) -> bool:
    if b'"' not in chunk or not any(pair in chunk for pair in (b' "', b'\t"', b'" ', b'"\t')):
        return False  # most exports: no quotes, or none beside a space
    return _SPACED_QUOTE.search(chunk) is not None


def _plain_lines(path: Path, progress: Progress | None) -> int | None:
    """The number of lines when each can be a record (no NUL, no bare CR, no spaced quote), else None.

    A blank line or a quoted line break makes DuckDB's count of records differ from it.
    """
    total = path.stat().st_size
    lines, done, last, tail = 0, 0, b"\n", b""
    with path.open("rb") as handle:
        while chunk := handle.read(_SCAN):
            if b"\x00" in chunk or (b'"' in chunk and _spaced_quote(tail + chunk)):
                return None
            if b"\r" in chunk or last == b"\r":
                joined = last + chunk
                if joined.count(b"\r") != joined.count(b"\r\n") + (1 if chunk.endswith(b"\r") else 0):
                    return None  # a CR that ends no line: old Mac files and broken cells, for the record reader
            lines += chunk.count(b"\n")
            done += len(chunk)
            last, tail = chunk[-1:], chunk[-256:]
            if progress is not None:
                progress(done, total)
    if last == b"\r":
        return None
    return lines + (0 if last == b"\n" else 1)


def _header(path: Path, encoding: str) -> list[str] | None:
    with path.open(encoding=encoding, newline="") as handle:
        first = handle.readline()
    if '"' in first and first.count('"') % 2:  # a quoted header cell runs onto the next line
        return None
    cells = next(csv.reader([first]), [])
    if not any(cell.strip() for cell in cells):
        return None
    return [h.strip().lstrip("\ufeff") for h in cells]


def _read_by_duckdb(path: Path, encoding: str, progress: Progress | None) -> Sheet | None:
    """The file as text columns when DuckDB reads every line as one record of the header's width, else None."""
    import duckdb

    from ._vector import connection

    headers = _header(path, encoding)
    if headers is None:
        return None
    with tempfile.TemporaryDirectory(prefix="tierwise-") as tmp:
        source = path if encoding in ("utf-8", "utf-8-sig") else to_utf8(path, Path(tmp) / "data.csv", encoding)
        lines = _plain_lines(source, progress)
        if lines is None or lines < 2:
            return None
        con = connection()
        columns = {f"c{i}": "VARCHAR" for i in range(len(headers))}
        try:
            table = con.sql(
                "SELECT * FROM read_csv(?, header = false, skip = 1, columns = ?, delim = ',', quote = '\"', "
                "escape = '\"', auto_detect = false, strict_mode = true, null_padding = false, "
                "max_line_size = ?, parallel = true)",
                params=[str(source), columns, FIELD_LIMIT],
            ).to_arrow_table()
        except duckdb.Error:
            return None
        finally:
            con.close()
    if table.num_rows != lines - 1:
        return None  # a quoted cell spans lines, or DuckDB skipped one: the record reader numbers them
    return _without_blank_rows(Sheet(headers, arrow=table.rename_columns(headers)))


def _without_blank_rows(sheet: Sheet) -> Sheet:
    """Rows whose every cell is empty are not records (the ``,,,`` lines of spreadsheet exports)."""
    import pyarrow.compute as pc

    blank = None
    for column in sheet.arrow.columns:
        empty = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(column), ""), True)
        blank = empty if blank is None else pc.and_(blank, empty)
        if not pc.any(blank).as_py():
            return sheet  # a column with no empty cell where the ones before have one: no blank row
    if blank is not None:
        keep = pc.invert(blank)
        sheet.lines = sheet.line_numbers().filter(keep)
        sheet.arrow = sheet.arrow.filter(keep)
    return sheet


def read_csv(path: Path, progress: Progress | None = None) -> Sheet:
    """A CSV file in any encoding :func:`detect_encoding` reads: by DuckDB when plain, else record by record."""
    encoding = detect_encoding(path)
    return _read_by_duckdb(path, encoding, progress) or _as_columns(_read_records(path, encoding))


def _as_columns(sheet: Sheet) -> Sheet:
    """The records of ``sheet`` as text columns with their lines (the broken ones stay as they are)."""
    import pyarrow as pa

    width = len(sheet.headers)
    columns = {f"c{i}": pa.array([cells[i] for _, cells in sheet.records], pa.string()) for i in range(width)}
    sheet.arrow = pa.table(columns).rename_columns(sheet.headers) if width else None
    sheet.lines = pa.array([line for line, _ in sheet.records], pa.int64())
    return sheet


def _read_records(path: Path, encoding: str) -> Sheet:
    """A CSV file read record by record with Python's reader, every broken line explained."""
    with path.open(encoding=encoding, newline="") as handle:  # keep every CR as it is
        text = handle.read()
    lines = _lines(text)
    csv.field_size_limit(FIELD_LIMIT)
    start = 0  # the index of the line the current reader started at (it restarts after an unclosed quote)
    reader = _reader_from(lines, start)
    sheet: Sheet | None = None
    before = 0  # lines consumed before the current record
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            line = before + 1
            before = max(start + reader.line_num, line)
            if sheet is not None and before > line and _unclosed(lines[line - 1 : before]):
                sheet.broken.append(Broken(line, _UNCLOSED.format(line=line), lines[line - 1].rstrip("\r\n")))
                start = before = line  # an unclosed quote that ran into the cell size limit: read on after it
                reader = _reader_from(lines, start)
                continue
            broken = Broken(line, _csv_problem(str(exc)), "".join(lines[line - 1 : before]).rstrip("\r\n"))
            if sheet is None:
                raise ValueError(f"The header line of {path.name} cannot be read: {broken.problem}.") from exc
            sheet.broken.append(broken)
            sheet.broken.extend(_continued(lines, line, before))
            continue
        line, before = before + 1, start + reader.line_num
        if before > line and _unclosed(lines[line - 1 : before]):
            # a quoted cell that runs past its line and does not read as one record: the quote is never
            # closed, and the lines after it are rows of their own, not the rest of this cell
            broken = Broken(line, _UNCLOSED.format(line=line), lines[line - 1].rstrip("\r\n"))
            if sheet is None:
                raise ValueError(f"The header line of {path.name} cannot be read: {broken.problem}.")
            sheet.broken.append(broken)
            start = before = line
            reader = _reader_from(lines, start)
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if sheet is None:
            sheet = Sheet([h.strip().lstrip("\ufeff") for h in cells])
            continue
        raw = "".join(lines[line - 1 : before]).rstrip("\r\n")
        width = len(sheet.headers)
        problem = _shape_problem(cells, width)
        if problem is not None:  # one row (a quoted cell may span lines), of the wrong shape
            sheet.broken.append(Broken(line, problem, raw))
        else:
            sheet.records.append((line, cells[:width]))
    return sheet or Sheet([])


_UNCLOSED = (
    "a quoted cell opened on line {line} is not closed on that line (a double quote is missing) and would "
    "swallow the lines after it; close the quote. The lines after it are read as rows of their own"
)


def _reader_from(lines: list[str], start: int) -> Any:
    """Python's CSV reader over ``lines`` from index ``start`` (its ``line_num`` counts from there)."""
    return csv.reader(lines[index] for index in range(start, len(lines)))


def _unclosed(record_lines: list[str]) -> bool:
    """Whether a record spanning several lines is an unclosed quote rather than a quoted line break.

    A cell that legitimately holds a line break reads as one record under the strict rules (every
    quote closed, a comma or the line end after it). An unclosed quote either reaches the end of the
    file or is "closed" by the next quote in the file, with text after it: both fail strictly.
    """
    try:
        records = list(csv.reader(record_lines, strict=True))
    except csv.Error:
        return True
    return len(records) != 1


def _continued(lines: list[str], first: int, last: int) -> list[Broken]:
    """The further lines of a broken record that spans several, each reported (so every line is counted)."""
    return [
        Broken(number, f"continues the broken row of line {first}", lines[number - 1].rstrip("\r\n"))
        for number in range(first + 1, last + 1)
    ]


def _shape_problem(cells: list[str], width: int) -> str | None:
    if any("\x00" in cell for cell in cells):
        return "the row holds a NUL character (the file may be damaged)"
    if len(cells) > width and any(cell.strip() for cell in cells[width:]):
        return (
            f"the row has {len(cells)} cells but the header has {width}; a comma inside a cell "
            f"(like 1,234.5) must be in double quotes"
        )
    if len(cells) < width:
        return f"the row has {len(cells)} cells but the header has {width}"
    return None


def read_parquet(path: Path) -> Any:
    """A Parquet file as an Arrow table; a damaged file is one sentence, not the library's text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise ValueError(
            f"The Parquet file {path.name} cannot be read: it is damaged or not a Parquet file. "
            f"Export it again (or as CSV)."
        ) from exc


def read_sheet(path: Path, sheet: str | int = 0, progress: Progress | None = None) -> Sheet:
    """Any file tierwise imports (.csv, .xlsx/.xls/.xlsm, .parquet) as a :class:`Sheet`."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path, progress)
    if suffix in (".xlsx", ".xls", ".xlsm"):
        table = read_excel(path, sheet=sheet)
    elif suffix == ".parquet":
        table = read_parquet(path)
    else:
        raise ValueError(f"Cannot import '{path.name}': the file must be .csv, .xlsx, .xls or .parquet.")
    return Sheet(list(table.column_names), arrow=table)
