"""Reading an exported file into a header and numbered records, losing nothing silently.

Every record keeps the line (CSV) or row (Excel, Parquet) it came from. A CSV record
that cannot be read as one row (a line break inside an unquoted cell, a cell over the
size limit, a NUL character, more or fewer cells than the header) is returned as a
*broken* record with the reason, so that rows in the file = rows read + rows reported.

Headers may carry a unit: ``总资产(万元)``, ``销售额（元）``, ``注册资本(亿元)``, ``毛利率(%)``.
:func:`split_unit` finds it; the importer multiplies the column's numbers by it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ._encoding import detect_encoding
from ._excel import read_excel

__all__ = ["UNITS", "Broken", "Sheet", "read_parquet", "read_sheet", "split_unit"]

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
    arrow: Any = None  # a typed file (Parquet, Excel) as an Arrow table, read column by column; no records


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


def read_csv(path: Path) -> Sheet:
    """A CSV file in any encoding :func:`detect_encoding` reads, record by record."""
    with path.open(encoding=detect_encoding(path), newline="") as handle:  # keep every CR as it is
        text = handle.read()
    lines = _lines(text)
    csv.field_size_limit(FIELD_LIMIT)
    reader = csv.reader(lines)
    sheet: Sheet | None = None
    before = 0  # lines consumed before the current record
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            line = before + 1
            before = max(reader.line_num, line)
            broken = Broken(line, _csv_problem(str(exc)), "".join(lines[line - 1 : before]).rstrip("\r\n"))
            if sheet is None:
                raise ValueError(f"The header line of {path.name} cannot be read: {broken.problem}.") from exc
            sheet.broken.append(broken)
            sheet.broken.extend(_continued(lines, line, before))
            continue
        line, before = before + 1, reader.line_num
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


def read_sheet(path: Path, sheet: str | int = 0) -> Sheet:
    """Any file tierwise imports (.csv, .xlsx/.xls/.xlsm, .parquet) as a :class:`Sheet`."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path)
    if suffix in (".xlsx", ".xls", ".xlsm"):
        table = read_excel(path, sheet=sheet)
    elif suffix == ".parquet":
        table = read_parquet(path)
    else:
        raise ValueError(f"Cannot import '{path.name}': the file must be .csv, .xlsx, .xls or .parquet.")
    return Sheet(list(table.column_names), arrow=table)
