"""The import of every file (CSV, Parquet, Excel) column by column instead of cell by cell.

A column whose Arrow type already fits its kind (numbers, dates, booleans, text) is cast
in one step; text columns that must become numbers, dates or booleans are read by
:func:`tierwise.io._vector.read_text_column` (SQL for the forms it knows, the cell reader
for the rest); typed columns that must become another kind are read cell by cell. The
checks (empty, repeated, unknown customer ids; dates in the future) run over whole
columns, and each problem names the file line of its row.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tierwise.io._columns import ARROW_TYPES, TYPES, cell_text, parse_cell
from tierwise.io._vector import infer_column_kind, read_text_column

__all__ = ["Checked", "IdCheck", "check_columns", "identifier"]

Problem = tuple[int, str | None, str | None, str]  # (row, column, value, problem)


def identifier(value: str | None) -> str | None:
    """Customer ids compare as exported by any system: full-width ``Ｃ００４`` is ``C004``."""
    return unicodedata.normalize("NFKC", value).strip() or None if value is not None else None


class IdCheck:
    """The customer-id rules of an import: ids must be present, new in a customers table, known elsewhere."""

    def __init__(self, table_name: str, customers: pa.Array | None, existing: pa.Array | None) -> None:
        self.table_name, self.customers, self.existing = table_name, customers, existing

    def problems(self, ids: pa.Array, lines: pa.Array) -> list[Problem]:
        """Every id of the column that cannot be imported, with its line, in line order."""
        found: list[Problem] = []
        empty = pc.is_null(ids)
        for line in lines.filter(empty).to_pylist():
            found.append((line, "customer_id", None, "customer_id is empty"))
        present = pc.invert(empty)
        if self.table_name == "customers":
            table = pa.table({"id": ids, "line": lines}).filter(present)
            first = table.group_by("id", use_threads=False).aggregate([("line", "min")])
            joined = table.join(first, "id")
            repeated = joined.filter(pc.not_equal(joined["line"], joined["line_min"]))
            for line, customer, earlier in zip(
                repeated["line"].to_pylist(), repeated["id"].to_pylist(), repeated["line_min"].to_pylist(), strict=True
            ):
                found.append((line, "customer_id", customer, f"duplicate customer_id (also on row {earlier})"))
            if self.existing is not None and len(self.existing):
                known = pc.and_(present, pc.is_in(ids, value_set=self.existing))
                for line, customer in zip(lines.filter(known).to_pylist(), ids.filter(known).to_pylist(), strict=True):
                    found.append((line, "customer_id", customer, "customer_id is already in the workspace"))
        elif self.customers is not None:
            unknown = pc.and_(present, pc.invert(pc.is_in(ids, value_set=self.customers)))
            for line, customer in zip(lines.filter(unknown).to_pylist(), ids.filter(unknown).to_pylist(), strict=True):
                found.append((line, "customer_id", customer, "no such customer in the customers table"))
        return found


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


def _read(
    column: pa.ChunkedArray, kind: str, factor: Decimal | None
) -> tuple[pa.Array, list[tuple[int, str | None, str]]]:
    """The column read as ``kind``, and the bad cells as ``(index, value, problem)``."""
    own = _kind_of_type(column)
    if own == kind == "number" and factor is None:
        return pc.cast(column, pa.float64()), []
    if own == kind == "date":
        return pc.cast(column, pa.date32()), []
    if own == kind == "bool":
        return column, []
    if own == "text" or (own == kind == "number"):  # text, or numbers with a header's unit (their shortest text)
        read = read_text_column(pc.cast(column, pa.string()), kind, factor)
        return read.values, read.problems
    cells, problems = [], []
    for index, value in enumerate(column.to_pylist()):
        try:
            cells.append(parse_cell(kind, value, factor))
        except ValueError as exc:
            problems.append((index, cell_text(value), str(exc)))
            cells.append(None)
    return pa.array(cells, ARROW_TYPES[kind]), problems


def _ids(column: pa.ChunkedArray) -> pa.Array:
    """Customer ids as text compared as exported by any system (``Ｃ００４`` is ``C004``, ``1.0`` is ``1``)."""
    if _kind_of_type(column) == "text":
        return read_text_column(column, "id").values
    return pa.array([identifier(cell_text(v)) for v in column.to_pylist()], pa.string())


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
    lines: pa.Array | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Checked:
    """Read and check a table (its columns renamed to ``columns``) with the import's id rules.

    ``lines`` gives the file line of each row (default: the row's index + 2, under a header).
    """
    lines = lines if lines is not None else pa.array(np.arange(2, source.num_rows + 2, dtype=np.int64))
    per_row: dict[int, list[Problem]] = {}
    read: dict[str, pa.Array] = {}
    kinds: dict[str, str] = {}
    for done, (name, column) in enumerate(zip(columns, source.columns, strict=True)):
        if progress is not None:
            progress(done, len(columns))
        own = _kind_of_type(column)
        if name == "customer_id":
            kinds[name] = "text"
            read[name] = _ids(column)
            continue
        if name in TYPES:
            kinds[name] = TYPES[name]
        elif name in factors:  # a header with a unit: a number
            kinds[name] = "number"
        elif own in (None, "text"):  # text of an unknown column: inferred from all its values
            kinds[name] = infer_column_kind(column) if own == "text" else "text"
        else:
            kinds[name] = own
        values, bad_cells = _read(column, kinds[name], factors.get(name))
        read[name] = values
        if bad_cells:
            at = lines.take(pa.array([index for index, _, _ in bad_cells], pa.int64())).to_pylist()
            for line, (_, value, why) in zip(at, bad_cells, strict=True):
                per_row.setdefault(line, []).append((line, name, value, why))
    for name in past_only:
        if name in read and kinds.get(name) == "date":
            late = pc.fill_null(pc.greater(read[name], pa.scalar(today, pa.date32())), False)
            for line, value in zip(lines.filter(late).to_pylist(), read[name].filter(late).to_pylist(), strict=True):
                per_row.setdefault(line, []).append((line, name, str(value), f"the date {value} is in the future"))
    for problem in check.problems(read["customer_id"], lines):
        per_row.setdefault(problem[0], []).append(problem)
    problems = [p for row in sorted(per_row) for p in per_row[row]]
    typed = pa.table(read)
    bad: dict[int, list[Any]] = {}
    if per_row:
        is_bad = pc.is_in(lines, value_set=pa.array(sorted(per_row), pa.int64()))
        for line, row in zip(lines.filter(is_bad).to_pylist(), source.filter(is_bad).to_pylist(), strict=True):
            bad[line] = [cell_text(v) for v in row.values()]
        typed = typed.filter(pc.invert(is_bad))
    return Checked(typed, problems, bad, kinds)
