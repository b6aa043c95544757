"""A whole standard compiled to one Ibis table expression (LANGUAGE.md §7)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from tierwise.spec import Problem, Standard, StandardError
from tierwise.spec._model import Grader

from ._context import Context
from ._expr import CompileError
from ._graders import visit
from ._indicators import MODELS_TABLE, Aggregates, add_indicators, aggregate_tables, customer_base, join_aggregates

__all__ = [
    "LANGUAGES",
    "Compiled",
    "Materialize",
    "compile_standard",
    "indicator_key",
    "indicator_table",
    "output_columns",
]

LANGUAGES = ("zh", "en")
_MAX_PASSES = 12


@dataclass(frozen=True)
class Compiled:
    """A compiled standard: the expression and the names of its parts."""

    standard: Standard
    as_of: dt.date
    lang: str
    expr: ir.Table
    indicators: tuple[str, ...]
    dimensions: tuple[str, ...]
    aux: tuple[str, ...]
    checks: tuple[tuple[str, str], ...] = ()  # (column, what): the values a map or rating scale does not list

    @property
    def columns(self) -> list[str]:
        """The public output columns, in order."""
        return output_columns(self.indicators, self.dimensions)

    def sql(self, dialect: str = "duckdb") -> str:
        """The SQL that runs (auxiliary explain columns left out)."""
        return str(ibis.to_sql(self.expr.select(*self.columns), dialect=dialect))


def output_columns(indicators: tuple[str, ...], dimensions: tuple[str, ...]) -> list[str]:
    return [
        "customer_id",
        "grade",
        "grade_rank",
        "reason",
        "next_grade",
        "gap_to_next",
        *indicators,
        *[d for d in dimensions if d not in indicators],
        "standard_id",
        "standard_version",
        "as_of",
    ]


Materialize = Callable[[str, ir.Table], ir.Table]


def indicator_key(standard: Standard, as_of: dt.date) -> str:
    """What every customer's indicators depend on besides the data, as canonical text.

    The indicator definitions, the population, the standards referred to (their full text),
    the evaluation date and tierwise's version; not the grader, so two versions of a
    standard that differ only in how they grade share it.
    """
    from tierwise import __version__

    return json.dumps(
        {
            "indicators": {name: ind.model_dump(mode="json") for name, ind in standard.indicators.items()},
            "population": standard.population,
            "references": {ref: other.text for ref, other in sorted(standard.references.items())},
            "as_of": as_of.isoformat(),
            "tierwise": __version__,
        },
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )


def _tables_used(standard: Standard) -> list[str]:
    used = (ind.model_table if ind.model is not None else ind.from_ for ind in standard.indicators.values())
    return list(dict.fromkeys(name for name in used if name))


def _model_predictions(ctx: Context, tables: Mapping[str, ir.Table]) -> dict[str, ir.Table]:
    """The engine's table of model predictions, to join on (a problem for each one it lacks)."""
    columns = {}
    for name, ind in ctx.standard.indicators.items():
        if ind.model is None:
            continue
        if MODELS_TABLE in tables and ind.model_column in tables[MODELS_TABLE].columns:
            columns[ind.model_column] = name
        else:
            ctx.problem(
                ("indicators", name, "model"),
                f"Indicator '{name}' is predicted by the model '{ind.model}', fitted on the data first: "
                "compile it through tierwise.evaluate (or tierwise.compiled_sql), which fits the model.",
            )
    if not columns:
        return {}
    models = tables[MODELS_TABLE]
    return {MODELS_TABLE: models.select("customer_id", *columns)}


def _prepare(
    standard: Standard,
    tables: Mapping[str, ir.Table],
    as_of: dt.date,
    lang: str,
    dialect: str,
    shared: Aggregates | None,
    materialize: Materialize | None,
    clusters: Mapping[str, Any] | None,
) -> Context:
    """The working table of every customer in the population with its indicators (before any grader)."""
    if lang not in LANGUAGES:
        raise ValueError(f"The language must be one of {', '.join(LANGUAGES)}. Got '{lang}' instead.")
    ctx = Context(standard, as_of, lang, ibis.table({"customer_id": "string"}, name="_tw_none"), dialect=dialect)
    ctx.clusters = clusters or {}
    shared = shared if shared is not None else Aggregates()
    aggregated, finals = aggregate_tables(ctx, tables, shared)
    used = _tables_used(standard)
    joined = aggregated
    if "customers" not in tables and len(used) == 1 and used[0] in aggregated:
        only = aggregated[used[0]]  # the one table's aggregation already has every customer id
        present = shared.present.get(used[0])
        base = only.filter(only[present] > 0) if present is not None else only  # and rows up to as_of
        joined = {}
    else:
        try:
            base = customer_base(tables, used, as_of)
        except CompileError as exc:
            raise StandardError([*ctx.problems, Problem(standard.source, None, f"{exc}.")]) from exc
    ctx.table = join_aggregates(base, {**joined, **_model_predictions(ctx, tables)}, shared.zero)
    grades = _join_references(ctx, tables, shared)
    add_indicators(ctx, finals, grades)
    if standard.population is not None:
        keep = ctx.expr(standard.population, ("population",), "population")
        if keep.type().is_boolean():
            ctx.table = ctx.table.filter(keep.fill_null(False))  # type: ignore[union-attr]
        else:
            ctx.problem(
                ("population",),
                f"The population '{standard.population}' must be true or false. Got a {keep.type()} value instead.",
            )
    if materialize is not None and not ctx.problems:
        ctx.table = materialize(indicator_key(standard, as_of), ctx.table)
    return ctx


def indicator_table(
    standard: Standard,
    tables: Mapping[str, ir.Table],
    as_of: dt.date,
    *,
    dialect: str = "duckdb",
    materialize: Materialize | None = None,
) -> ir.Table:
    """Every customer of the population with its indicators and customer columns, before any grader.

    What a data-driven grader (``cluster``) is fitted on.

    Raises
    ------
    StandardError
        With every located problem of the indicators and the population.
    """
    ctx = _prepare(standard, tables, as_of, "zh", dialect, None, materialize, None)
    if ctx.problems:
        raise StandardError(ctx.problems)
    return ctx.table


def compile_standard(
    standard: Standard,
    tables: Mapping[str, ir.Table],
    as_of: dt.date,
    lang: str = "zh",
    dialect: str = "duckdb",
    shared: Aggregates | None = None,
    reasons: bool = True,
    materialize: Materialize | None = None,
    clusters: Mapping[str, Any] | None = None,
) -> Compiled:
    """Compile ``standard`` over ``tables`` for the evaluation date ``as_of``.

    ``materialize``, when given, is called with :func:`indicator_key` and the expression of
    every customer's indicators (before any grader) and returns a table with the same
    columns: a cache can store it once and answer it for every standard that grades the
    same indicators differently (a threshold, a weight, a matrix cell changed).
    ``clusters`` holds the fitted segments of the standard's cluster graders (and of the
    standards it refers to), by :func:`cluster_key`.

    Raises
    ------
    StandardError
        With every located problem (unknown columns, wrong types, missing tables).
    """
    ctx = _prepare(standard, tables, as_of, lang, dialect, shared, materialize, clusters)
    problems_before = len(ctx.problems)
    for _ in range(_MAX_PASSES):
        ctx.pending, ctx.aux, ctx.dimensions, ctx.waiting, ctx.checks = {}, {}, {}, False, {}
        del ctx.problems[problems_before:]
        out = visit(standard.grade, ctx, None, ("grade",), top=True)
        if not ctx.pending:
            break
        ctx.table = ctx.table.mutate(**ctx.pending)
    if ctx.pending or ctx.waiting:  # pragma: no cover - nesting deeper than any real standard
        raise StandardError([Problem(standard.source, None, "The standard nests graders too deeply to compile.")])
    if ctx.problems:
        raise StandardError(ctx.problems)
    indicators = tuple(standard.indicators)
    dimensions = tuple(ctx.dimensions)
    graded = ctx.table.mutate(grade=out.label)
    ranks = ibis.cases(
        *[(graded["grade"] == g, i + 1) for i, g in enumerate(standard.grades)], else_=ibis.null("int64")
    )
    final = graded.mutate(
        grade_rank=ranks,
        reason=out.reason if reasons else ibis.null("string"),
        next_grade=out.next_label.cast("string"),
        gap_to_next=out.gap.cast("float64").round(6),  # no binary-float noise (556640.3399999999)
        standard_id=ibis.literal(standard.id),
        standard_version=ibis.literal(standard.version),
        as_of=ibis.literal(as_of),
        **{name: value for name, value in ctx.dimensions.items() if name not in indicators},
        **ctx.aux,
        **{name: value for name, (_, value) in ctx.checks.items()},
    )
    checks = tuple((name, what) for name, (what, _) in ctx.checks.items())
    aux = tuple(c for c in final.columns if _kept_for_explain(c) and c not in ctx.checks)
    expr = final.select(*output_columns(indicators, dimensions), *aux, *(name for name, _ in checks))
    return Compiled(standard, as_of, lang, expr, indicators, dimensions, aux, checks)


def _kept_for_explain(column: str) -> bool:
    """Auxiliary columns ``explain`` reads (formatted text and raw aggregates are left out)."""
    if not column.startswith("_tw_") or column.startswith(("_tw_agg_", "_tw_fmt_", "_tw_ref_")):
        return False
    return not column.endswith(("_text", "_breakdown"))


def _join_references(ctx: Context, tables: Mapping[str, ir.Table], shared: Aggregates) -> dict[str, str]:
    """Evaluate referenced standards and join their grades as ``_tw_ref_<id>`` columns."""
    columns: dict[str, str] = {}
    for ref_id, other in ctx.standard.references.items():
        sub = compile_standard(other, tables, ctx.as_of, ctx.lang, ctx.dialect, shared, clusters=ctx.clusters)
        column = f"_tw_ref_{ref_id}".replace("-", "_")
        graded = sub.expr.select("customer_id", **{column: sub.expr["grade"]})
        joined = ctx.table.left_join(graded, "customer_id")
        ctx.table = joined.select(*[joined[c] for c in ctx.table.columns], joined[column])
        columns[ref_id] = column
    ctx.references = columns
    return columns


def grader_kinds(grader: Grader) -> list[str]:
    """Every grader kind used in ``grader`` (nested ones included)."""
    return [sub.kind for _, sub in grader.walk()]
