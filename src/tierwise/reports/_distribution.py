"""How customers and value are spread over the grades: distribution, Lorenz curve, Gini coefficient."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._published import Published

__all__ = ["distribution", "gini", "lorenz"]


def _value(source: Published, value: str | None) -> str:
    name = value or source.value
    if name is None or name not in source.frame.columns:
        known = [c for c in source.standard.indicators if c in source.frame.columns]
        raise ValueError(
            f"The standard '{source.standard.id}' has no numeric value '{name}' to share out; "
            f"name one of its indicators with value= (--value): {', '.join(known) or 'none'}."
        )
    if not pd.api.types.is_numeric_dtype(source.frame[name]):
        raise ValueError(f"The value '{name}' of '{source.standard.id}' is not a number; choose a numeric indicator.")
    return name


def _by(source: Published, by: Sequence[str]) -> list[str]:
    missing = [b for b in by if b not in source.frame.columns]
    if missing:
        raise ValueError(
            f"Cannot break the report down by {', '.join(missing)}: the customers have no such column "
            f"(they have {', '.join(c for c in source.frame.columns if not c.startswith('_'))})."
        )
    return list(by)


def distribution(source: Published, *, by: Sequence[str] = (), value: str | None = None) -> pd.DataFrame:
    """Customers and value per grade (best first), within each group of ``by``.

    Columns: the ``by`` columns, ``grade``, ``customers``, ``customer_share`` (of the
    group's graded customers), ``value`` (the sum of the deciding indicator, or of
    ``value``), ``value_share`` (of the group's value), ``cum_customer_share`` and
    ``cum_value_share`` (this grade and the better ones), ``min_value`` and ``max_value``
    (where the cuts between grades fall). Every grade of the standard has a row, zero when
    no customer holds it. Cancelled customers hold no grade and are not counted.
    """
    name = _value(source, value)
    keys = _by(source, by)
    graded = source.graded()
    grades = list(source.standard.grades)
    parts = [((), graded)] if not keys else list(graded.groupby(keys, dropna=False, sort=True))
    rows = []
    for group, part in parts:
        group = group if isinstance(group, tuple) else (group,)
        total_customers, total_value = len(part), float(part[name].fillna(0).sum())
        done_customers, done_value = 0, 0.0
        for grade in grades:
            members = part[part["grade"] == grade]
            amount = float(members[name].fillna(0).sum())
            done_customers += len(members)
            done_value += amount
            rows.append(
                {
                    **dict(zip(keys, group, strict=True)),
                    "grade": grade,
                    "customers": len(members),
                    "customer_share": len(members) / total_customers if total_customers else 0.0,
                    "value": amount,
                    "value_share": amount / total_value if total_value else 0.0,
                    "cum_customer_share": done_customers / total_customers if total_customers else 0.0,
                    "cum_value_share": done_value / total_value if total_value else 0.0,
                    "min_value": float(members[name].min()) if len(members) else np.nan,
                    "max_value": float(members[name].max()) if len(members) else np.nan,
                }
            )
    return pd.DataFrame(rows)


def lorenz(source: Published, *, value: str | None = None) -> pd.DataFrame:
    """The Pareto curve: customers from the largest value down, with cumulative shares.

    Columns: ``rank`` (1 = largest), ``customer_id``, ``grade``, ``value``,
    ``customer_share`` and ``value_share`` (cumulative, of all graded customers); values
    below zero count as zero, as a pareto grader counts them. Ties are ordered by customer id.
    """
    name = _value(source, value)
    graded = source.graded()
    frame = pd.DataFrame(
        {
            "customer_id": graded["customer_id"].to_numpy(),
            "grade": graded["grade"].to_numpy(),
            "value": graded[name].fillna(0).clip(lower=0).to_numpy(dtype=float),
        }
    ).sort_values(["value", "customer_id"], ascending=[False, True], kind="stable")
    total = frame["value"].sum()
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    frame["customer_share"] = frame["rank"] / len(frame) if len(frame) else 0.0
    frame["value_share"] = frame["value"].cumsum() / total if total else 0.0
    return frame.reset_index(drop=True)


def gini(source: Published, *, value: str | None = None) -> float:
    """The Gini coefficient of the value over graded customers (0: all equal; near 1: one customer has it all).

    Computed from the sorted values, ``G = 2 Σ i·x(i) / (n Σ x) − (n + 1) / n``; values
    below zero count as zero.
    """
    name = _value(source, value)
    values = np.sort(source.graded()[name].fillna(0).clip(lower=0).to_numpy(dtype=float))
    n, total = len(values), values.sum()
    if n == 0 or total == 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float(2 * np.sum(ranks * values) / (n * total) - (n + 1) / n)
