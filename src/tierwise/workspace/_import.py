"""Importing the files people really have into a workspace, safely.

A file (CSV in UTF-8, UTF-16, GBK/GB18030 or Big5, .xlsx/.xls, Parquet) is read, its headers
are mapped to canonical names (a saved or given mapping, else the built-in Chinese synonyms
of ``tierwise.io._columns``, the same for every input), each cell is read as its column's
type (Chinese number, date and yes/no formats, header units included), and
every row is checked. Any bad row refuses the whole import, with a report of every bad
cell; ``allow_bad_rows`` lands the good rows and keeps the bad ones in quarantine. The
import is one transaction: it lands whole or changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from tierwise._sql import ident, qualified
from tierwise.io import write_table
from tierwise.io._columns import TYPES, cell_text, map_headers
from tierwise.io._reader import UNITS, read_sheet
from tierwise.spec import DATE_COLUMNS
from tierwise.workspace._cache import clear_cache, record_fingerprint
from tierwise.workspace._columnar import IdCheck, check_columns
from tierwise.workspace._errors import Phrase
from tierwise.workspace._store import Workspace, WorkspaceError, data_columns

__all__ = [
    "ImportPreview",
    "ImportProgress",
    "ImportRefused",
    "ImportResult",
    "Replacement",
    "RowProblem",
    "import_file",
    "preview_file",
    "problems_table",
    "replacement",
]

ImportProgress = Callable[[str, int, int, int], None]
"""Told ``(step, done, total, rows)`` as an import goes: ``read`` (bytes of the file), ``check``
(columns), ``write`` (rows); ``rows`` is the number of data rows once the file is read."""

REQUIRED: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id",),
    "transactions": ("customer_id", "date", "amount"),
    "payments": ("customer_id", "due_date", "amount"),
    "opportunities": ("customer_id",),
    "assessments": ("customer_id", "criterion", "rating"),
}
PAST_ONLY = ("date", "paid_date", "created_at", "assessed_at")


@dataclass(frozen=True)
class RowProblem:
    """One bad cell (or row) of an imported file."""

    file: str
    row: int
    column: str | None
    value: str | None
    problem: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        shown = f" value {self.value!r}:" if self.value not in (None, "") else ":"
        return f"{self.file} {where}{shown} {self.problem}"


class ImportRefused(WorkspaceError):
    """The file was not imported; ``problems`` lists every bad row, ``report`` where they are written."""

    def __init__(self, message: str, problems: list[RowProblem], report: Path | None) -> None:
        super().__init__(message)
        self.problems = problems
        self.report = report


@dataclass
class ImportResult:
    """What an import did."""

    table: str
    mode: str
    rows: int
    bad_rows: int
    import_id: int
    report: Path | None
    mapping: dict[str, str] = field(default_factory=dict)  # file header -> column, where they differ
    units: dict[str, str] = field(default_factory=dict)  # file header -> the unit applied (万元 …)
    unmapped: list[str] = field(default_factory=list)  # headers kept as they are: no known column


@dataclass
class _Prepared:
    """A file read, mapped and checked, before anything is written."""

    file: str
    headers: list[str]
    names: dict[str, str]
    units: dict[str, tuple[str, Any]]
    unmapped: list[str]
    columns: list[str]
    total: int
    problems: list[RowProblem]
    bad_rows: dict[int, list[Any]]
    good_table: pa.Table
    given: dict[str, Any]
    saved: dict[str, Any]


def _prepare(
    workspace: Workspace,
    table: str,
    path: Path,
    mapping: Mapping[str, Any] | str | Path | None,
    mode: str,
    sheet: str | int,
    today: dt.date | None,
    progress: ImportProgress | None,
    name: str | None = None,
) -> _Prepared:
    """Read ``path``, map its headers and check every row with the import's rules; nothing is written."""
    given = _load_mapping(mapping)
    today = today or dt.date.today()
    try:
        sheet_read = read_sheet(path, sheet, None if progress is None else lambda d, t: progress("read", d, t, 0))
    except (ValueError, OSError) as exc:  # named as its owner knows it (an upload is stored under a random name)
        raise WorkspaceError(str(exc).replace(str(path), path.name).replace(path.name, name or path.name)) from exc
    headers, broken, typed = sheet_read.headers, sheet_read.broken, sheet_read.arrow
    total = (typed.num_rows if typed is not None else 0) + len(broken)
    with workspace.reading() as con:
        row = con.execute("SELECT mapping FROM column_maps WHERE table_name = ?", [table]).fetchone()
        saved = json.loads(row[0]) if row else {}
        customers = _existing_ids(con, "customers") if table != "customers" else None
        existing = _existing_ids(con, table) if table == "customers" and mode == "append" else None
    names, units, unmapped = map_headers(headers, given, saved)
    columns = [names[h] for h in headers]
    problems: list[RowProblem] = []
    file = name or path.name
    if not total:
        raise ImportRefused(
            f"{file} has no data rows; nothing was imported.", [RowProblem(file, 1, None, None, "no data rows")], None
        )
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    missing = [c for c in REQUIRED.get(table, ("customer_id",)) if c not in columns]
    if repeated or missing:
        what = [f"column(s) {', '.join(missing)} missing" for _ in [0] if missing] + [
            f"column(s) {', '.join(repeated)} appear twice" for _ in [0] if repeated
        ]
        hint = " Map the file's headers with --map MAP.yaml (like {客户编号: customer_id})."
        raise ImportRefused(
            f"{file} cannot be imported into '{table}': {'; '.join(what)} (headers: {', '.join(headers)}).{hint}",
            [RowProblem(file, 1, None, None, "; ".join(what))],
            None,
        )
    for header, (unit, _) in units.items():
        if (TYPES.get(names[header]) or "number") != "number":
            raise ImportRefused(
                f"{file}: the header '{header}' carries the unit {unit}, but '{names[header]}' is not a number column.",
                [RowProblem(file, 1, header, unit, "a unit on a column that is not a number")],
                None,
            )
    factors = {names[h]: units[h][1] for h in units}
    check = IdCheck(table, customers, existing)
    if typed is None:  # every record of the file is broken: nothing to read column by column
        typed = pa.table({c: pa.array([], pa.string()) for c in dict.fromkeys(columns)})
    checked = check_columns(
        typed.rename_columns(columns),
        columns,
        factors,
        check,
        today=today,
        past_only=PAST_ONLY,
        lines=sheet_read.line_numbers(),
        progress=None if progress is None else lambda d, t: progress("check", d, t, total),
    )
    problems = [RowProblem(file, item.line, None, item.raw[:200], item.problem) for item in broken]
    problems += [RowProblem(file, row, column, value, what) for row, column, value, what in checked.problems]
    problems.sort(key=lambda p: p.row)
    bad_rows: dict[int, list[Any]] = {item.line: [item.raw] for item in broken}
    bad_rows.update(checked.bad)
    return _Prepared(
        file, headers, names, units, unmapped, columns, total, problems, bad_rows, checked.table, given, saved
    )


def import_file(
    workspace: Workspace,
    table: str,
    path: str | Path,
    *,
    mapping: Mapping[str, Any] | str | Path | None = None,
    mode: str = "append",
    allow_bad_rows: bool = False,
    sheet: str | int = 0,
    today: dt.date | None = None,
    progress: ImportProgress | None = None,
    name: str | None = None,
) -> ImportResult:
    """Import ``path`` into the workspace table ``table``.

    ``mode`` is ``append`` (the default: nothing is lost) or ``replace``, which deletes the
    table's rows first (:func:`replacement` tells what; the audit record keeps it).
    ``progress``, when given, is told how far the import is (see :data:`ImportProgress`).
    ``name`` is the file's name as its owner knows it (an upload's), for reports and the
    audit log; default: the file's own name.

    Raises
    ------
    ImportRefused
        When the file has bad rows (and ``allow_bad_rows`` is false) or none at all;
        nothing in the workspace changes except the audit log.
    """
    workspace.check_access("import")
    path = Path(path)
    if mode not in ("replace", "append"):
        raise WorkspaceError(f"The import mode must be 'replace' or 'append'. Got '{mode}' instead.")
    _check_table(table)
    if not path.is_file():
        raise WorkspaceError(f"The file {path} does not exist.")
    prepared = _prepare(workspace, table, path, mapping, mode, sheet, today, progress, name)
    file, headers, names, units, unmapped = (
        prepared.file,
        prepared.headers,
        prepared.names,
        prepared.units,
        prepared.unmapped,
    )
    columns, total, problems, bad_rows = prepared.columns, prepared.total, prepared.problems, prepared.bad_rows
    good_table, given, saved = prepared.good_table, prepared.given, prepared.saved
    report = _write_report(workspace, table, problems) if problems else None
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    if problems and not allow_bad_rows:
        with workspace.writing() as con:
            workspace.audit(
                con,
                "import-refused",
                table,
                {"file": file, "bad_rows": len(bad_rows), "report": _in_workspace(workspace, report)},
            )
        raise ImportRefused(
            f"{file} has {len(bad_rows):,} bad row(s) of {total:,}; nothing was imported. Every problem is in {report}. "
            f"Fix them, or import the good rows with --allow-bad-rows (the bad ones are kept in quarantine).",
            problems,
            report,
        )
    arrow = good_table
    if progress is not None:
        progress("write", 0, arrow.num_rows, total)
    with workspace.writing() as con:
        workspace.authorize(con, "import")
        con.register("_tw_import", arrow)
        exists = bool(
            _scalar(
                con.execute(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'data' AND table_name = ?",
                    [table],
                )
            )
        )  # type: ignore[index]
        replaced = _replacement(con, table) if mode == "replace" and exists else None
        if mode == "replace" or not exists:
            con.execute(f"DROP TABLE IF EXISTS {qualified('data', table)}")
            con.execute(f"CREATE TABLE {qualified('data', table)} AS SELECT * FROM _tw_import")
        else:
            have = data_columns(con, table)
            if set(columns) != have:
                raise WorkspaceError(
                    f"Cannot append {file} to '{table}': its columns ({', '.join(sorted(columns))}) differ from "
                    f"the table's ({', '.join(sorted(have))}). Map them alike or import with --mode replace."
                )
            con.execute(f"INSERT INTO {qualified('data', table)} BY NAME SELECT * FROM _tw_import")
        con.unregister("_tw_import")
        record_fingerprint(con, table)
        clear_cache(con)
        import_id = int(
            _scalar(
                con.execute(
                    'INSERT INTO imports ("at", "user", table_name, file, sha256, mode, rows, bad_rows) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
                    [
                        dt.datetime.now(),
                        workspace.user(),
                        table,
                        file,
                        digest,
                        mode,
                        arrow.num_rows,
                        len(bad_rows),
                    ],
                )
            )
        )  # type: ignore[index]
        for number, raw in bad_rows.items():
            for p in (p for p in problems if p.row == number):
                con.execute(
                    "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        import_id,
                        table,
                        file,
                        number,
                        p.column,
                        p.value,
                        p.problem,
                        json.dumps(dict(zip(headers, [cell_text(v) for v in raw], strict=False)), ensure_ascii=False),
                    ],
                )
        if given:
            con.execute(
                "INSERT OR REPLACE INTO column_maps VALUES (?, ?, ?)",
                [table, json.dumps({**saved, **given}, ensure_ascii=False), dt.datetime.now()],
            )
        workspace.audit(
            con,
            "import",
            table,
            {
                "file": file,  # the name as its owner knows it; never a path of the server (every user reads the log)
                "sha256": digest,
                "mode": mode,
                "rows": arrow.num_rows,
                "bad_rows": len(bad_rows),
                "import_id": import_id,
                **({"replaced": replaced.summary()} if replaced is not None else {}),
            },
        )
    if progress is not None:
        progress("write", arrow.num_rows, arrow.num_rows, total)
    return ImportResult(
        table,
        mode,
        arrow.num_rows,
        len(bad_rows),
        import_id,
        report,
        {h: c for h, c in names.items() if h != c},
        {h: u for h, (u, _) in units.items()},
        unmapped,
    )


def _check_table(table: str) -> None:
    if not table.isidentifier() or not table.isascii():
        raise WorkspaceError(
            f"The table name must be a word of letters, digits and '_' (like transactions). Got '{table}' instead."
        )


def _scalar(cursor: Any) -> Any:
    rows = cursor.fetchall()  # all: a result fetched in part blocks the connection
    row = rows[0] if rows else None
    if row is None:  # pragma: no cover - aggregates and RETURNING always give a row
        raise WorkspaceError("The workspace returned no row where one was expected.")
    return row[0]


def _load_mapping(mapping: Mapping[str, Any] | str | Path | None) -> dict[str, Any]:
    if mapping is None:
        return {}
    if isinstance(mapping, Mapping):
        return _checked_mapping(dict(mapping), "the mapping")
    path = Path(mapping)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise WorkspaceError(f"The mapping {path} cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise WorkspaceError(
            f"The mapping {path} must map each file header to a column name, like 客户编号: customer_id."
        )
    return _checked_mapping(data, f"the mapping {path}")


def _checked_mapping(data: dict[Any, Any], where: str) -> dict[str, Any]:
    """Entries are ``header: column`` or ``header: {column: C, unit: 万元}``; every bad one reported at once."""
    problems = []
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, str):
            out[str(key)] = value
        elif isinstance(value, dict) and isinstance(value.get("column"), str) and set(value) <= {"column", "unit"}:
            unit = value.get("unit")
            if unit is not None and str(unit) not in UNITS:
                problems.append(f"'{key}' has the unit '{unit}', which is not one of {', '.join(UNITS)}")
            out[str(key)] = {"column": value["column"], "unit": str(unit) if unit is not None else None}
        else:
            problems.append(f"'{key}' must map to a column name or to {{column: NAME, unit: 万元}}; got {value!r}")
    if problems:
        raise WorkspaceError(f"In {where}: " + "; ".join(problems) + ".")
    return out


def _existing_ids(con: Any, table: str) -> pa.Array | None:
    """The distinct customer ids of a workspace table as text, or None when there is no such table."""
    found = _scalar(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'data' AND table_name = ?", [table]
        )
    )
    if not found:
        return None
    query = f"SELECT DISTINCT CAST(customer_id AS VARCHAR) AS id FROM {qualified('data', table)} WHERE customer_id IS NOT NULL"
    return con.sql(query).to_arrow_table().column("id").combine_chunks()


def problems_table(problems: list[RowProblem]) -> pa.Table:
    """The bad-row report: file, row, column, value, problem (one row per problem)."""
    return pa.table(
        {
            "file": [p.file for p in problems],
            "row": [p.row for p in problems],
            "column": [p.column for p in problems],
            "value": [p.value for p in problems],
            "problem": [p.problem for p in problems],
        }
    )


def _in_workspace(workspace: Workspace, path: Path | None) -> str | None:
    """``path`` relative to the workspace (what the audit log, read by every user, may show), else its name."""
    if path is None:
        return None
    try:
        return path.resolve().relative_to(workspace.root.resolve()).as_posix()
    except ValueError:
        return path.name


def _write_report(workspace: Workspace, table: str, problems: list[RowProblem]) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return write_table(problems_table(problems), workspace.reports / f"import-{table}-{stamp}.csv")


@dataclass
class ImportPreview:
    """What an import of a file would do: the header mapping with units, the first rows as read, every problem."""

    table: str
    file: str
    rows: int  # data rows of the file
    bad_rows: int
    mapping: dict[str, str]  # file header -> column
    units: dict[str, str]  # file header -> the unit applied
    unmapped: list[str]
    first: list[dict[str, Any]]  # the first good rows, typed as they will be stored
    problems: list[RowProblem]


@dataclass(frozen=True)
class Replacement:
    """What importing with ``--mode replace`` deletes: the table's rows now, their dates, the imports behind them."""

    table: str
    rows: int
    first: dt.date | None
    last: dt.date | None
    imports: int

    def summary(self) -> dict[str, Any]:
        return {"rows": self.rows, "first": self.first, "last": self.last, "imports": self.imports}

    def text(self, lang: str = "en") -> str:
        """The sentence that says what replacing deletes, in ``lang``."""
        key = "imports.replace_loses_dated" if self.first is not None else "imports.replace_loses"
        return Phrase(
            key, table=self.table, rows=f"{self.rows:,}", first=self.first, last=self.last, imports=self.imports
        ).text(lang)


def _replacement(con: Any, table: str) -> Replacement | None:
    columns = data_columns(con, table)
    if not columns:
        return None
    date = DATE_COLUMNS.get(table, "date")
    span = f"min(CAST({ident(date)} AS DATE)), max(CAST({ident(date)} AS DATE))" if date in columns else "NULL, NULL"
    rows, first, last = con.execute(f"SELECT count(*), {span} FROM {qualified('data', table)}").fetchall()[0]
    imports = con.execute("SELECT count(*) FROM imports WHERE table_name = ?", [table]).fetchall()[0][0]
    return Replacement(table, int(rows), first, last, int(imports)) if rows else None


def replacement(workspace: Workspace, table: str) -> Replacement | None:
    """What replacing ``table`` would delete (None: the table is new or empty, nothing is lost)."""
    _check_table(table)
    with workspace.reading() as con:
        return _replacement(con, table)


def preview_file(
    workspace: Workspace,
    table: str,
    path: str | Path,
    *,
    mapping: Mapping[str, Any] | str | Path | None = None,
    mode: str = "append",
    sheet: str | int = 0,
    rows: int = 10,
    name: str | None = None,
) -> ImportPreview:
    """Read and check ``path`` as :func:`import_file` would, and write nothing (not even the audit log).

    Raises ImportRefused for a file that cannot be imported at all (no rows, a required column missing).
    """
    path = Path(path)
    _check_table(table)
    prepared = _prepare(workspace, table, path, mapping, mode, sheet, None, None, name)
    return ImportPreview(
        table,
        prepared.file,
        prepared.total,
        len(prepared.bad_rows),
        dict(prepared.names),
        {h: u for h, (u, _) in prepared.units.items()},
        prepared.unmapped,
        prepared.good_table.slice(0, rows).to_pylist(),
        prepared.problems,
    )
