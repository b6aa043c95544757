"""One way every listing command prints: a Rich table on a terminal, plain lines when piped, a file with -o.

On a terminal a long list shows its first rows and says how to get all of them; piped
(``tierwise grades … | cut -f1``) every row is printed as tab-separated text, nothing cut;
``-o FILE`` writes .csv, .xlsx, .parquet or .json lines (formula-safe), whatever the size.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    pass

from tierwise.cli._app import new_table, out

__all__ = ["OutputOption", "listing"]

OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write every row to .csv, .xlsx, .parquet or .json (one object a line)."),
]
TERMINAL_ROWS = 200  # more than this on a terminal: the first ones and a hint to use -o


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def listing(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str | None = None, output: Path | None = None
) -> None:
    """Print or write ``rows`` (one value per column)."""
    if output is not None:
        _write(columns, rows, output)
        out.print(f"Wrote {len(rows):,} rows to {output}", highlight=False)
        return
    if not sys.stdout.isatty():
        print("\t".join(columns))
        for row in rows:
            print("\t".join(_text(v).replace("\t", " ").replace("\n", " ") for v in row))
        return
    table = new_table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows[:TERMINAL_ROWS]:
        table.add_row(*(_text(v) for v in row))
    out.print(table)
    if len(rows) > TERMINAL_ROWS:
        out.print(
            f"… and {len(rows) - TERMINAL_ROWS:,} more rows; write them all with -o FILE (.csv, .xlsx, .parquet)."
        )


def _write(columns: Sequence[str], rows: Sequence[Sequence[Any]], output: Path) -> None:
    import tierwise

    if output.suffix.lower() == ".json":
        output.parent.mkdir(parents=True, exist_ok=True)
        with output.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False, default=str) + "\n")
        return
    import pyarrow as pa

    data = {column: [row[i] for row in rows] for i, column in enumerate(columns)}
    tierwise.write_table(pa.table({c: pa.array([_cell(v) for v in values]) for c, values in data.items()}), output)


def _cell(value: Any) -> Any:
    return value if value is None or isinstance(value, (int, float, str)) else str(value)
