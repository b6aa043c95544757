"""Input tables: a folder of files, a workspace, or frames/Arrow tables handed over in Python.

A folder holds one file per table, named ``<table>.csv``, ``.parquet``, ``.xlsx`` or
``.xls``. Tables are loaded into DuckDB once (so every indicator reads them from memory)
with ``customer_id`` always as text. Every input goes through the importer's header
mapping and cell reading (``tierwise.io._columns``): Chinese headers, units in headers,
``12.3万``, ``2024年3月5日`` and ``是/否`` read the same from a file, a DataFrame or an import.
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from tierwise._sql import ident, literal
from tierwise.io import detect_encoding, read_excel, to_utf8
from tierwise.io._columns import kind_of, map_headers, normalise
from tierwise.spec import did_you_mean

__all__ = ["DATA_SUFFIXES", "DataError", "connect", "load_data"]

DATA_SUFFIXES = (".csv", ".parquet", ".xlsx", ".xls")
_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class DataError(ValueError):
    """Input data that cannot be read as the tables a standard needs."""


def connect(database: str | Path | None = None) -> Any:
    """A DuckDB backend: in memory by default, or a database file."""
    return ibis.duckdb.connect(str(database) if database is not None else ":memory:")


def _drop(con: Any, name: str) -> None:
    """Remove a table or view of that name (a reload replaces it)."""
    kinds = con.raw_sql(
        "SELECT table_type FROM information_schema.tables WHERE table_name = ? AND table_schema = 'main'",
        parameters=[name],
    ).fetchall()
    for (kind,) in kinds:
        con.raw_sql(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} IF EXISTS {ident(name)}")


def _require_customer_id(con: Any, name: str, source: str) -> None:
    try:
        columns = con.table(name).columns
    except Exception as exc:
        raise DataError(f"The table '{name}' ({source}) has no 'customer_id' column.") from exc
    if "customer_id" not in columns:
        _drop(con, name)
        raise DataError(
            f"The table '{name}' ({source}) has no 'customer_id' column; its columns are "
            f"{', '.join(columns)}.{did_you_mean('customer_id', columns)}"
        )


def _load_csv(con: Any, name: str, path: Path) -> None:
    encoding = detect_encoding(path)
    with tempfile.TemporaryDirectory(prefix="tierwise-") as tmp:
        source = path if encoding in ("utf-8", "utf-8-sig") else to_utf8(path, Path(tmp) / "data.csv", encoding)
        header = con.raw_sql(
            "SELECT * FROM read_csv(?, header = true, all_varchar = true) LIMIT 0", parameters=[str(source)]
        ).description
        names = [col[0] for col in header]
        if not names or names == ["column0"]:
            raise DataError(f"The file {path} has no header row or no data.")
        mapped, _, _ = map_headers(names, {}, {})
        ids = [h for h in names if mapped[h] == "customer_id"]  # ids stay text: 00123 is not 123
        types = "{" + ", ".join(f"{literal(h)}: 'VARCHAR'" for h in ids) + "}"
        _drop(con, name)
        con.raw_sql(
            f"CREATE TABLE {ident(name)} AS SELECT * FROM read_csv(?, header = true, types = {types})",
            parameters=[str(source)],
        )
    _read_loaded(con, name, str(path))


def _normalised(name: str, table: pa.Table, source: str) -> pa.Table:
    """``table`` with headers mapped and cells read as an import reads them; bad cells refuse it."""
    try:
        result = normalise(table)
    except ValueError as exc:
        raise DataError(f"The table '{name}' ({source}) cannot be read: {exc}") from exc
    if result.problems:
        shown = "; ".join(f"row {r}, {c} {v!r}: {p}" for r, c, v, p in result.problems[:5])
        more = f" and {len(result.problems) - 5:,} more" if len(result.problems) > 5 else ""
        raise DataError(
            f"The table '{name}' ({source}) has {len(result.problems):,} cell(s) that cannot be read: {shown}{more}. "
            f"Fix them, or import the file into a workspace (tierwise import) to get every problem in a report."
        )
    return result.table


def _needs_reading(con: Any, name: str) -> bool:
    """Whether a table DuckDB loaded has headers to map or text cells of another kind (cheap: a sample)."""
    described = con.raw_sql(f"DESCRIBE {ident(name)}").fetchall()
    headers = [row[0] for row in described]
    names, units, _ = map_headers(headers, {}, {})
    if units or any(names[h] != h for h in headers):
        return True
    for column, kind in ((row[0], row[1]) for row in described):
        if kind != "VARCHAR" or column == "customer_id":
            continue
        sample = [
            r[0]
            for r in con.raw_sql(
                f"SELECT {ident(column)} FROM {ident(name)} WHERE {ident(column)} IS NOT NULL "
                f"AND {ident(column)} <> '' LIMIT 2000"
            ).fetchall()
        ]
        if kind_of(column, None, sample) != "text":
            return True
    return False


def _read_loaded(con: Any, name: str, source: str) -> None:
    """Re-read a table DuckDB loaded through the importer's rules, when it needs it."""
    if _needs_reading(con, name):
        table = con.con.sql(f"SELECT * FROM {ident(name)}").to_arrow_table()
        _load_arrow(con, name, _normalised(name, table, source))


def _load_arrow(con: Any, name: str, table: pa.Table) -> None:
    for index, field in enumerate(table.schema):
        if pa.types.is_null(field.type):  # an all-empty column: nothing contradicts a number
            table = table.set_column(index, field.name, table.column(index).cast(pa.float64()))
    if "customer_id" in table.column_names:
        index = table.column_names.index("customer_id")
        column = table.column("customer_id")
        if not pa.types.is_string(column.type):
            values = [
                None if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                for v in column.to_pylist()
            ]
            table = table.set_column(index, "customer_id", pa.array(values, pa.string()))
    raw = con.con  # the DuckDB connection under the Ibis backend
    view = f"_tw_arrow_{name}"
    raw.register(view, table)
    try:
        _drop(con, name)
        raw.execute(f"CREATE TABLE {ident(name)} AS SELECT * FROM {ident(view)}")
    finally:
        raw.unregister(view)


def _load_file(con: Any, name: str, path: Path) -> None:
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            _load_csv(con, name, path)
        elif suffix == ".parquet":
            # a view: each evaluation reads a table once, so Parquet is streamed, never copied
            columns = [
                c[0] for c in con.raw_sql("SELECT * FROM read_parquet(?) LIMIT 0", parameters=[str(path)]).description
            ]
            if "customer_id" not in columns:
                raise DataError(
                    f"The table '{name}' ({path}) has no 'customer_id' column; its columns are "
                    f"{', '.join(columns)}.{did_you_mean('customer_id', columns)}"
                )
            _drop(con, name)
            con.raw_sql(
                f"CREATE VIEW {ident(name)} AS SELECT * REPLACE (CAST(customer_id AS VARCHAR) AS customer_id) "
                f"FROM read_parquet({literal(str(path))})"
            )
            _read_loaded(con, name, str(path))
        else:
            _load_arrow(con, name, _normalised(name, read_excel(path), str(path)))
    except DataError:
        raise
    except ValueError as exc:  # the readers' own sentences
        raise DataError(str(exc)) from exc
    except Exception as exc:
        kind = {".csv": "CSV", ".parquet": "Parquet"}.get(suffix, "Excel")
        raise DataError(
            f"The {kind} file {path} cannot be read as the table '{name}': it is damaged or not a {kind} file. "
            f"Export it again."
        ) from exc
    _require_customer_id(con, name, str(path))


def _folder_files(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        raise DataError(f"The data folder {folder} does not exist.")
    files: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in DATA_SUFFIXES or path.name.startswith(("~$", ".")):
            continue
        name = path.stem
        if not _TABLE_NAME.match(name):
            raise DataError(f"The file {path.name} in {folder} must be named after its table, like transactions.csv.")
        if name in files:
            raise DataError(
                f"The folder {folder} has two files for the table '{name}': {files[name].name} and {path.name}; keep one."
            )
        files[name] = path
    if not files:
        raise DataError(f"The data folder {folder} has no .csv, .parquet, .xlsx or .xls files.")
    return files


def _attach(con: Any, database: Path) -> dict[str, ir.Table]:
    """The tables of a DuckDB file (a workspace's ``data`` schema, else ``main``), read-only."""
    if not database.is_file():
        raise DataError(f"The database {database} does not exist.")
    alias = "tw_source"
    attached = {r[0] for r in con.raw_sql("SELECT database_name FROM duckdb_databases()").fetchall()}
    if alias not in attached:
        con.raw_sql(f"ATTACH {literal(str(database))} AS {ident(alias)} (READ_ONLY)")
    rows = con.raw_sql(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog = ? ORDER BY 1, 2",
        parameters=[alias],
    ).fetchall()
    schema = "data" if any(s == "data" for s, _ in rows) else "main"
    tables = {name: con.table(name, database=(alias, schema)) for s, name in rows if s == schema}
    if not tables:
        raise DataError(f"The database {database} has no tables; import some first (tierwise import TABLE FILE).")
    return tables


def _load_elsewhere(con: Any, name: str, table: pa.Table) -> ir.Table:
    """A table given in Python, put on a backend other than DuckDB (Spark reads it from a Parquet file)."""
    if getattr(con, "name", "") == "pyspark":
        # in-memory tables reach Spark with NULL text as 'NaN' and without nullable decimals: a file keeps both
        import pyarrow.parquet as pq

        folder = Path(tempfile.mkdtemp(prefix="tierwise-spark-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / f"table-{name}.parquet"  # Spark skips files whose names start with '_' or '.'
        pq.write_table(table, path)
        return con.read_parquet(str(path), table_name=name)
    return con.create_table(name, table, temp=True, overwrite=True)


def load_data(con: Any, data: str | Path | Mapping[str, Any] | Any) -> dict[str, ir.Table]:
    """Load ``data`` into ``con`` and return its tables by name.

    ``data`` is a folder, a mapping of table name to a pandas/Polars DataFrame, an Arrow
    table, or an Ibis table of the same backend, or an Ibis backend itself (its tables,
    read in place). On a backend other than DuckDB, a folder's Parquet files are read by
    the backend (Spark), and frames are put there as temporary tables.
    """
    from ._backends import backend_tables, folder_on_backend, is_backend

    if is_backend(data):
        return backend_tables(data)
    elsewhere = getattr(con, "name", "duckdb") != "duckdb"
    if elsewhere and isinstance(data, (str, Path)):
        return folder_on_backend(con, Path(data), _folder_files(Path(data)))
    if isinstance(data, (str, Path)) and Path(data).suffix == ".duckdb":
        return _attach(con, Path(data))
    if isinstance(data, (str, Path)) and (Path(data) / "tierwise.toml").is_file():  # a workspace: its imports
        return _attach(con, Path(data) / "tierwise.duckdb")
    if isinstance(data, (str, Path)):
        files = _folder_files(Path(data))
        for name, path in files.items():
            _load_file(con, name, path)
        return {name: con.table(name) for name in files}
    tables: dict[str, ir.Table] = {}
    for name, value in data.items():
        if isinstance(value, ir.Table):
            tables[name] = value
            continue
        if isinstance(value, pa.Table):
            arrow = value
        elif hasattr(value, "to_arrow"):
            arrow = value.to_arrow()
        else:
            arrow = pa.Table.from_pandas(value, preserve_index=False)
        normalised = _normalised(name, arrow, "given in Python")
        if elsewhere:
            if "customer_id" not in normalised.column_names:
                raise DataError(f"The table '{name}' (given in Python) has no 'customer_id' column.")
            tables[name] = _load_elsewhere(con, name, normalised)
            continue
        _load_arrow(con, name, normalised)
        _require_customer_id(con, name, "given in Python")
        tables[name] = con.table(name)
    return tables
