"""Running a compiled standard and holding its result."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import ibis.common.exceptions as com
import pyarrow as pa
import pyarrow.compute as pc

from tierwise._sql import ident
from tierwise.compile import Compiled, Materialize, compile_standard, render_reason
from tierwise.compile._explain import Explanation, explain_row
from tierwise.spec import LiteralError, Problem, Standard, StandardError, load_standard, parse_date

from ._backends import BackendError, backend_label, first_line, is_backend
from ._clusters import has_clusters, with_clusters
from ._data import DataError, connect, load_data
from ._models import has_models, with_models

__all__ = [
    "Evaluation",
    "compiled_sql",
    "deciding_candidates",
    "deciding_value",
    "evaluate",
    "evaluate_many",
    "explain_decision",
    "in_the_future",
    "render_reason",
]


def in_the_future(day: dt.date, what: str) -> str | None:
    """The sentence refusing an evaluation date after today, or None: grades are true as of a day that has happened.

    One check for evaluations, runs and simulations (``what`` is "An evaluation", "A run" …).
    """
    today = dt.date.today()
    if day <= today:
        return None
    return (
        f"{what} as of {day} is in the future (today is {today}); the data of that day does not exist yet. "
        f"Use a date up to today."
    )


class Evaluation:
    """The grades of every customer in a standard's population on one date.

    Examples
    --------
    >>> import tierwise, pandas as pd
    >>> std = tierwise.loads_standard('''
    ... tierwise: 1
    ... id: vip
    ... name: VIP
    ... version: "1"
    ... grades: [VIP, C]
    ... indicators: {sales: {from: transactions, agg: sum(amount)}}
    ... grade: {ladder: {on: sales, steps: [{grade: VIP, at_least: 100万}, {grade: C}]}}
    ... ''')
    >>> tx = pd.DataFrame({"customer_id": ["1", "2"], "date": pd.to_datetime(["2026-01-05", "2026-02-01"]).date,
    ...                    "amount": [2_000_000, 5_000]})
    >>> result = tierwise.evaluate(std, data={"transactions": tx}, as_of="2026-03-31")
    >>> result.to_pandas()[["customer_id", "grade", "reason"]].to_dict("records")[0]
    {'customer_id': '1', 'grade': 'VIP', 'reason': 'sales = 2,000,000 ≥ 100万 → VIP'}
    """

    def __init__(
        self,
        compiled: Compiled,
        table: pa.Table,
        con: Any = None,
        warnings: Sequence[str] = (),
        models: Mapping[str, Any] | None = None,
    ) -> None:
        self.compiled = compiled
        self.models = dict(
            models or {}
        )  # the fitted parameters of its model indicators, by fit key (stored with a run)
        self._table = table  # the public columns (LANGUAGE.md §7)
        self._con = con  # kept to compute the columns explain needs, once, on the first explain
        self._explained: pa.Table | None = None  # every customer's row with those columns
        self.warnings = list(warnings)  # values a map or a rating scale does not list, with counts and examples

    @property
    def standard(self) -> Standard:
        return self.compiled.standard

    @property
    def as_of(self) -> dt.date:
        return self.compiled.as_of

    @property
    def lang(self) -> str:
        return self.compiled.lang

    def __len__(self) -> int:
        return int(self._table.num_rows)

    def __repr__(self) -> str:
        return f"<Evaluation {self.standard.id} v{self.standard.version} as of {self.as_of}: {len(self)} customers>"

    def to_arrow(self) -> pa.Table:
        """The result rows (LANGUAGE.md §7) as an Arrow table."""
        return self._table

    def to_pandas(self) -> Any:
        """The result rows (LANGUAGE.md §7) as a pandas DataFrame."""
        return self.to_arrow().to_pandas()

    def sql(self) -> str:
        """The SQL that produced the result."""
        return self.compiled.sql()

    def explain(self, customer_id: str | int) -> Explanation:
        """Why ``customer_id`` has its grade: indicators, steps tried, gap to the next grade.

        Raises
        ------
        KeyError
            When the customer is not in the standard's population.
        """
        wanted = str(customer_id)
        table = self.decisions()  # one query for every later explain (a filter would still run it all)
        rows = table.filter(pc.equal(table["customer_id"], wanted)).to_pylist()
        if not rows:
            raise KeyError(
                f"Customer '{wanted}' is not in the population of standard '{self.standard.id}' "
                f"(it has no rows in the data, or the population condition leaves it out)."
            )
        return explain_row(self.standard, rows[0], self.lang, self.compiled.dimensions, self.models)

    def decisions(self) -> pa.Table:
        """Every customer's row with the values ``explain`` reads (the result's columns, then the auxiliary ones).

        :func:`tierwise.compile.explain_row` turns one of its rows back into the explanation,
        with no data: a stored run keeps this table so that what it decided is explained
        as it was decided, whatever is imported later.
        """
        if self._explained is None:
            compiled = self.compiled
            if compiled.aux and self._con is not None:
                self._explained = _execute(self._con, compiled.expr.select(*compiled.columns, *compiled.aux))
            else:
                self._explained = self._table
        return self._explained

    def summary(self, value: str | None = None, *, by: Sequence[str] = ()) -> Any:
        """Customers per grade and each grade's share of ``value`` (default: the deciding amount), as a DataFrame.

        Columns: the ``by`` columns (any columns of the result, such as a matrix
        dimension), ``grade``, ``customers``, ``customer_share``, ``value`` (the name of
        the amount), ``value_sum`` (an exact decimal), ``value_share``. Every grade of the
        standard appears in each group, best first, even with no customers; shares are of
        the group. ``.to_dict("records")`` gives the rows as dicts.
        """
        import pandas as pd

        missing = [b for b in by if b not in self._table.column_names]
        if missing:
            raise ValueError(
                f"The evaluation of '{self.standard.id}' has no column {', '.join(missing)} to group by; "
                f"its columns are {', '.join(self._table.column_names)}."
            )
        value = value if value is not None else deciding_value(self.standard, self._table)
        grades = self._table["grade"].to_pylist()
        amounts = [_exact(a) for a in self._table[value].to_pylist()] if value else [None] * len(grades)
        keys = [tuple(row) for row in zip(*(self._table[b].to_pylist() for b in by), strict=True)] if by else None
        groups = sorted(set(keys), key=lambda k: tuple(str(v) for v in k)) if keys is not None else [()]
        rows = []
        for group in groups:
            members = [i for i in range(len(grades)) if keys is None or keys[i] == group]
            total_count = len(members) or 1
            present = [amounts[i] for i in members]
            total_value = sum((a for a in present if a is not None), Decimal(0))
            for grade in self.standard.grades:
                picked = [amounts[i] for i in members if grades[i] == grade]
                amount = sum((a for a in picked if a is not None), Decimal(0))
                rows.append(
                    {
                        **dict(zip(by, group, strict=True)),
                        "grade": grade,
                        "customers": len(picked),
                        "customer_share": len(picked) / total_count,
                        "value": value,
                        "value_sum": amount,
                        "value_share": float(amount / total_value) if total_value else None,
                    }
                )
        columns = [*by, "grade", "customers", "customer_share", "value", "value_sum", "value_share"]
        return pd.DataFrame(rows, columns=columns)

    def segments(self) -> Any:
        """The segments of the standard's cluster graders, as a DataFrame: one row per segment.

        Columns: ``standard``, ``grader`` (where it sits: ``grade.cluster``), ``grade``, ``name`` (the centre in words, in the
        evaluation's language), ``customers``, ``share``, ``moved`` (how far the centre moved
        from the earlier run's it was matched to, in standard deviations; empty on a first
        fit), then ``mean_<value>`` (the segment's mean) and ``centre_<value>`` for each value.
        """
        import pandas as pd

        from tierwise.models import Segments

        rows = []
        for record in self.models.values():
            if not isinstance(record, Mapping) or record.get("kind") != "cluster":
                continue
            total = sum(record["sizes"]) or 1
            centres = Segments.from_dict(record).centre_values()
            for k, label in enumerate(record["labels"]):
                moved = record.get("moved") or []
                row = {
                    "standard": record.get("standard", self.standard.id),
                    "grader": record.get("at", "grade.cluster"),
                    "grade": label,
                    "name": record.get("names", {}).get(self.lang, [""] * len(record["labels"]))[k],
                    "customers": record["sizes"][k],
                    "share": record["sizes"][k] / total,
                    "moved": moved[k] if k < len(moved) else None,
                }
                for j, name in enumerate(record["on"]):
                    row[f"mean_{name}"] = record["means"][k][j]
                    row[f"centre_{name}"] = float(centres[k][j])
                rows.append(row)
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        """The summary as an HTML table, for notebooks."""
        import html

        title = html.escape(f"{self.standard.name} ({self.standard.id} {self.standard.version}) · {self.as_of}")
        table = self.summary().to_html(index=False, escape=True, float_format=lambda x: f"{x:.4g}")
        return f"<h4>{title}: {len(self):,} customers</h4>{table}"

    def write(self, path: str | Path) -> Path:
        """Write the result to .csv, .parquet or .xlsx, ordered by ``customer_id``.

        The order makes the file the same on every run and every backend (DuckDB,
        PostgreSQL and Spark return rows in the order their threads finish).
        """
        from tierwise.io import write_table

        return write_table(self.to_arrow().sort_by("customer_id"), path, sheet=self.standard.id)


def explain_decision(
    standard: Standard,
    row: Mapping[str, Any],
    lang: str,
    dimensions: Sequence[str] = (),
    models: Mapping[str, Any] | None = None,
) -> Explanation:
    """The explanation of one decision (a row of :meth:`Evaluation.decisions`), in ``lang``; no data is read.

    ``models`` are the fitted records the decision was made with (a run's ``models``).
    """
    return explain_row(standard, row, lang, dimensions, models)


def _evaluation(
    con: Any, compiled: Compiled, models: Mapping[str, Any] | None = None, *, explainable: bool = False
) -> Evaluation:
    """Run a compiled standard; values its maps and rating scales do not list become warnings.

    ``explainable``: the same one query also returns the columns ``explain`` reads, kept with the result.
    """
    checks = [name for name, _ in compiled.checks]
    aux = list(compiled.aux) if explainable else []
    try:
        table = _execute(con, compiled.expr.select(*compiled.columns, *aux, *checks))
    except BackendError as exc:
        raise BackendError(
            f"The standard '{compiled.standard.id}' cannot run on {_where(con, compiled)}: {exc}"
        ) from exc
    warnings = []
    for name, what in compiled.checks:
        counts = pc.value_counts(table[name].drop_null()).to_pylist() if table[name].null_count < len(table) else []
        if counts:
            counts.sort(key=lambda c: (-c["counts"], str(c["values"])))
            customers = sum(c["counts"] for c in counts)
            shown = ", ".join(f"{c['values']} ({c['counts']:,})" for c in counts[:5])
            more = f" and {len(counts) - 5} more" if len(counts) > 5 else ""
            warnings.append(
                f"{what[0].upper()}{what[1:]} met {len(counts):,} value(s) it does not list, for {customers:,} "
                f"customer(s): {shown}{more}. They took the fallback grade or points; list them in the standard."
            )
    if checks:
        table = table.drop_columns(checks)
    evaluation = Evaluation(compiled, table.select(compiled.columns) if aux else table, con, warnings, models)
    if explainable:
        evaluation._explained = table
    return evaluation


def _where(con: Any, compiled: Compiled) -> str:
    """The backend and the part of the standard it cannot compile: the first such indicator, else the grader."""
    standard = compiled.standard
    for name in compiled.indicators:
        try:
            con.compile(compiled.expr.select(name))
        except Exception:  # noqa: BLE001 - any failure to compile this column locates the gap
            return f"{backend_label(con)} (its indicator '{name}' at {standard.source}:{standard.line_of('indicators', name)})"
    return f"{backend_label(con)} (its {standard.grade.kind} grader at {standard.source}:{standard.line_of('grade')})"


def _exact(value: Any) -> Decimal | None:
    """A number as an exact decimal (a float by its shortest form: 0.1 is 0.1); None for anything else."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
    return None


def _execute(con: Any, expr: Any) -> pa.Table:
    """Run an expression to Arrow: straight through DuckDB when the backend is DuckDB."""
    raw = getattr(con, "con", None)
    if raw is not None and getattr(con, "name", "") == "duckdb":
        import duckdb

        try:
            return raw.sql(str(con.compile(expr))).to_arrow_table()
        except duckdb.Error as exc:
            text = str(exc)
            if not any(word in text.lower() for word in ("parquet", "snappy", "thrift", "zstd", "gzip")):
                raise
            named = re.search(r"['\"]([^'\"]+\.parquet)['\"]", text)
            which = f"The Parquet file {named.group(1)}" if named else "A Parquet file of the data"
            raise DataError(f"{which} is damaged and cannot be read to the end; export it again.") from exc
    try:
        return con.to_pyarrow(expr)
    except com.IbisError as exc:
        raise BackendError(f"{backend_label(con)} cannot run this expression through Ibis: {exc}") from exc
    except Exception as exc:  # the server's or the JVM's many errors become one sentence
        raise BackendError(f"{backend_label(con)} refused the query: {first_line(exc)}") from exc


def _ranked_values(body: Any) -> list[str]:
    """A cluster grader's values that rank its segments upwards (``rank_by``), in the order written."""
    if isinstance(body.rank_by, str):
        return [body.rank_by]
    if body.rank_by:
        return [name for name, weight in body.rank_by.items() if weight > 0]
    return list(body.on)[:1]


def deciding_candidates(standard: Standard) -> list[str]:
    """What a grading is about, most telling first: the value the top grader decides on, then every indicator."""
    grader = standard.grade
    body = grader.body
    candidates: list[str] = []
    if grader.kind in ("ladder", "pareto", "percentile"):
        candidates.append(body.on)
    elif grader.kind == "rfm":
        candidates.append(body.monetary)
    elif grader.kind == "cluster":
        candidates += _ranked_values(body)
    return [*candidates, *standard.indicators]


def deciding_value(standard: Standard, table: pa.Table) -> str | None:
    """The amount a summary shares out: the first of :func:`deciding_candidates` that is a numeric column."""
    for name in deciding_candidates(standard):
        if name in table.column_names:
            kind = table.schema.field(name).type
            if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
                return str(name)
    return None


def _evaluation_day(as_of: dt.date | str) -> dt.date:
    try:
        day = parse_date(as_of)
    except LiteralError as exc:
        raise ValueError(f"The evaluation date is not valid: {exc}.") from exc
    if (refused := in_the_future(day, "An evaluation")) is not None:
        raise ValueError(refused)
    return day


def evaluate(
    standard: Standard | str | Path,
    data: str | Path | Mapping[str, Any] | Any,
    as_of: dt.date | str,
    *,
    lang: str = "zh",
    con: Any | None = None,
    reasons: bool = True,
    materialize: Materialize | None = None,
    models: Mapping[str, Any] | None = None,
    previous: Mapping[str, Any] | None = None,
    profile: Any | None = None,
    explainable: bool = False,
) -> Evaluation:
    """Grade every customer of ``data`` by ``standard`` as of a date.

    Parameters
    ----------
    standard
        A loaded :class:`Standard` or the path of a standard file.
    data
        A folder with one file per table (``customers.csv``, ``transactions.parquet``,
        ``assessments.xlsx`` …); a mapping of table name to a pandas/Polars DataFrame, an
        Arrow table or an Ibis table; or an Ibis connection (PostgreSQL, Spark, DuckDB, see
        :func:`connect_backend`), whose tables are read in place: only the result rows come
        back.
    as_of
        The evaluation date; rows dated after it are never counted.
    lang
        ``"zh"`` (default) or ``"en"``: the language of the reasons.
    con
        The Ibis backend to run on (default: a new in-memory DuckDB, or ``data`` when it is
        a connection). On Spark, a folder's Parquet files are read by Spark itself.
    reasons
        ``False`` leaves the ``reason`` column empty, for when only the grades are needed
        (the reason sentences are the costliest part of a large evaluation).
    materialize
        A cache for every customer's indicators (see
        :func:`tierwise.compile.compile_standard`); a workspace passes its own.
    models
        The fitted parameters of the standard's model indicators and the segments of its
        cluster graders, as a previous evaluation's ``.models`` holds them: given, they are
        not fitted again, so a stored run is reproduced exactly.
    previous
        An earlier evaluation's ``.models``: the segments of a cluster grader, found in
        the data again, are matched to its segments, so each grade keeps meaning the
        same kind of customer (a workspace passes its previous run's).
    profile
        The customer profile (a :class:`~tierwise.spec.Profile` or a ``profile.yaml``
        path; a workspace passes its own): a standard with ``complete_profiles: true``
        grades only the customers whose profile is complete.
    explainable
        Also keep, from the same query, every value ``explain`` reads (the deciding rule,
        cell, points, ranks): :meth:`Evaluation.decisions` returns them for every customer,
        as a workspace run stores them.

    Returns
    -------
    Evaluation
        With ``.to_pandas()``, ``.to_arrow()``, ``.explain(customer_id)`` and ``.summary()``.
    """
    if not isinstance(standard, Standard):
        standard = load_standard(standard)
    day = _evaluation_day(as_of)
    con = cast(Any, data) if is_backend(data) else con if con is not None else connect()
    tables = load_data(con, data)
    if standard.complete_profiles:
        tables, held = _with_complete_profiles(standard, tables, profile, day)
        if materialize is not None:  # the population depends on the profile too: so does the cache key
            cache = materialize

            def materialize(key: str, table: Any) -> Any:
                return cache(f"{key}\nprofile {held}", table)

    tables, fits = with_models(con, standard, tables, day, models)
    plans, segments = with_clusters(
        con, standard, tables, day, pinned=models, previous=previous, materialize=materialize
    )
    compiled = compile_standard(
        standard, tables, day, lang, dialect=con.name, reasons=reasons, materialize=materialize, clusters=plans
    )
    return _evaluation(con, compiled, {**fits, **segments}, explainable=explainable)


def _with_complete_profiles(
    standard: Standard, tables: dict[str, Any], profile: Any, day: dt.date
) -> tuple[dict[str, Any], str]:
    """The tables with only the customers whose profile is complete, and the profile as canonical text.

    A located error without a profile."""
    from ._quality import complete_profiles, profile_of

    where = (standard.source, standard.line_of("complete_profiles"))
    if profile is None:
        raise StandardError(
            [
                Problem(
                    *where,
                    f"The standard '{standard.id}' grades only customers with a complete profile "
                    "(complete_profiles: true), so it needs the profile: put profile.yaml in the workspace, "
                    "or pass --profile FILE (evaluate(profile=...)).",
                )
            ]
        )
    if "customers" not in tables:
        raise StandardError(
            [
                Problem(
                    *where,
                    f"The standard '{standard.id}' grades complete profiles, which live in the table "
                    "'customers'; the data has none.",
                )
            ]
        )
    loaded = profile_of(profile)
    return {**tables, "customers": complete_profiles(tables, loaded, day)}, loaded.model_dump_json()


def compiled_sql(
    standard: Standard | str | Path,
    data: str | Path | Mapping[str, Any] | Any | None = None,
    as_of: dt.date | str | None = None,
    *,
    lang: str = "zh",
) -> str:
    """The SQL a standard runs, for a DBA to read: DuckDB's, or that of the backend ``data`` is.

    Without ``data`` the tables are assumed from how the standard uses their columns;
    with ``data`` its real schema is used (with a connection, such as PostgreSQL's from
    :func:`connect_backend`, the SQL is that backend's dialect). ``as_of`` defaults to today (it appears as
    literal dates in the window filters).

    Examples
    --------
    >>> import tierwise
    >>> std = tierwise.loads_standard('''
    ... tierwise: 1
    ... id: vip
    ... name: VIP
    ... version: "1"
    ... grades: [VIP, C]
    ... indicators: {sales: {from: transactions, agg: sum(amount), window: 12 months}}
    ... grade: {ladder: {on: sales, steps: [{grade: VIP, at_least: 100万}, {grade: C}]}}
    ... ''')
    >>> sql = tierwise.compiled_sql(std, as_of="2026-03-31")
    >>> '"date" > MAKE_DATE(2025, 3, 31)' in sql
    True
    """
    from tierwise.compile import assumed_tables

    if not isinstance(standard, Standard):
        standard = load_standard(standard)
    day = parse_date(as_of) if as_of is not None else dt.date.today()
    if is_backend(data):  # that backend's own SQL, on its real tables
        backend = cast(Any, data)
        tables, _ = with_models(backend, standard, load_data(backend, backend), day)
        plans, _ = with_clusters(backend, standard, tables, day)
        compiled = compile_standard(standard, tables, day, lang, dialect=backend.name, clusters=plans)
        return str(backend.compile(compiled.expr.select(*compiled.columns)))
    if data is None:
        return compile_standard(standard, assumed_tables(standard), day, lang).sql()
    con = connect()
    tables, _ = with_models(con, standard, load_data(con, data), day)
    plans, _ = with_clusters(con, standard, tables, day)
    return compile_standard(standard, tables, day, lang, clusters=plans).sql()


def evaluate_many(
    standards: Sequence[Standard | str | Path],
    data: str | Path | Mapping[str, Any] | Any,
    as_of: dt.date | str,
    *,
    lang: str = "zh",
    con: Any | None = None,
    reasons: bool = True,
    profile: Any | None = None,
) -> list[Evaluation]:
    """Grade by several standards at once, reading each table only once.

    The aggregates every standard needs from a table (sums, counts, … in their windows)
    are computed together in one pass over it and kept in a temporary table; each
    standard then grades from there. The results are the same as :func:`evaluate`'s.

    Examples
    --------
    >>> import tierwise
    >>> rfm, abc = (tierwise.load_builtin(i) for i in ("rfm-8", "abc-pareto"))
    >>> results = tierwise.evaluate_many([rfm, abc], tierwise.demo.CDNOW, "1998-06-30")
    >>> [len(r) for r in results]
    [2357, 2357]
    """
    from tierwise.compile._indicators import Aggregates

    loaded = [s if isinstance(s, Standard) else load_standard(s) for s in standards]
    day = _evaluation_day(as_of)
    con = cast(Any, data) if is_backend(data) else con if con is not None else connect()
    tables = load_data(con, data)
    if con.name != "duckdb" or any(has_models(s) or has_clusters(s) or s.complete_profiles for s in loaded):
        # the shared pass keeps temporary tables: each standard reads the backend alone (and fits its own models)
        return [evaluate(s, tables, day, lang=lang, con=con, reasons=reasons, profile=profile) for s in loaded]
    shared = Aggregates()
    problems: list[Problem] = []
    for standard in loaded:  # first pass: every standard registers the aggregates it needs
        try:
            compile_standard(standard, tables, day, lang, shared=shared)
        except StandardError as exc:
            problems.extend(exc.problems)
    if problems:
        raise StandardError(problems)
    temporary = []  # kept with the connection: explain() re-reads them for one customer
    try:
        for name in list(shared.columns):
            temp = f"_tw_aggregate_{name}_{uuid.uuid4().hex[:8]}"
            con.raw_sql(f"CREATE TEMP TABLE {ident(temp)} AS {con.compile(shared.table(name))}")
            temporary.append(temp)
            shared.use(name, con.table(temp))
        results = []
        for standard in loaded:
            compiled = compile_standard(standard, tables, day, lang, shared=shared, reasons=reasons)
            results.append(_evaluation(con, compiled))
        return results
    except BaseException:
        for temp in temporary:
            con.raw_sql(f"DROP TABLE IF EXISTS {ident(temp)}")
        raise
