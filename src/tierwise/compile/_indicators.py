"""Indicators (LANGUAGE.md §4): one value per customer, joined onto the customer table.

Indicators read from the same table with the same window, ``where`` and date column
are computed in one aggregation. ``sum`` and ``count`` of a customer with no rows are 0;
every other aggregate is null. Rows dated after ``as_of`` never count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import ibis
import ibis.expr.types as ir

from tierwise.spec import add_duration, did_you_mean, parse_expression
from tierwise.spec._expr import Call, Node, aggregate_calls, names
from tierwise.spec._model import Indicator, Window

from ._context import Context
from ._expr import CompileError, ExprCompiler

__all__ = ["DATE_COLUMNS", "add_indicators", "customer_base", "window_bounds"]

DATE_COLUMNS = {
    "transactions": "date",
    "payments": "due_date",
    "assessments": "assessed_at",
    "opportunities": "expected_close",
}
_ZERO_WHEN_EMPTY = ("sum", "count", "count_distinct")  # counts of nothing are 0


def window_bounds(window: Window | None, as_of: dt.date) -> tuple[dt.date | None, dt.date]:
    """(exclusive start or None, inclusive end) of the rows a window selects."""
    if window is None or window.kind == "all":
        return None, as_of
    if window.kind == "duration":
        assert window.duration is not None
        return add_duration(as_of, window.duration, -1), as_of
    if window.kind == "calendar_year":
        year = as_of.year - 1
        return dt.date(year - 1, 12, 31), min(dt.date(year, 12, 31), as_of)
    assert window.start is not None
    assert window.end is not None
    return window.start - dt.timedelta(days=1), min(window.end, as_of)


def date_column(table_name: str, table: ir.Table, indicator: Indicator) -> str | None:
    if indicator.date is not None:
        return indicator.date
    default = DATE_COLUMNS.get(table_name, "date")
    return default if default in table.columns else None


def customer_base(tables: Mapping[str, ir.Table], used: list[str]) -> ir.Table:
    """The customers table, or the distinct customer ids of the tables in use."""
    if "customers" in tables:
        customers = tables["customers"]
        return customers.mutate(customer_id=customers["customer_id"].cast("string"))
    ids = [tables[n].select(customer_id=tables[n]["customer_id"].cast("string")) for n in used if n in tables]
    if not ids:
        raise CompileError("There is no 'customers' table and no table to read customer ids from")
    union = ids[0] if len(ids) == 1 else ibis.union(*ids, distinct=True)
    return union.distinct()


def _aggregate(call: Call, rows: ir.Table, compiler: ExprCompiler, date: str | None) -> ir.Value:
    args = [compiler.visit(a) for a in call.args]
    if call.func == "count":
        return rows.count() if not args else args[0].count()
    arg = args[0]
    if arg.type().is_boolean() and call.func in ("sum", "mean", "median"):
        arg = arg.cast("int64")
    if call.func == "count_distinct":
        return arg.nunique()
    if call.func == "latest":
        if date is None:
            raise CompileError("latest(...) needs a date column: set 'date:' on the indicator")
        return arg.argmax(rows[date])  # type: ignore[attr-defined]
    if call.func in ("sum", "mean", "median") and not arg.type().is_numeric():
        raise CompileError(f"{call.func}() needs numbers, but its argument is {arg.type()}")
    method = {"sum": "sum", "mean": "mean", "median": "median", "min": "min", "max": "max"}[call.func]
    return getattr(arg, method)()  # type: ignore[no-any-return]


def _rows(ctx: Context, tables: Mapping[str, ir.Table], name: str, ind: Indicator) -> tuple[ir.Table, str | None]:
    table = tables[name]
    date = date_column(name, table, ind)
    if date is not None and date not in table.columns:
        raise CompileError(f"The table '{name}' has no date column '{date}'.{did_you_mean(date, table.columns)}")
    if ind.window is not None and date is None:
        raise CompileError(
            f"The table '{name}' has no date column, so 'window' cannot apply; name one with 'date: COLUMN'"
        )
    rows = table
    if date is not None:
        day = table[date]
        if day.type().is_string() or day.type().is_timestamp():
            day = day.cast("date")
        start, end = window_bounds(ind.window, ctx.as_of)
        keep = day <= end
        if start is not None:
            keep = keep & (day > start)
        rows = rows.filter(keep)
    if ind.where is not None:
        row_names = {c: rows[c] for c in rows.columns}
        condition = ExprCompiler(row_names, ctx.as_of, what=f"columns of '{name}'")(parse_expression(ind.where))
        rows = rows.filter(condition.fill_null(False))  # type: ignore[union-attr]
    return rows, date


def add_indicators(ctx: Context, tables: Mapping[str, ir.Table], grades: Mapping[str, str]) -> None:
    """Add every indicator of ``ctx.standard`` as a column of ``ctx.table``.

    ``grades`` maps a referenced standard's id to the column that holds its grade.
    """
    standard = ctx.standard
    groups: dict[tuple[str, str, str | None, str | None], list[str]] = {}
    for name, ind in standard.indicators.items():
        if ind.from_ is not None:
            key = (ind.from_, str(ind.window), ind.where, ind.date)
            groups.setdefault(key, []).append(name)
    finals: dict[str, tuple[Node, dict[str, str]]] = {}
    for (table_name, _, _, _), members in groups.items():
        first = standard.indicators[members[0]]
        path = ("indicators", members[0], "from")
        if table_name not in tables:
            ctx.problem(
                path,
                f"Indicator '{members[0]}' reads the table '{table_name}', which the data does not have."
                f"{did_you_mean(table_name, tables)}",
            )
            continue
        try:
            rows, date = _rows(ctx, tables, table_name, first)
        except Exception as exc:  # noqa: BLE001 - ibis type errors are reported as problems
            ctx.problem(
                ("indicators", members[0], "where" if first.where else "from"),
                f"Indicator '{members[0]}' cannot read '{table_name}': {exc}",
            )
            continue
        row_names = {c: rows[c] for c in rows.columns}
        columns: dict[str, ir.Value] = {}
        zero: set[str] = set()
        for name in members:
            node = parse_expression(standard.indicators[name].agg or "", allow_aggregates=True)
            mapping: dict[str, str] = {}
            try:
                for index, call in enumerate(aggregate_calls(node)):
                    column = f"_tw_agg_{name}_{index}"
                    compiler = ExprCompiler(row_names, ctx.as_of, what=f"columns of '{table_name}'")
                    columns[column] = _aggregate(call, rows, compiler, date)
                    mapping[repr(call)] = column
                    if call.func in _ZERO_WHEN_EMPTY:
                        zero.add(column)
                outside = [n.name for n in names(node, outside_aggregates=True) if n.name != "as_of"]
                if outside:
                    raise CompileError(f"'{outside[0]}' must be inside an aggregate such as sum({outside[0]})")
            except Exception as exc:  # noqa: BLE001
                ctx.problem(
                    ("indicators", name, "agg"),
                    f"The agg '{standard.indicators[name].agg}' of indicator '{name}' cannot be computed: {exc}",
                )
                continue
            finals[name] = (node, mapping)
        if not columns:
            continue
        grouped = rows.group_by(customer_id=rows["customer_id"].cast("string")).aggregate(**columns)
        joined = ctx.table.left_join(grouped, "customer_id")
        keep = [joined[c] for c in ctx.table.columns]
        filled = [joined[c].fill_null(0).name(c) if c in zero else joined[c] for c in columns]
        ctx.table = joined.select(*keep, *filled)
    _finish(ctx, finals, grades)


def _finish(ctx: Context, finals: dict[str, tuple[Node, dict[str, str]]], grades: Mapping[str, str]) -> None:
    """Compute final indicator values in dependency order (expr indicators last)."""
    standard = ctx.standard
    values: dict[str, Any] = {}
    for name, (node, mapping) in finals.items():

        def agg(call: Call, mapping: dict[str, str] = mapping) -> ir.Value:
            return ctx.table[mapping[repr(call)]]

        compiler = ExprCompiler({}, ctx.as_of, aggregate=agg)
        try:
            values[name] = compiler(node)
        except Exception as exc:  # noqa: BLE001
            ctx.problem(("indicators", name, "agg"), f"The agg of indicator '{name}' cannot be computed: {exc}")
    for name, ind in standard.indicators.items():
        if ind.attribute is not None:
            if ind.attribute in ctx.table.columns:
                values[name] = ctx.table[ind.attribute]
            else:
                visible = [c for c in ctx.table.columns if not c.startswith("_tw")]
                ctx.problem(
                    ("indicators", name, "attribute"),
                    f"Indicator '{name}' reads the customer column '{ind.attribute}', which the customers table does not have."
                    f"{did_you_mean(ind.attribute, visible)}",
                )
        elif ind.standard is not None and ind.standard in grades:
            values[name] = ctx.table[grades[ind.standard]]
    ctx.table = ctx.table.mutate(**values) if values else ctx.table
    pending = {n: ind.expr for n, ind in standard.indicators.items() if ind.expr is not None}
    while pending:
        ready = {n: e for n, e in pending.items() if not ({x.name for x in names(parse_expression(e))} & set(pending))}
        if not ready:
            break  # a cycle, already reported by the loader
        computed = {}
        for name, text in ready.items():
            value = ctx.expr(text, ("indicators", name, "expr"), f"expression of indicator '{name}'")
            computed[name] = value
        ctx.table = ctx.table.mutate(**computed)
        for name in ready:
            del pending[name]
