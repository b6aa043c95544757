"""The import of typed files (Parquet, Excel) column by column instead of cell by cell.

A column whose Arrow type already fits its kind (numbers, dates, booleans, text) is cast
in one step; only text columns that must become numbers, dates or booleans, and typed
columns that must become text, are read cell by cell, with the importer's own cell reader.
The checks (empty, repeated, unknown customer ids; dates in the future) run over whole
columns, and their problems are the row importer's, row by row, in the same words.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from tierwise.io._columns import ARROW_TYPES, TYPES, cell_text, kind_of, parse_cell

__all__ = ["Checked", "IdCheck", "check_columns", "identifier"]

Problem = tuple[int, str | None, str | None, str]  # (row, column, value, problem)


def identifier(value: str | None) -> str | None:
    """Customer ids compare as exported by any system: full-width ``Ｃ００４`` is ``C004``."""
    return unicodedata.normalize("NFKC", value).strip() or None if value is not None else None


class IdCheck:
    """The customer-id rules of an import, applied one id at a time in file order."""

    def __init__(self, table_name: str, customers: set[str] | None, existing: set[str]) -> None:
        self.table_name, self.customers, self.existing = table_name, customers, existing
        self.seen: dict[str, int] = {}

    def problem(self, customer: str | None, row: int) -> str | None:
        """Why ``customer`` on ``row`` cannot be imported, or None."""
        if customer is None:
            return "customer_id is empty"
        if self.table_name == "customers":
            first = self.seen.setdefault(customer, row)
            if first != row:
                return f"duplicate customer_id (also on row {first})"
            if customer in self.existing:
                return "customer_id is already in the workspace"
            return None
        if self.customers is not None and customer not in self.customers:
            return "no such customer in the customers table"
        return None


def _kind_of_type(column: pa.ChunkedArray) -> str | None:
    kind = column.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return "number"
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        return "date"
    if pa.types.is_boolean(kind):
        return "bool"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "text"
    return None


def _read(column: pa.ChunkedArray, name: str, kind: str, factor: Decimal | None, problems: list[Problem]) -> pa.Array:
    own = _kind_of_type(column)
    if own == kind == "number" and factor is None:
        return pc.cast(column, pa.float64())
    if own == kind == "date":
        return pc.cast(column, pa.date32())
    if own == kind == "bool":
        return column
    if own == kind == "text" and name != "customer_id":
        trimmed = pc.utf8_trim_whitespace(column)
        return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
    cells = []
    for row, value in enumerate(column.to_pylist(), start=2):
        try:
            cells.append(parse_cell(kind, value, factor))
        except ValueError as exc:
            problems.append((row, name, cell_text(value), str(exc)))
            cells.append(None)
    return pa.array(cells, ARROW_TYPES[kind])


class Checked:
    """The good rows as a typed table, every problem, and the raw cells of the bad rows."""

    def __init__(self, table: pa.Table, problems: list[Problem], bad: dict[int, list[Any]], kinds: dict[str, str]):
        self.table = table
        self.problems = problems
        self.bad = bad
        self.kinds = kinds


def check_columns(
    source: pa.Table,
    columns: Sequence[str],
    factors: dict[str, Decimal],
    check: IdCheck,
    *,
    today: dt.date,
    past_only: Sequence[str],
) -> Checked:
    """Read and check a typed table (its columns already renamed to ``columns``) with the import's id rules."""
    cell_problems: list[Problem] = []
    read: dict[str, pa.Array] = {}
    kinds: dict[str, str] = {}
    for name, column in zip(columns, source.columns, strict=True):
        own = _kind_of_type(column)
        if name == "customer_id":
            kinds[name] = "text"
        elif name in TYPES or name in factors:  # a known column, or a header with a unit: a number
            kinds[name] = kind_of(name, factors.get(name), [])
        elif own in (None, "text"):  # text of an unknown column: inferred from all its values, as rows are
            kinds[name] = kind_of(name, None, column.to_pylist())
        else:
            kinds[name] = own
        read[name] = _read(column, name, kinds[name], factors.get(name), cell_problems)
    ids = [identifier(cell_text(v)) for v in source.column(columns.index("customer_id")).to_pylist()]
    read["customer_id"] = pa.array(ids, pa.string())
    per_row: dict[int, list[Problem]] = {}
    for problem in cell_problems:
        per_row.setdefault(problem[0], []).append(problem)
    for name in past_only:
        if name in read and kinds.get(name) == "date":
            late = pc.greater(read[name], pa.scalar(today, pa.date32()))
            for index in pc.indices_nonzero(pc.fill_null(late, False)).to_pylist():
                value = read[name][index].as_py()
                row = index + 2
                per_row.setdefault(row, []).append((row, name, str(value), f"the date {value} is in the future"))
    for row, customer in enumerate(ids, start=2):
        if (why := check.problem(customer, row)) is not None:
            per_row.setdefault(row, []).append((row, "customer_id", customer, why))
    problems = [p for row in sorted(per_row) for p in per_row[row]]
    typed = pa.table(read)
    bad_rows = sorted(per_row)
    bad = {row: [cell_text(v) for v in source.slice(row - 2, 1).to_pylist()[0].values()] for row in bad_rows}
    if bad_rows:
        keep = pc.invert(pc.is_in(pa.array(range(2, typed.num_rows + 2)), value_set=pa.array(bad_rows)))
        typed = typed.filter(keep)
    return Checked(typed, problems, bad, kinds)
