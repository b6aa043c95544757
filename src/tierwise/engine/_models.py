"""Customer-base models on real data: the RFM summary in the engine, the fit on the summary.

The summary (one row per customer: repeat purchase days, recency, T, mean repeat spend)
is computed by the backend in SQL, so millions of transactions never leave it; only the
summary's rows reach SciPy. Purchases on the same day are one purchase (lifetimes,
pymc-marketing and BTYD do the same); times are in weeks.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

from tierwise.compile._indicators import EXACT, MODELS_TABLE, window_bounds
from tierwise.models import LABELS, Fit, ModelError, Summary, fit_bgnbd, fit_gammagamma, fit_pnbd, predict
from tierwise.spec import Problem, Standard, StandardError, add_duration, did_you_mean, parse_duration
from tierwise.spec._literals import Duration
from tierwise.spec._model import Indicator

__all__ = [
    "CustomerModel",
    "fit_key",
    "fit_model",
    "has_models",
    "holdout_purchases",
    "rfm_summary",
    "steps",
    "with_models",
]

_FITTERS = {"bgnbd": fit_bgnbd, "pnbd": fit_pnbd, "gammagamma": fit_gammagamma}
WEEK = 7.0
HOLDOUT_BINS = 7  # the calibration/holdout table groups customers with 7 or more repeat purchases


def _day(table: ir.Table, date: str) -> ir.Value:
    column = table[date]
    return column if column.type().is_date() else column.cast("date")


def _rows(table: ir.Table, date: str, start: dt.date | None, end: dt.date) -> ir.Table:
    day = _day(table, date)
    keep = day <= end if start is None else (day > start) & (day <= end)
    return table.filter(keep)


def rfm_summary(
    table: ir.Table, end: dt.date, start: dt.date | None = None, *, date: str = "date", amount: str | None = "amount"
) -> ir.Table:
    """The RFM summary of the purchases dated after ``start`` (exclusive) up to ``end``, as an Ibis table.

    Columns: ``customer_id``, ``frequency`` (repeat purchase days), ``recency`` and ``T``
    (weeks from the first purchase to the last one and to ``end``), ``monetary`` (the mean
    spend of the repeat purchase days; 0 without one, and never below 0).
    """
    rows = _rows(table, date, start, end)
    spend = rows[amount].cast(EXACT).fill_null(0) if amount is not None else ibis.literal(0).cast(EXACT)
    rows = rows.mutate(_tw_spend=spend)
    daily = rows.group_by(customer_id=rows["customer_id"].cast("string"), day=_day(rows, date)).aggregate(
        spend=rows["_tw_spend"].sum()
    )
    per = daily.group_by("customer_id").aggregate(
        first=daily["day"].min(),
        last=daily["day"].max(),
        days=daily.count(),
        total=daily["spend"].sum(),
        first_spend=daily["spend"].argmin(daily["day"]),
    )
    repeat = (per["total"] - per["first_spend"]).cast("float64") / (per["days"] - 1).cast("float64")
    return per.select(
        "customer_id",
        frequency=(per["days"] - 1).cast("float64"),
        recency=per["last"].delta(per["first"], unit="day").cast("float64") / WEEK,
        T=ibis.literal(end).delta(per["first"], unit="day").cast("float64") / WEEK,
        monetary=ibis.cases((per["days"] > 1, ibis.greatest(repeat, 0.0)), else_=0.0),
        first=per["first"],
    )


def holdout_purchases(table: ir.Table, after: dt.date, until: dt.date, *, date: str = "date") -> ir.Table:
    """Each customer's purchase days after ``after`` up to ``until``: ``customer_id``, ``holdout``."""
    rows = _rows(table, date, after, until)
    days = rows.select(customer_id=rows["customer_id"].cast("string"), day=_day(rows, date)).distinct()
    return days.group_by("customer_id").aggregate(holdout=days.count())


def _run(con: Any, expr: ir.Table) -> pa.Table:
    from ._evaluation import _execute

    return _execute(con, expr)


def steps(end: dt.date, horizon: Duration) -> list[float]:
    """The ends of the monthly periods of ``horizon`` after ``end``, in weeks (the last may be shorter)."""
    last = add_duration(end, horizon)
    out, month = [], 1
    while True:
        boundary = add_duration(end, Duration(month, "months"))
        if boundary >= last:
            break
        out.append((boundary - end).days / WEEK)
        month += 1
    out.append((last - end).days / WEEK)
    return out


@dataclass(frozen=True, eq=False)
class CustomerModel:
    """A fitted customer-base model, the summary it was fitted on and the data it came from.

    ``purchases`` is the BG/NBD or Pareto/NBD fit, ``spend`` the Gamma-Gamma fit (either
    may be None, by the model). :meth:`predict` gives each customer's prediction;
    :meth:`calibration_holdout` and :meth:`tracking` check the model against what happened next.
    """

    model: str
    start: dt.date | None
    end: dt.date
    summary: Summary
    purchases: Fit | None
    spend: Fit | None
    _table: ir.Table | None = field(default=None, repr=False)
    _con: Any = field(default=None, repr=False)
    _date: str = "date"
    firsts: np.ndarray | None = field(default=None, repr=False)

    @property
    def fits(self) -> list[Fit]:
        return [f for f in (self.purchases, self.spend) if f is not None]

    def to_dict(self) -> dict[str, Any]:
        """The fitted parameters as a JSON-ready record (what a run stores)."""
        return {
            "model": self.model,
            "calibration": {"from": self.start.isoformat() if self.start else None, "to": self.end.isoformat()},
            "customers": self.summary.customers,
            "repeat_buyers": self.summary.repeat_buyers,
            **({"purchases": self.purchases.to_dict()} if self.purchases else {}),
            **({"spend": self.spend.to_dict()} if self.spend else {}),
        }

    def predict(
        self, output: str = "clv", horizon: str | Duration | None = None, discount: float = 0.0
    ) -> pd.DataFrame:
        """Every summarised customer's ``output`` (p_alive, purchases, spend or clv) as ``customer_id``, ``value``."""
        span = parse_duration(horizon) if isinstance(horizon, str) else horizon
        values = predict(
            output, self.summary, self.purchases, self.spend, steps(self.end, span) if span else (), discount
        )
        return pd.DataFrame({"customer_id": list(self.summary.ids or ()), "value": values})

    def _holdout(self, until: dt.date) -> np.ndarray:
        if self._table is None:
            raise ModelError("This model was not fitted on data that can be read again; fit it with fit_model().")
        counts = _run(self._con, holdout_purchases(self._table, self.end, until, date=self._date)).to_pandas()
        by_id = dict(zip(counts["customer_id"], counts["holdout"], strict=True))
        return np.array([by_id.get(i, 0) for i in self.summary.ids or ()], dtype=np.float64)

    def calibration_holdout(self, until: dt.date | str) -> pd.DataFrame:
        """Customers by repeat purchases in calibration (0 … 7+): how many, and their mean holdout purchases, actual and predicted."""
        if self.purchases is None:
            raise ModelError("The calibration/holdout table needs a purchase model (bgnbd or pnbd).")
        day = until if isinstance(until, dt.date) else dt.date.fromisoformat(str(until))
        actual = self._holdout(day)
        expected = predict("purchases", self.summary, self.purchases, steps=[(day - self.end).days / WEEK])
        group = np.minimum(self.summary.frequency, HOLDOUT_BINS).astype(int)
        frame = pd.DataFrame({"x": group, "actual": actual, "expected": expected})
        table = frame.groupby("x").agg(
            customers=("actual", "size"), actual=("actual", "mean"), expected=("expected", "mean")
        )
        table.index = [f"{i}+" if i == HOLDOUT_BINS else str(i) for i in table.index]
        table.index.name = "frequency"
        return table.reset_index()

    def tracking(self, until: dt.date | str) -> pd.DataFrame:
        """Cumulative repeat purchases week by week from the first purchase to ``until``: actual and predicted."""
        if self.purchases is None or self._table is None or self.firsts is None:
            raise ModelError("The tracking plot needs a purchase model fitted with fit_model().")
        from tierwise.models import purchase_model

        day = until if isinstance(until, dt.date) else dt.date.fromisoformat(str(until))
        rows = _rows(self._table, self._date, self.start, day)
        days = rows.select(customer_id=rows["customer_id"].cast("string"), day=_day(rows, self._date)).distinct()
        firsts = days.group_by("customer_id").aggregate(first=days["day"].min())
        joined = days.join(firsts, "customer_id")
        later = joined.filter(joined["day"] > joined["first"])
        repeats = later.group_by("day").aggregate(n=later.count())
        counts = _run(self._con, repeats).to_pandas()
        origin = min(self.firsts)
        weeks = int(np.ceil((day - origin).days / WEEK))
        ends = [origin + dt.timedelta(days=7 * (w + 1)) for w in range(weeks)]
        by_day = counts.groupby("day")["n"].sum()
        actual = np.array([by_day[by_day.index < e].sum() for e in ends], dtype=np.float64)
        cohort = pd.Series(self.firsts).value_counts()
        module = purchase_model(self.purchases.model)
        expected = []
        for e in ends:
            ages = np.array([(e - d).days / WEEK for d in cohort.index])
            alive = ages > 0
            curve = module.unconditional_purchases(self.purchases.params, ages[alive])
            expected.append(float(np.dot(cohort.to_numpy()[alive], curve)))
        return pd.DataFrame({"week": np.arange(1, weeks + 1), "ends": ends, "actual": actual, "expected": expected})


def _summary_of(
    con: Any, table: ir.Table, start: dt.date | None, end: dt.date, date: str, amount: str | None
) -> tuple[Summary, np.ndarray]:
    frame = _run(con, rfm_summary(table, end, start, date=date, amount=amount).order_by("customer_id")).to_pandas()
    summary = Summary.of(frame["frequency"], frame["recency"], frame["T"], frame["monetary"], ids=frame["customer_id"])
    return summary, frame["first"].to_numpy()


def _fit(model: str, summary: Summary, pinned: Mapping[str, Any] | None = None) -> tuple[Fit | None, Fit | None]:
    purchase, _, spend = model.partition("+")
    kinds = [purchase] + ([spend] if spend else [])
    if pinned is not None:
        stored = {"purchases": pinned.get("purchases"), "spend": pinned.get("spend")}
        fits = {k: Fit.from_dict(v) for k, v in stored.items() if v}
        return fits.get("purchases"), fits.get("spend")
    if summary.customers == 0:
        raise ModelError("There are no purchases in the calibration period to fit on.")
    fitted = {k: _FITTERS[k](summary) for k in kinds}
    if purchase == "gammagamma":
        return None, fitted["gammagamma"]
    return fitted[purchase], fitted.get("gammagamma")


def fit_model(
    data: Any,
    model: str = "bgnbd+gammagamma",
    as_of: dt.date | str | None = None,
    *,
    start: dt.date | str | None = None,
    table: str = "transactions",
    amount: str | None = "amount",
    date: str = "date",
    con: Any | None = None,
) -> CustomerModel:
    """Fit a customer-base model on the purchases of ``data`` up to ``as_of`` (the end of calibration).

    Parameters
    ----------
    data
        What :func:`tierwise.evaluate` reads: a folder, a mapping of frames, a connection.
    model
        ``bgnbd``, ``pnbd``, ``gammagamma``, ``bgnbd+gammagamma`` or ``pnbd+gammagamma``.
    as_of
        The last day of the calibration period; purchases after it are the holdout.
    start
        Purchases on or before this day are left out (default: every purchase).

    Examples
    --------
    >>> import tierwise
    >>> m = tierwise.fit_model(tierwise.demo.CDNOW, "bgnbd", as_of="1997-09-30")
    >>> {k: round(v, 3) for k, v in m.purchases.params.items()}
    {'r': 0.243, 'alpha': 4.414, 'a': 0.793, 'b': 2.426}
    """
    from tierwise.spec import parse_date

    from ._data import connect, load_data

    if model not in ("bgnbd", "pnbd", "gammagamma", "bgnbd+gammagamma", "pnbd+gammagamma"):
        raise ModelError(
            f"There is no model '{model}'; use bgnbd, pnbd, gammagamma, bgnbd+gammagamma or pnbd+gammagamma."
            f"{did_you_mean(model, ['bgnbd', 'pnbd', 'gammagamma', 'bgnbd+gammagamma', 'pnbd+gammagamma'])}"
        )
    from ._backends import is_backend

    con = data if is_backend(data) else con if con is not None else connect()
    tables = load_data(con, data)
    if table not in tables:
        raise ModelError(f"The data has no table '{table}' to fit on.{did_you_mean(table, tables)}")
    source = tables[table]
    for column in (date, amount):
        if column is not None and column not in source.columns:
            raise ModelError(
                f"The table '{table}' has no column '{column}' to fit on.{did_you_mean(column, source.columns)}"
            )
    end = parse_date(as_of) if as_of is not None else dt.date.today()
    begin = parse_date(start) if start is not None else None
    summary, firsts = _summary_of(con, source, begin, end, date, amount if "gammagamma" in model else None)
    purchases, spend = _fit(model, summary)
    return CustomerModel(model, begin, end, summary, purchases, spend, source, con, date, firsts)


def owners(standard: Standard, seen: set[str] | None = None) -> Iterator[Standard]:
    """``standard`` and every standard it refers to (directly or not), each once."""
    seen = seen if seen is not None else set()
    if standard.id in seen:
        return
    seen.add(standard.id)
    yield standard
    for other in standard.references.values():
        yield from owners(other, seen)


def _model_indicators(standard: Standard) -> Iterator[tuple[Standard, str, Indicator]]:
    """Every model indicator of ``standard`` and of the standards it references."""
    for owner in owners(standard):
        for name, ind in owner.indicators.items():
            if ind.model is not None:
                yield owner, name, ind


def has_models(standard: Standard) -> bool:
    """Whether ``standard`` (or one it references) has an indicator predicted by a model."""
    return next(_model_indicators(standard), None) is not None


def fit_key(ind: Indicator) -> str:
    """What makes two model indicators share a fit: the model, its data and its calibration period."""
    return f"{ind.model}|{ind.model_table}|{ind.amount or 'amount'}|{ind.date or 'date'}|{ind.calibration}"


def with_models(
    con: Any,
    standard: Standard,
    tables: Mapping[str, ir.Table],
    as_of: dt.date,
    pinned: Mapping[str, Any] | None = None,
) -> tuple[dict[str, ir.Table], dict[str, Any]]:
    """``tables`` plus the predictions of every model indicator (one ``_tw_models`` table), and the fits.

    ``pinned`` (the fits a run stored, by :func:`fit_key`) replaces fitting, so a stored
    run is reproduced with its own parameters. Every problem is a located :class:`StandardError`.
    """
    found = list(_model_indicators(standard))
    if not found:
        return dict(tables), {}
    problems: list[Problem] = []
    models: dict[str, CustomerModel] = {}
    columns: dict[str, pd.Series] = {}
    for owner, name, ind in found:
        where = (owner.source, owner.line_of("indicators", name))
        key = fit_key(ind)
        source = tables.get(ind.model_table)
        if source is None:
            problems.append(
                Problem(
                    *where,
                    f"Indicator '{name}' fits its model on the table '{ind.model_table}', which the data "
                    f"does not have.{did_you_mean(ind.model_table, tables)}",
                )
            )
            continue
        date, amount = ind.date or "date", ind.amount or "amount"
        needed = [date] + ([amount] if "gammagamma" in (ind.model or "") else [])
        missing = [c for c in needed if c not in source.columns]
        if missing:
            problems.append(
                Problem(
                    *where,
                    f"Indicator '{name}' fits its model on the column '{missing[0]}' of "
                    f"'{ind.model_table}', which it does not have.{did_you_mean(missing[0], source.columns)}",
                )
            )
            continue
        start, end = window_bounds(ind.calibration, as_of)
        try:
            if key not in models:
                summary, firsts = _summary_of(con, source, start, end, date, amount if amount in needed else None)
                purchases, spend = _fit(ind.model or "", summary, (pinned or {}).get(key))
                models[key] = CustomerModel(
                    ind.model or "", start, end, summary, purchases, spend, source, con, date, firsts
                )
            fitted = models[key]
            span = steps(end, ind.horizon) if ind.horizon is not None else ()
            values = predict(
                ind.prediction or "", fitted.summary, fitted.purchases, fitted.spend, span, ind.discount or 0.0
            )
        except ModelError as exc:
            problems.append(Problem(*where, f"Indicator '{name}' ({LABELS.get(ind.model or '', ind.model)}): {exc}"))
            continue
        # to the millionth, as sums are: every backend then computes the same gaps and rounds them alike
        rounded = np.round(values, 6)
        columns[ind.model_column] = pd.Series(rounded, index=list(fitted.summary.ids or ()), dtype="float64")
    if problems:
        raise StandardError(problems)
    frame = pd.DataFrame(columns)
    frame.index.name = "customer_id"
    arrow = pa.Table.from_pandas(frame.reset_index(), preserve_index=False)
    arrow = arrow.set_column(0, "customer_id", arrow["customer_id"].cast(pa.string()))
    from ._data import _load_elsewhere

    out = dict(tables)  # a temporary table of the connection (explain() reads it again for one customer)
    out[MODELS_TABLE] = _load_elsewhere(con, f"{MODELS_TABLE}_{uuid.uuid4().hex[:8]}", arrow)
    return out, {key: m.to_dict() for key, m in models.items()}
