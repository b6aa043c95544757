"""The tables the grading policies lay out: 客户分级表, special terms, 客户区域分析表, 客户销售分析表, entitlements."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from tierwise._sql import ident, qualified
from tierwise.spec import add_duration, parse_duration
from tierwise.workspace import Workspace, data_columns

from ._distribution import _by, _value
from ._published import Published

__all__ = ["entitlements", "grade_list", "region_analysis", "sales_pivot", "special_terms"]

_ATTRIBUTES = ("name", "region", "industry", "type")


def grade_list(source: Published, *, grades: Sequence[str] | None = None) -> pd.DataFrame:
    """客户分级表: the customers of each grade (best first, then by value, largest first).

    Columns: ``grade``, ``customer_id``, the customer's ``name``, ``region``, ``industry``
    and ``type`` where the customers table has them, ``state``, every indicator of the
    standard, ``reason``. ``grades`` keeps only those (``["A"]`` is the A list).
    """
    graded = source.graded()
    order = {g: i for i, g in enumerate(source.standard.grades)}
    unknown = [g for g in grades or () if g not in order]
    if unknown:
        raise ValueError(
            f"The standard '{source.standard.id}' has no grade {', '.join(unknown)}; "
            f"its grades are {', '.join(source.standard.grades)}."
        )
    if grades:
        graded = graded[graded["grade"].isin(list(grades))]
    value = source.value
    frame = graded.assign(_order=graded["grade"].map(order))
    keys, ascending = ["_order"], [True]
    if value is not None and pd.api.types.is_numeric_dtype(frame[value]):
        keys, ascending = [*keys, value], [*ascending, False]
    frame = frame.sort_values([*keys, "customer_id"], ascending=[*ascending, True], kind="stable")
    columns = [
        "grade",
        "customer_id",
        *(c for c in _ATTRIBUTES if c in frame.columns),
        "state",
        *source.standard.indicators,
        "reason",
    ]
    return frame[list(dict.fromkeys(columns))].reset_index(drop=True)


def special_terms(workspace: Workspace, source: Published) -> pd.DataFrame:
    """Customers on special terms (特批) on the report's day: approved overrides still in force.

    Columns: ``customer_id``, ``name`` (when known), ``grade`` (the granted one),
    ``evaluated`` (the standard's), ``until`` (the last day, empty for no end),
    ``requested_by``, ``decided_by``, ``why`` (the request's reason).
    """
    with workspace.reading() as con:
        requests = con.execute(
            "SELECT customer_id, requested_by, decided_by, why AS request_why, decided_at FROM requests "
            "WHERE kind = 'override' AND status IN ('approved', 'expired') AND standard_id = ?",
            [source.standard.id],
        ).df()
    held = source.frame[source.frame["state"] == "override"]
    latest = requests.sort_values("decided_at").drop_duplicates("customer_id", keep="last")
    frame = held.merge(latest, on="customer_id", how="left")
    columns = ["customer_id", *(["name"] if "name" in frame.columns else []), "grade", "evaluated", "until"]
    out = frame[[*columns, "requested_by", "decided_by", "request_why"]].rename(columns={"request_why": "why"})
    return out.sort_values("customer_id").reset_index(drop=True)


def region_analysis(source: Published, *, by: str = "region", value: str | None = None) -> pd.DataFrame:
    """客户区域分析表: per region and grade, the customers, their share of all customers and of the region's value.

    Columns: ``by`` (region), ``grade``, ``customers``, ``share_of_customers`` (of all
    graded customers, every region), ``share_in_region`` (of the region's customers),
    ``value``, ``share_of_region_value`` (of the region's value), and, on the region's
    total row (``grade`` = 合计), the region's totals.
    """
    name = _value(source, value)
    (key,) = _by(source, [by])
    graded = source.graded()
    everyone = len(graded)
    rows = []
    for region, part in graded.groupby(key, dropna=False, sort=True):
        region_value = float(part[name].fillna(0).sum())
        for grade in [*source.standard.grades, "合计"]:
            members = part if grade == "合计" else part[part["grade"] == grade]
            amount = float(members[name].fillna(0).sum())
            rows.append(
                {
                    key: region,
                    "grade": grade,
                    "customers": len(members),
                    "share_of_customers": len(members) / everyone if everyone else 0.0,
                    "share_in_region": len(members) / len(part) if len(part) else 0.0,
                    "value": amount,
                    "share_of_region_value": amount / region_value if region_value else 0.0,
                }
            )
    return pd.DataFrame(rows)


def sales_pivot(
    workspace: Workspace,
    source: Published,
    *,
    by: str = "product",
    months: int = 12,
    amount: str = "amount",
    table: str = "transactions",
) -> pd.DataFrame:
    """客户销售分析表: each customer's sales per product over the ``months`` up to the report's day, with totals.

    Columns: ``customer_id``, ``name`` (when known), ``grade``, one column per product
    (largest total first), ``合计``; the last row, ``合计``, totals every column. Customers
    are ordered by grade (best first), then by their total.
    """
    start = add_duration(source.day, parse_duration(f"{months} months"), -1)
    with workspace.reading() as con:
        names = data_columns(con, table)
        missing = [c for c in ("customer_id", "date", by, amount) if c not in names]
        if missing:
            raise ValueError(
                f"The table '{table}' has no column {', '.join(missing)} for the sales analysis "
                f"(it has {', '.join(sorted(names)) or 'no columns'})."
            )
        sales = con.execute(
            f"SELECT CAST(customer_id AS VARCHAR) AS customer_id, CAST({ident(by)} AS VARCHAR) AS item, "
            f"sum(CAST({ident(amount)} AS DECIMAL(38, 6))) AS total FROM {qualified('data', table)} "
            "WHERE date > ? AND date <= ? GROUP BY ALL",
            [start, source.day],
        ).df()
    sales["total"] = sales["total"].astype(float)
    pivot = sales.pivot_table(index="customer_id", columns="item", values="total", aggfunc="sum", fill_value=0.0)
    pivot = pivot[pivot.sum().sort_values(ascending=False).index]
    pivot.columns = [str(c) for c in pivot.columns]
    pivot["合计"] = pivot.sum(axis=1)
    graded = source.graded()
    keep = ["customer_id", *(["name"] if "name" in graded.columns else []), "grade"]
    frame = (
        graded[keep].merge(pivot.reset_index(), on="customer_id", how="left").fillna(dict.fromkeys(pivot.columns, 0.0))
    )
    order = {g: i for i, g in enumerate(source.standard.grades)}
    frame = frame.assign(_order=frame["grade"].map(order)).sort_values(
        ["_order", "合计", "customer_id"], ascending=[True, False, True], kind="stable"
    )
    frame = frame.drop(columns="_order").reset_index(drop=True)
    totals = {"customer_id": "合计", **{c: float(frame[c].sum()) for c in pivot.columns}}
    return pd.concat([frame, pd.DataFrame([totals])], ignore_index=True)


def entitlements(source: Published) -> pd.DataFrame:
    """Who is entitled to what: the standard's ``policies`` for each grade and how many customers hold it.

    Columns: ``grade``, ``entitlement`` (客户经理, 拜访频率 …), ``value``, ``customers``
    (graded customers holding the grade). Empty when the standard sets no policies.
    """
    policies = source.standard.policies or {}
    counts = source.graded()["grade"].value_counts()
    rows = [
        {"grade": grade, "entitlement": key, "value": str(item), "customers": int(counts.get(grade, 0))}
        for grade in source.standard.grades
        for key, item in (policies.get(grade) or {}).items()
    ]
    return pd.DataFrame(rows, columns=["grade", "entitlement", "value", "customers"])
