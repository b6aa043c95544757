"""Does the grading work? What the customers of each grade did in the months after it was published."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from tierwise._messages import message
from tierwise._sql import ident, qualified
from tierwise.spec import add_duration, parse_duration
from tierwise.workspace import Workspace, data_columns

from ._published import Published

__all__ = ["NotMeasurable", "effect", "effect_breaks"]

# Outcome -> True when more is better: the grades are monotonic when better grades do better
DIRECTIONS = {"churn_rate": False, "revenue_per_customer": True, "margin_rate": True, "late_share": False}


class NotMeasurable(ValueError):
    """No transaction is dated after the publication's day yet, so its effect cannot be measured.

    ``day`` (the publication's), ``last`` (the last transaction's day, None: none at all),
    ``end`` (the end of the full period) and ``months`` say when it becomes measurable.
    """

    def __init__(self, day: dt.date, last: dt.date | None, end: dt.date, months: int) -> None:
        super().__init__(
            f"No transaction is dated after {day}, so what the customers of that publication did next "
            f"cannot be measured yet; choose an earlier publication (--publication or --as-of)."
        )
        self.day, self.last, self.end, self.months = day, last, end, months

    def sentence(self, lang: str = "zh") -> str:
        """When the effect becomes measurable, in ``lang``."""
        key = "reports.effect_pending" if self.last is not None else "reports.effect_no_data"
        last = "" if self.last is None else str(self.last)
        return message(key, lang, day=str(self.day), last=last, end=str(self.end), months=self.months)


def effect(workspace: Workspace, source: Published, *, months: int = 12) -> pd.DataFrame:
    """For each grade published on the report's day, the customers' outcomes over the next ``months``.

    Columns: ``grade``, ``customers``; ``churned`` (no transaction in the period) and
    ``churn_rate``; ``revenue_before`` (the ``months`` up to the day) and ``revenue_after``
    (the period), ``revenue_growth`` (after / before − 1), ``revenue_per_customer`` (after);
    ``margin_after`` and ``margin_rate`` (margin / revenue after) when transactions have a
    margin; ``payments_due``, ``late`` (paid after the due date, or unpaid at the period's
    end) and ``late_share`` when a payments table exists; ``satisfaction`` (the mean of a
    ``satisfaction`` column of the customers table) when there is one. A period that runs
    past the last transaction still counts only what the data holds.
    """
    period = parse_duration(f"{months} months")
    start, end = add_duration(source.day, period, -1), add_duration(source.day, period)
    graded = source.graded()[["customer_id", "grade"]]
    with workspace.reading() as con:
        has = data_columns(con, "transactions")
        if not {"customer_id", "date", "amount"} <= has:
            raise ValueError("The effect evaluation needs a transactions table with customer_id, date and amount.")
        last = con.execute(f"SELECT max(date) FROM {qualified('data', 'transactions')}").fetchall()[0][0]
        if last is None or _day(last) <= source.day:
            raise NotMeasurable(source.day, None if last is None else _day(last), end, months)
        margin = "margin" in has
        sums = ", ".join(
            [
                "sum(CAST(amount AS DECIMAL(38, 6))) FILTER (WHERE date > ? AND date <= ?) AS revenue_before",
                "sum(CAST(amount AS DECIMAL(38, 6))) FILTER (WHERE date > ? AND date <= ?) AS revenue_after",
                "count(*) FILTER (WHERE date > ? AND date <= ?) AS orders_after",
                *(
                    ["sum(CAST(margin AS DECIMAL(38, 6))) FILTER (WHERE date > ? AND date <= ?) AS margin_after"]
                    if margin
                    else []
                ),
            ]
        )
        params: list[Any] = [start, source.day, source.day, end, source.day, end] + (
            [source.day, end] if margin else []
        )
        sales = con.execute(
            f"SELECT CAST(customer_id AS VARCHAR) AS customer_id, {sums} FROM {qualified('data', 'transactions')} "
            "GROUP BY 1",
            params,
        ).df()
        paid = None
        if {"customer_id", "due_date", "paid_date"} <= data_columns(con, "payments"):
            paid = con.execute(
                f"SELECT CAST(customer_id AS VARCHAR) AS customer_id, count(*) AS payments_due, "
                f"count(*) FILTER (WHERE {ident('paid_date')} IS NULL AND ? > {ident('due_date')} "
                f"OR {ident('paid_date')} > {ident('due_date')}) AS late "
                f"FROM {qualified('data', 'payments')} WHERE {ident('due_date')} > ? AND {ident('due_date')} <= ? "
                "GROUP BY 1",
                [end, source.day, end],
            ).df()
    frame = graded.merge(sales, on="customer_id", how="left")
    for column in ("revenue_before", "revenue_after", "margin_after"):
        if column in frame.columns:
            frame[column] = frame[column].astype(float).fillna(0.0)
    frame["orders_after"] = frame["orders_after"].fillna(0)
    if paid is not None:
        frame = frame.merge(paid, on="customer_id", how="left").fillna({"payments_due": 0, "late": 0})
    satisfaction = "satisfaction" in source.frame.columns and pd.api.types.is_numeric_dtype(
        source.frame["satisfaction"]
    )
    if satisfaction:
        frame = frame.merge(source.frame[["customer_id", "satisfaction"]], on="customer_id", how="left")
    rows = []
    for grade in source.standard.grades:
        part = frame[frame["grade"] == grade]
        n = len(part)
        before, after = float(part["revenue_before"].sum()), float(part["revenue_after"].sum())
        row: dict[str, Any] = {
            "grade": grade,
            "customers": n,
            "churned": int((part["orders_after"] == 0).sum()),
            "churn_rate": float((part["orders_after"] == 0).mean()) if n else float("nan"),
            "revenue_before": before,
            "revenue_after": after,
            "revenue_growth": after / before - 1 if before else float("nan"),
            "revenue_per_customer": after / n if n else float("nan"),
        }
        if margin:
            margin_after = float(part["margin_after"].sum())
            row["margin_after"] = margin_after
            row["margin_rate"] = margin_after / after if after else float("nan")
        if paid is not None:
            due, late = int(part["payments_due"].sum()), int(part["late"].sum())
            row.update(payments_due=due, late=late, late_share=late / due if due else float("nan"))
        if satisfaction:
            row["satisfaction"] = float(part["satisfaction"].mean()) if n else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def _day(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value  # type: ignore[no-any-return]


def effect_breaks(outcomes: pd.DataFrame) -> pd.DataFrame:
    """The pairs of grades where the better grade did worse (the grading is not monotonic there).

    Columns: ``outcome`` (churn_rate, revenue_per_customer, margin_rate, late_share),
    ``better`` and ``worse`` (grades, the better first), ``better_value``, ``worse_value``.
    Empty when every outcome improves with the grade. Grades without customers are skipped.
    """
    rows = []
    present = outcomes[outcomes["customers"] > 0].reset_index(drop=True)
    for outcome, more_is_better in DIRECTIONS.items():
        if outcome not in present.columns:
            continue
        values = [float(v) for v in present[outcome]]
        grades = [str(g) for g in present["grade"]]
        for i in range(len(values)):
            for j in range(i + 1, len(values)):
                good, bad = values[i], values[j]
                if good != good or bad != bad:  # NaN: no such outcome for a grade
                    continue
                if (good < bad) if more_is_better else (good > bad):
                    rows.append(
                        {
                            "outcome": outcome,
                            "better": grades[i],
                            "worse": grades[j],
                            "better_value": good,
                            "worse_value": bad,
                        }
                    )
    return pd.DataFrame(rows, columns=["outcome", "better", "worse", "better_value", "worse_value"])
