"""Importing the files people really have into a workspace, safely.

A file (CSV in UTF-8/UTF-8 BOM/GBK/GB18030, .xlsx/.xls, Parquet) is read, its headers are
mapped to canonical names (a saved or given mapping, else built-in Chinese synonyms), each
cell is read as its column's type (Chinese number, date and yes/no formats included), and
every row is checked. Any bad row refuses the whole import, with a report of every bad
cell; ``allow_bad_rows`` lands the good rows and keeps the bad ones in quarantine. The
import is one transaction: it lands whole or changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from tierwise._sql import qualified
from tierwise.io import write_table
from tierwise.io._reader import UNITS, read_sheet, split_unit
from tierwise.io._values import parse_bool, parse_business_date, parse_business_number
from tierwise.workspace._store import Workspace, WorkspaceError

__all__ = ["ImportRefused", "ImportResult", "RowProblem", "import_file"]

SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_id": ("客户编号", "客户ID", "客户id", "客户代码", "客户号", "客户编码", "customer id"),
    "name": ("客户名称", "名称", "客户名", "公司名称", "单位名称"),
    "type": ("客户类型", "类型"),
    "industry": ("行业", "所属行业"),
    "region": ("地区", "区域", "省份"),
    "created_at": ("建档日期", "创建日期", "开户日期", "注册日期", "合作开始日期"),
    "status": ("状态", "客户状态"),
    "total_assets": ("资产总额", "总资产"),
    "registered_capital": ("注册资本",),
    "credit_customer": ("是否授信", "授信客户"),
    "admin_level": ("行政级别",),
    "date": ("交易日期", "日期", "订单日期", "下单日期"),
    "amount": ("金额", "交易金额", "订单金额", "销售额", "含税金额"),
    "margin": ("毛利", "毛利额"),
    "quantity": ("数量",),
    "product": ("产品", "商品", "产品名称"),
    "channel": ("渠道", "销售渠道"),
    "order_id": ("订单号", "订单编号"),
    "due_date": ("应付日期", "到期日", "到期日期"),
    "paid_date": ("付款日期", "实付日期", "回款日期"),
    "criterion": ("指标", "评价指标"),
    "rating": ("评级", "评价", "评价结果"),
    "assessed_at": ("评估日期", "评价日期"),
    "stage": ("阶段", "商机阶段"),
    "expected_close": ("预计成交日期", "预计签约日期"),
}
TYPES: dict[str, str] = {
    **dict.fromkeys(
        (
            "customer_id",
            "name",
            "type",
            "industry",
            "region",
            "status",
            "admin_level",
            "product",
            "channel",
            "order_id",
            "criterion",
            "rating",
            "stage",
            "assessor",
        ),
        "text",
    ),
    **dict.fromkeys(("created_at", "date", "due_date", "paid_date", "assessed_at", "expected_close"), "date"),
    **dict.fromkeys(("amount", "margin", "quantity", "total_assets", "registered_capital"), "number"),
    "credit_customer": "bool",
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id",),
    "transactions": ("customer_id", "date", "amount"),
    "payments": ("customer_id", "due_date", "amount"),
    "opportunities": ("customer_id",),
    "assessments": ("customer_id", "criterion", "rating"),
}
PAST_ONLY = ("date", "paid_date", "created_at", "assessed_at")
_PARSERS: dict[str, Callable[[Any], Any]] = {
    "number": parse_business_number,
    "date": parse_business_date,
    "bool": parse_bool,
}
_ARROW = {"text": pa.string(), "number": pa.float64(), "date": pa.date32(), "bool": pa.bool_()}


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


def _mapping(
    headers: list[str], given: Mapping[str, Any], saved: Mapping[str, Any]
) -> tuple[dict[str, str], dict[str, tuple[str, Decimal]], list[str]]:
    """Source header -> column name (the given mapping, else the saved one, else the synonyms),
    the unit of each header that carries one, and the headers left as they are.

    A header like ``总资产(万元)`` maps by its name (``总资产`` -> total_assets) with the unit
    applied; a mapping entry ``{column: total_assets, unit: 万元}`` declares a unit itself.
    """
    synonyms = {alias: name for name, aliases in SYNONYMS.items() for alias in aliases}
    out: dict[str, str] = {}
    units: dict[str, tuple[str, Decimal]] = {}
    unmapped = []
    for header in headers:
        base, unit, factor = split_unit(header)
        entry = given.get(header) or saved.get(header) or given.get(base) or saved.get(base)
        if isinstance(entry, dict):
            column = str(entry["column"])
            declared = entry.get("unit")
            if declared is not None:
                unit, factor = str(declared), UNITS[str(declared)]
        else:
            column = entry or synonyms.get(header) or synonyms.get(base) or (base if unit else header)
        out[header] = column
        if unit is not None and factor is not None:
            units[header] = (unit, factor)
        if entry is None and column not in TYPES and column not in synonyms.values():
            unmapped.append(header)
    return out, units, unmapped


def _infer(values: list[Any]) -> str:
    present = [v for v in values if v not in (None, "")]
    if not present:
        return "text"
    for kind, parser in (("number", parse_business_number), ("date", parse_business_date)):
        try:
            if kind == "date" and all(isinstance(v, str) and v.strip().isdigit() for v in present):
                continue  # digits alone are numbers or codes, not dates
            for value in present:
                parser(value)
        except ValueError:
            continue
        return kind
    if all(str(v).strip() in ("是", "否") for v in present):
        return "bool"
    return "text"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def import_file(
    workspace: Workspace,
    table: str,
    path: str | Path,
    *,
    mapping: Mapping[str, Any] | str | Path | None = None,
    mode: str = "replace",
    allow_bad_rows: bool = False,
    sheet: str | int = 0,
    today: dt.date | None = None,
) -> ImportResult:
    """Import ``path`` into the workspace table ``table``.

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
    if not table.isidentifier() or not table.isascii():
        raise WorkspaceError(
            f"The table name must be a word of letters, digits and '_' (like transactions). Got '{table}' instead."
        )
    if not path.is_file():
        raise WorkspaceError(f"The file {path} does not exist.")
    given = _load_mapping(mapping)
    today = today or dt.date.today()
    try:
        sheet_read = read_sheet(path, sheet)
    except (ValueError, OSError) as exc:
        raise WorkspaceError(str(exc)) from exc
    headers, records, broken = sheet_read.headers, sheet_read.records, sheet_read.broken
    rows = [cells for _, cells in records]
    with workspace.reading() as con:
        row = con.execute("SELECT mapping FROM column_maps WHERE table_name = ?", [table]).fetchone()
        saved = json.loads(row[0]) if row else {}
        customers = _existing_ids(con, "customers") if table != "customers" else None
        existing = (_existing_ids(con, table) or set()) if table == "customers" and mode == "append" else set()
    names, units, unmapped = _mapping(headers, given, saved)
    columns = [names[h] for h in headers]
    problems: list[RowProblem] = []
    file = path.name
    if not rows and not broken:
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
    header_of = dict(zip(columns, headers, strict=True))
    for header, (unit, _) in units.items():
        if (TYPES.get(names[header]) or "number") != "number":
            raise ImportRefused(
                f"{file}: the header '{header}' carries the unit {unit}, but '{names[header]}' is not a number column.",
                [RowProblem(file, 1, header, unit, "a unit on a column that is not a number")],
                None,
            )
    kinds = {c: TYPES.get(c) or _infer([r[i] if i < len(r) else None for r in rows]) for i, c in enumerate(columns)}
    good: list[list[Any]] = []
    bad_rows: dict[int, list[Any]] = {}
    seen: dict[str, int] = {}
    for item in broken:
        problems.append(RowProblem(file, item.line, None, item.raw[:200], item.problem))
        bad_rows[item.line] = [item.raw]
    for number, raw in records:
        raw = list(raw) + [None] * (len(columns) - len(raw))
        typed: list[Any] = []
        row_problems: list[RowProblem] = []
        for column, value in zip(columns, raw, strict=False):
            kind = kinds[column]
            try:
                cell = _text(value) if kind == "text" else _PARSERS[kind](value)
                if cell is not None and kind == "number" and header_of[column] in units:
                    cell = float(Decimal(str(cell)) * units[header_of[column]][1])
            except ValueError as exc:
                row_problems.append(RowProblem(file, number, column, _text(value), str(exc)))
                cell = None
            if kind == "date" and column in PAST_ONLY and isinstance(cell, dt.date) and cell > today:
                row_problems.append(RowProblem(file, number, column, _text(value), f"the date {cell} is in the future"))
            typed.append(cell)
        position = columns.index("customer_id")
        customer = typed[position] = _identifier(typed[position])
        if customer is None:
            row_problems.append(RowProblem(file, number, "customer_id", None, "customer_id is empty"))
        elif table == "customers":
            if customer in seen:
                row_problems.append(
                    RowProblem(
                        file, number, "customer_id", customer, f"duplicate customer_id (also on row {seen[customer]})"
                    )
                )
            elif customer in existing:
                row_problems.append(
                    RowProblem(file, number, "customer_id", customer, "customer_id is already in the workspace")
                )
            seen.setdefault(customer, number)
        elif customers is not None and customer not in customers:
            row_problems.append(
                RowProblem(file, number, "customer_id", customer, "no such customer in the customers table")
            )
        if row_problems:
            problems.extend(row_problems)
            bad_rows[number] = raw
        else:
            good.append(typed)
    report = _write_report(workspace, table, problems) if problems else None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if problems and not allow_bad_rows:
        with workspace.writing() as con:
            workspace.audit(
                con, "import-refused", table, {"file": str(path), "bad_rows": len(bad_rows), "report": str(report)}
            )
        raise ImportRefused(
            f"{file} has {len(bad_rows):,} bad row(s) of {len(rows) + len(broken):,}; nothing was imported. Every problem is in {report}. "
            f"Fix them, or import the good rows with --allow-bad-rows (the bad ones are kept in quarantine).",
            problems,
            report,
        )
    arrow = pa.table({c: pa.array([r[i] for r in good], _ARROW[kinds[c]]) for i, c in enumerate(columns)})
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
        if mode == "replace" or not exists:
            con.execute(f"DROP TABLE IF EXISTS {qualified('data', table)}")
            con.execute(f"CREATE TABLE {qualified('data', table)} AS SELECT * FROM _tw_import")
        else:
            have = {
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = 'data' AND table_name = ?",
                    [table],
                ).fetchall()
            }
            if set(columns) != have:
                raise WorkspaceError(
                    f"Cannot append {file} to '{table}': its columns ({', '.join(sorted(columns))}) differ from "
                    f"the table's ({', '.join(sorted(have))}). Map them alike or import with --mode replace."
                )
            con.execute(f"INSERT INTO {qualified('data', table)} BY NAME SELECT * FROM _tw_import")
        con.unregister("_tw_import")
        import_id = int(
            _scalar(
                con.execute(
                    'INSERT INTO imports ("at", "user", table_name, file, sha256, mode, rows, bad_rows) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
                    [dt.datetime.now(), workspace.user(), table, str(path), digest, mode, len(good), len(bad_rows)],
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
                        str(path),
                        number,
                        p.column,
                        p.value,
                        p.problem,
                        json.dumps(dict(zip(headers, [_text(v) for v in raw], strict=False)), ensure_ascii=False),
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
                "file": str(path),
                "sha256": digest,
                "mode": mode,
                "rows": len(good),
                "bad_rows": len(bad_rows),
                "import_id": import_id,
            },
        )
    return ImportResult(
        table,
        mode,
        len(good),
        len(bad_rows),
        import_id,
        report,
        {h: c for h, c in names.items() if h != c},
        {h: u for h, (u, _) in units.items()},
        unmapped,
    )


def _identifier(value: str | None) -> str | None:
    """Customer ids compare as exported by any system: full-width ``Ｃ００４`` is ``C004``."""
    return unicodedata.normalize("NFKC", value).strip() or None if value is not None else None


def _scalar(cursor: Any) -> Any:
    row = cursor.fetchone()
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


def _existing_ids(con: Any, table: str) -> set[str] | None:
    found = _scalar(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'data' AND table_name = ?", [table]
        )
    )
    if not found:
        return None
    return {
        r[0]
        for r in con.execute(f"SELECT DISTINCT CAST(customer_id AS VARCHAR) FROM {qualified('data', table)}").fetchall()
    }


def _write_report(workspace: Workspace, table: str, problems: list[RowProblem]) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    report = workspace.reports / f"import-{table}-{stamp}.csv"
    rows = pa.table(
        {
            "file": [p.file for p in problems],
            "row": [p.row for p in problems],
            "column": [p.column for p in problems],
            "value": [p.value for p in problems],
            "problem": [p.problem for p in problems],
        }
    )
    return write_table(rows, report)
