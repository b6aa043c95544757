"""Indicators (LANGUAGE.md §4): one value per customer, joined onto the customer table.

All indicators read from one table are computed in one aggregation over it, each
aggregate filtered by its own window and ``where`` (``SUM(x) FILTER (WHERE ...)``). ``sum`` and ``count`` of a customer with no rows are 0;
every other aggregate is null. Rows dated after ``as_of`` never count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import ibis
import ibis.expr.types as ir

from tierwise.spec import DATE_COLUMNS, add_duration, did_you_mean, parse_expression
from tierwise.spec._expr import Call, Node, aggregate_calls, names
from tierwise.spec._model import Indicator, Window

from ._context import Context
from ._expr import CompileError, ExprCompiler

__all__ = [
    "DATE_COLUMNS",
    "EXACT",
    "MODELS_TABLE",
    "Aggregates",
    "Finals",
    "add_indicators",
    "aggregate_tables",
    "customer_base",
    "dated",
    "join_aggregates",
    "window_bounds",
]

MODELS_TABLE = "_tw_models"  # what the engine's fitted models predict, one column per model indicator
EXACT = "decimal(38, 6)"  # money to the millionth, summed exactly
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


_EVENT_DATES = ("date", "assessed_at")  # days something happened (a due or expected date may lie ahead)


def dated(table: ir.Table, name: str) -> str | None:
    """The table's date column (``DATE_COLUMNS``) when it dates events that happened, if it has one."""
    column = DATE_COLUMNS.get(name, "date")
    return column if column in table.columns and column in _EVENT_DATES else None


def _ids_by(table: ir.Table, name: str, as_of: dt.date) -> ir.Table:
    """The customer ids with a row dated up to ``as_of`` (every row, for a table without dates)."""
    date = dated(table, name)
    if date is not None:
        day = table[date].cast("date") if not table[date].type().is_date() else table[date]
        table = table.filter(day <= as_of)
    return table.select(customer_id=table["customer_id"].cast("string"))


def customer_base(tables: Mapping[str, ir.Table], used: list[str], as_of: dt.date) -> ir.Table:
    """The customers that existed on ``as_of`` (``created_at`` on or before it, or unknown), or the
    distinct customer ids of the tables in use (whose rows are all dated up to ``as_of``)."""
    if "customers" in tables:
        customers = tables["customers"]
        customers = customers.mutate(customer_id=customers["customer_id"].cast("string"))
        if "created_at" in customers.columns:
            created = customers["created_at"]
            if created.type().is_string() or created.type().is_timestamp():
                created = created.cast("date")
            if created.type().is_date():
                customers = customers.filter(created.isnull() | (created <= as_of))
        return customers
    ids = [_ids_by(tables[n], n, as_of) for n in used if n in tables]
    if not ids:
        raise CompileError("There is no 'customers' table and no table to read customer ids from")
    union = ids[0] if len(ids) == 1 else ibis.union(*ids, distinct=True)
    return union.distinct()


def _aggregate(
    call: Call, rows: ir.Table, compiler: ExprCompiler, date: str | None, where: ir.BooleanValue | None
) -> ir.Value:
    args = [compiler.visit(a) for a in call.args]
    if call.func == "count":
        return rows.count(where=where) if not args else args[0].count(where=where)
    arg = args[0]
    if arg.type().is_boolean() and call.func in ("sum", "mean", "median"):
        # true is 1 and false 0, null stays null: a CASE, since PostgreSQL cannot cast a boolean to bigint
        arg = ibis.cases((arg, 1), (~arg, 0), else_=ibis.null("int64"))  # type: ignore[operator]
    if call.func == "count_distinct":
        return arg.nunique(where=where)
    if call.func == "latest":
        if date is None:
            raise CompileError("latest(...) needs a date column: set 'date:' on the indicator")
        return arg.argmax(rows[date], where=where)  # type: ignore[attr-defined]
    if call.func in ("sum", "mean", "median") and not arg.type().is_numeric():
        raise CompileError(f"{call.func}() needs numbers, but its argument is {arg.type()}")
    if (call.func in ("sum", "mean") and arg.type().is_floating()) or (call.func == "mean" and arg.type().is_integer()):
        # exact decimal arithmetic: a parallel floating-point sum depends on the order of
        # the rows, and the same standard on the same data must give identical rows (a mean of
        # integers too: PostgreSQL's is a numeric, DuckDB's a double)
        exact = arg.cast(EXACT)
        total = exact.sum(where=where).cast("float64")
        if call.func == "sum":
            return total
        # the exact sum over the count, divided in floating point (correctly rounded everywhere):
        # a decimal mean has a different scale on each backend (DuckDB, PostgreSQL, Spark)
        return total / arg.count(where=where).nullif(0).cast("float64")
    method = {"sum": "sum", "mean": "mean", "median": "median", "min": "min", "max": "max"}[call.func]
    return getattr(arg, method)(where=where)  # type: ignore[no-any-return]


def _selection(ctx: Context, table_name: str, table: ir.Table, ind: Indicator) -> tuple[ir.BooleanValue, str | None]:
    """The rows an indicator counts: dated up to ``as_of`` and inside its window, and its ``where``."""
    date = date_column(table_name, table, ind)
    if date is not None and date not in table.columns:
        raise CompileError(f"The table '{table_name}' has no date column '{date}'.{did_you_mean(date, table.columns)}")
    if ind.window is not None and date is None:
        raise CompileError(
            f"The table '{table_name}' has no date column, so 'window' cannot apply; name one with 'date: COLUMN'"
        )
    keep: ir.BooleanValue = ibis.literal(True)
    if date is not None:
        day = table[date]
        if day.type().is_string() or day.type().is_timestamp():
            day = day.cast("date")
        start, end = window_bounds(ind.window, ctx.as_of)
        keep = day <= end
        if start is not None:
            keep = keep & (day > start)
    if ind.where is not None:
        row_names = {c: table[c] for c in table.columns}
        condition = ExprCompiler(row_names, ctx.as_of, what=f"columns of '{table_name}'")(parse_expression(ind.where))
        keep = keep & condition.fill_null(False)  # type: ignore[union-attr]
    return keep, date


Finals = dict[str, tuple[Node, dict[str, str]]]


class Aggregates:
    """The aggregate columns over each table, shared by the standards compiled with it.

    Every distinct aggregate (table, call, window, ``where``, date column) gets one
    column; all columns over one table are computed in one ``GROUP BY customer_id``.
    Standards evaluated together register into one instance, so the rows are scanned
    once per table; :meth:`use` swaps in a materialised copy of that aggregation.
    """

    def __init__(self) -> None:
        self.columns: dict[str, dict[str, ir.Value]] = {}
        self.keys: dict[tuple[str, ...], str] = {}
        self.zero: set[str] = set()
        self.present: dict[str, str] = {}  # table -> column counting its rows dated up to as_of
        self.sources: dict[str, ir.Table] = {}
        self.materialised: dict[str, ir.Table] = {}

    def register(self, table_name: str, table: ir.Table, key: tuple[str, ...], value: ir.Value, zero: bool) -> str:
        if key in self.keys:
            return self.keys[key]
        column = f"_tw_agg_{len(self.keys)}"
        self.columns.setdefault(table_name, {})[column] = value
        self.sources[table_name] = table
        self.keys[key] = column
        if zero:
            self.zero.add(column)
        return column

    def table(self, table_name: str) -> ir.Table:
        """The aggregation over ``table_name`` (materialised if :meth:`use` was given one)."""
        if table_name in self.materialised:
            return self.materialised[table_name]
        source = self.sources[table_name]
        return source.group_by(customer_id=source["customer_id"].cast("string")).aggregate(**self.columns[table_name])

    def use(self, table_name: str, table: ir.Table) -> None:
        """Read the aggregation over ``table_name`` from ``table`` (a materialised copy) from now on."""
        self.materialised[table_name] = table


def aggregate_tables(
    ctx: Context, tables: Mapping[str, ir.Table], shared: Aggregates
) -> tuple[dict[str, ir.Table], Finals]:
    """Register the aggregates of ``ctx.standard`` in ``shared``; return the aggregated tables it reads.

    Also returns, per indicator, its AST and the aggregate column of each aggregate call.
    """
    standard = ctx.standard
    by_table: dict[str, list[str]] = {}
    for name, ind in standard.indicators.items():
        if ind.from_ is not None and ind.model is None:
            by_table.setdefault(ind.from_, []).append(name)
    finals: Finals = {}
    used: list[str] = []
    for table_name, members in by_table.items():
        if table_name not in tables:
            ctx.problem(
                ("indicators", members[0], "from"),
                f"Indicator '{members[0]}' reads the table '{table_name}', which the data does not have."
                f"{did_you_mean(table_name, tables)}",
            )
            continue
        table = tables[table_name]
        row_names = {c: table[c] for c in table.columns}
        for name in members:
            ind = standard.indicators[name]
            node = parse_expression(ind.agg or "", allow_aggregates=True)
            mapping: dict[str, str] = {}
            try:
                keep, date = _selection(ctx, table_name, table, ind)
            except Exception as exc:  # noqa: BLE001 - ibis type errors are reported as problems
                ctx.problem(
                    ("indicators", name, "where" if ind.where else "from"),
                    f"Indicator '{name}' cannot read '{table_name}': {exc}",
                )
                continue
            try:
                for call in aggregate_calls(node):
                    compiler = ExprCompiler(row_names, ctx.as_of, what=f"columns of '{table_name}'")
                    key = (table_name, repr(call), str(ind.window), ind.where or "", date or "", ctx.as_of.isoformat())
                    mapping[repr(call)] = shared.register(
                        table_name,
                        table,
                        key,
                        _aggregate(call, table, compiler, date, keep),
                        call.func in _ZERO_WHEN_EMPTY,
                    )
                outside = [n.name for n in names(node, outside_aggregates=True) if n.name != "as_of"]
                if outside:
                    raise CompileError(f"'{outside[0]}' must be inside an aggregate such as sum({outside[0]})")
            except Exception as exc:  # noqa: BLE001
                ctx.problem(
                    ("indicators", name, "agg"), f"The agg '{ind.agg}' of indicator '{name}' cannot be computed: {exc}"
                )
                continue
            finals[name] = (node, mapping)
            if table_name not in used:
                used.append(table_name)
                date = dated(table, table_name)
                if date is not None:  # who was a customer on as_of: a row dated up to it (same GROUP BY)
                    day = table[date].cast("date") if not table[date].type().is_date() else table[date]
                    shared.present[table_name] = shared.register(
                        table_name,
                        table,
                        (table_name, "rows up to as_of", ctx.as_of.isoformat()),
                        table.count(where=day <= ctx.as_of),
                        True,
                    )
    return {name: shared.table(name) for name in used}, finals


def join_aggregates(base: ir.Table, aggregated: Mapping[str, ir.Table], zero: set[str]) -> ir.Table:
    """``base`` with every aggregate column joined on (counts and sums of nothing are 0)."""
    table = base
    for grouped in aggregated.values():
        if grouped is base:
            continue
        joined = table.left_join(grouped, "customer_id")
        table = joined.select(
            *[joined[c] for c in table.columns], *[joined[c] for c in grouped.columns if c != "customer_id"]
        )
    filled = {c: table[c].fill_null(0) for c in table.columns if c in zero}
    return table.mutate(**filled) if filled else table


def add_indicators(ctx: Context, finals: Finals, grades: Mapping[str, str]) -> None:
    """Add every indicator of ``ctx.standard`` as a column of ``ctx.table`` (aggregates already joined).

    ``grades`` maps a referenced standard's id to the column that holds its grade.
    """
    _finish(ctx, finals, grades)


def _finish(ctx: Context, finals: Finals, grades: Mapping[str, str]) -> None:
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
        elif ind.model is not None and ind.model_column in ctx.table.columns:
            values[name] = ctx.table[ind.model_column]
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
