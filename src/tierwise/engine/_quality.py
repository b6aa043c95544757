"""The quality of the customer profile: completeness per field and per customer, values out of range, stale profiles.

Every count is computed by the backend (one aggregate per table); only the per-customer
flags come back, one row per customer. A field is *present* when it is not null and, for
text, not blank; it is *out of range* when present and not one of its ``values`` or
outside ``min``/``max``. A customer's profile is *complete* when every required field is
present and in range and the profile is not stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from tierwise.spec import Problem, StandardError, add_duration, did_you_mean, format_amount, parse_date
from tierwise.spec._literals import Duration
from tierwise.spec._profile import FieldRule, Profile, TableProfile, load_profile

__all__ = ["Quality", "check_quality", "complete_profiles", "profile_of"]

CUSTOMERS = "customers"


def profile_of(profile: Profile | str | Path) -> Profile:
    """A loaded profile, or the one in the file ``profile``."""
    return profile if isinstance(profile, Profile) else load_profile(profile)


def _present(column: ir.Value) -> ir.BooleanValue:
    if column.type().is_string():
        return column.notnull() & (column.strip() != "")  # type: ignore[attr-defined, no-any-return]
    return column.notnull()  # type: ignore[no-any-return]


def _in_range(column: ir.Value, rule: FieldRule) -> ir.BooleanValue:
    checks: list[ir.BooleanValue] = []
    if rule.values is not None:
        numeric = column.type().is_numeric() and all(isinstance(v, (int, float)) for v in rule.values)
        key = column if numeric else column.cast("string").strip()  # type: ignore[attr-defined]
        checks.append(key.isin(rule.values if numeric else [str(v) for v in rule.values]))
    if rule.min is not None:
        checks.append(column >= rule.min)  # type: ignore[operator]
    if rule.max is not None:
        checks.append(column <= rule.max)  # type: ignore[operator]
    return ibis.and_(*checks) if checks else ibis.literal(True)


def _check_columns(profile: Profile, tables: Mapping[str, ir.Table]) -> list[Problem]:
    problems = []
    for name, spec in profile.profile.items():
        where: tuple[str | int, ...] = ("profile", name)
        if name not in tables:
            problems.append(
                profile.problem(
                    where,
                    f"The profile names the table '{name}', which the data does not have.{did_you_mean(name, tables)}",
                )
            )
            continue
        columns = tables[name].columns
        wanted = [(f, ("fields", f)) for f in spec.fields] + ([(spec.updated, ("updated",))] if spec.updated else [])
        for field, path in wanted:
            if field not in columns:
                problems.append(
                    profile.problem(
                        (*where, *path),
                        f"The profile names the field '{field}' of table '{name}', which the data does not have."
                        f"{did_you_mean(field, [c for c in columns if not c.startswith('_tw')])}",
                    )
                )
                continue
            rule = spec.fields.get(field)
            kind = tables[name][field].type()
            if rule is not None and (rule.min is not None or rule.max is not None) and not kind.is_numeric():
                problems.append(
                    profile.problem(
                        (*where, *path),
                        f"The field '{field}' of table '{name}' has a range (min/max), so it must be a number. "
                        f"Got a {kind} column instead.",
                    )
                )
    return problems


def _cutoff(as_of: dt.date, span: Duration) -> dt.date:
    return add_duration(as_of, Duration(-span.count, span.unit))


def _stale(table: ir.Table, spec: TableProfile, as_of: dt.date) -> ir.BooleanValue | None:
    if spec.updated is None or spec.stale_after is None:
        return None
    day = table[spec.updated].cast("date")
    return day.isnull() | (day < _cutoff(as_of, spec.stale_after))  # type: ignore[no-any-return]


def complete_profiles(tables: Mapping[str, ir.Table], profile: Profile, as_of: dt.date) -> ir.Table:
    """The ``customers`` table with only the customers whose profile is complete (required, in range, not stale)."""
    problems = _check_columns(profile, tables)
    spec = profile.profile.get(CUSTOMERS)
    if spec is None:
        problems.append(
            profile.problem(("profile",), "The profile has no 'customers' table, so no customer's profile is complete.")
        )
    if problems:
        raise StandardError(problems)
    assert spec is not None
    table = tables[CUSTOMERS]
    keep: list[ir.BooleanValue] = []
    for field, rule in spec.fields.items():
        if rule.required:
            column = table[field]
            keep.append(_present(column) & _in_range(column, rule).fill_null(False))  # type: ignore[attr-defined]
    stale = _stale(table, spec, as_of)
    if stale is not None:
        keep.append(~stale)
    return table.filter(ibis.and_(*keep)) if keep else table


@dataclass(frozen=True)
class Quality:
    """The quality of the profile on one date.

    ``fields``: one row per table and field (``table, field, label, layer, required, rows,
    present, missing, completeness, out_of_range, examples``). ``customers``: one row per
    customer of the ``customers`` table (``customer_id, missing, out_of_range,
    completeness, missing_fields, out_of_range_fields, stale, complete``), the least
    complete first.
    """

    profile: Profile
    as_of: dt.date
    fields: pd.DataFrame
    customers: pd.DataFrame

    def summary(self) -> dict[str, Any]:
        """Customers, complete profiles (count and share), incomplete, out of range, stale."""
        frame = self.customers
        total = len(frame)
        complete = int(frame["complete"].sum()) if total else 0
        return {
            "customers": total,
            "complete": complete,
            "complete_share": complete / total if total else None,
            "missing_required": int((frame["missing"] > 0).sum()) if total else 0,
            "out_of_range": int((frame["out_of_range"] > 0).sum()) if total else 0,
            "stale": int(frame["stale"].fillna(False).astype(bool).sum()) if total else 0,
        }

    def write(self, path: str | Path) -> Path:
        """Write the report: .xlsx (fields and customers sheets), or the customers as .csv/.parquet."""
        import pyarrow as pa

        from tierwise.io import write_table, write_workbook

        target = Path(path)
        customers = pa.Table.from_pandas(self.customers, preserve_index=False)
        if target.suffix.lower() == ".xlsx":
            sheets = {"字段完整度": pa.Table.from_pandas(self.fields, preserve_index=False), "客户档案": customers}
            return write_workbook(sheets, target)
        return write_table(customers, target)


def _examples(con: Any, table: ir.Table, column: ir.Value, bad: ir.BooleanValue) -> str:
    from ._evaluation import _execute

    picked = table.filter(bad).select(value=column)
    counts = picked.group_by("value").aggregate(n=picked.count()).order_by([ibis.desc("n"), "value"]).limit(3)
    rows = _execute(con, counts).to_pylist()
    numeric = column.type().is_numeric()
    return ", ".join(f"{format_amount(float(r['value'])) if numeric else r['value']} ({r['n']:,})" for r in rows)


def _table_quality(
    con: Any, name: str, table: ir.Table, spec: TableProfile, as_of: dt.date
) -> tuple[list[dict[str, Any]], pd.DataFrame | None]:
    from ._evaluation import _execute

    flags: dict[str, ir.Value] = {}
    for i, (field, rule) in enumerate(spec.fields.items()):
        column = table[field]
        present = _present(column)
        flags[f"m{i}"] = ~present
        flags[f"r{i}"] = present & ~_in_range(column, rule).fill_null(True)  # type: ignore[attr-defined]
    stale = _stale(table, spec, as_of)
    counts = table.aggregate(
        rows=table.count(),
        **{key: value.cast("int64").sum() for key, value in flags.items()},  # type: ignore[attr-defined]
    )
    totals = _execute(con, counts).to_pylist()[0]
    rows = int(totals["rows"] or 0)
    report = []
    for i, (field, rule) in enumerate(spec.fields.items()):
        missing, wrong = int(totals[f"m{i}"] or 0), int(totals[f"r{i}"] or 0)
        report.append(
            {
                "table": name,
                "field": field,
                "label": rule.label or "",
                "layer": rule.layer or "",
                "required": rule.required,
                "rows": rows,
                "present": rows - missing,
                "missing": missing,
                "completeness": (rows - missing) / rows if rows else None,
                "out_of_range": wrong,
                "examples": _examples(con, table, table[field], flags[f"r{i}"]) if wrong else "",  # type: ignore[arg-type]
            }
        )
    if name != CUSTOMERS or "customer_id" not in table.columns:
        return report, None
    picked = table.select(
        customer_id=table["customer_id"].cast("string"),
        **flags,
        **({"stale": stale} if stale is not None else {}),
    )
    frame = _execute(con, picked).to_pandas()
    names = list(spec.fields)
    required = [i for i, f in enumerate(names) if spec.fields[f].required]
    missing_cols = [f"m{i}" for i in required]
    range_cols = [f"r{i}" for i in required]
    out = pd.DataFrame({"customer_id": frame["customer_id"]})
    out["missing"] = frame[missing_cols].sum(axis=1).astype(int) if missing_cols else 0
    out["out_of_range"] = frame[range_cols].sum(axis=1).astype(int) if range_cols else 0
    out["completeness"] = 1 - out["missing"] / len(required) if required else 1.0
    out["missing_fields"] = _listed(frame, missing_cols, names)
    out["out_of_range_fields"] = _listed(frame, range_cols, names)
    out["stale"] = frame["stale"].astype("boolean") if "stale" in frame else pd.NA
    out["complete"] = (out["missing"] == 0) & (out["out_of_range"] == 0) & ~out["stale"].fillna(False).astype(bool)
    out = out.sort_values(["complete", "completeness", "customer_id"], kind="stable").reset_index(drop=True)
    return report, out


def _listed(frame: pd.DataFrame, columns: list[str], names: list[str]) -> pd.Series:
    """The names of the flagged fields of each row, joined with '、'."""
    if not columns:
        return pd.Series([""] * len(frame), index=frame.index)
    parts = [frame[c].map({True: names[int(c[1:])] + "、", False: ""}).fillna("") for c in columns]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + part
    return joined.str.rstrip("、")


def check_quality(
    data: Any, profile: Profile | str | Path, as_of: dt.date | str | None = None, *, con: Any | None = None
) -> Quality:
    """Check the profile's required fields on ``data`` (what :func:`tierwise.evaluate` reads).

    Examples
    --------
    >>> import tierwise, pandas as pd
    >>> from tierwise.spec import loads_profile
    >>> p = loads_profile("tierwise: 1\\nprofile:\\n  customers:\\n    fields:\\n      region: {values: [华东, 华南]}\\n")
    >>> c = pd.DataFrame({"customer_id": ["1", "2", "3"], "region": ["华东", None, "西北"]})
    >>> q = tierwise.check_quality({"customers": c}, p, "2026-06-30")
    >>> q.summary()["complete"], q.fields[["missing", "out_of_range", "examples"]].to_dict("records")
    (1, [{'missing': 1, 'out_of_range': 1, 'examples': '西北 (1)'}])
    """
    from ._backends import is_backend
    from ._data import connect, load_data

    loaded = profile_of(profile)
    day = parse_date(as_of) if as_of is not None else dt.date.today()
    con = data if is_backend(data) else con if con is not None else connect()
    tables = load_data(con, data)
    problems = _check_columns(loaded, tables)
    if problems:
        raise StandardError(problems)
    fields: list[dict[str, Any]] = []
    customers = None
    for name, spec in loaded.profile.items():
        report, per_customer = _table_quality(con, name, tables[name], spec, day)
        fields += report
        customers = per_customer if per_customer is not None else customers
    if customers is None:
        customers = pd.DataFrame(
            columns=[
                "customer_id",
                "missing",
                "out_of_range",
                "completeness",
                "missing_fields",
                "out_of_range_fields",
                "stale",
                "complete",
            ]
        )
    return Quality(loaded, day, pd.DataFrame(fields), customers)
