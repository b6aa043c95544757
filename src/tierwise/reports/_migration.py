"""How the published grades moved between two publications (or two days): after holds and overrides."""

from __future__ import annotations

import pandas as pd

from ._published import Published

__all__ = ["migration", "migration_summary"]


def _joined(before: Published, after: Published, value: str | None) -> tuple[pd.DataFrame, str | None]:
    if before.standard.id != after.standard.id:
        raise ValueError(
            f"A migration compares one standard on two days; got '{before.standard.id}' and '{after.standard.id}'."
        )
    if before.day >= after.day:
        raise ValueError(f"The first day ({before.day}) must come before the second ({after.day}).")
    name = value or after.value
    if name is not None and (name not in after.frame.columns or not pd.api.types.is_numeric_dtype(after.frame[name])):
        name = None
    left = before.graded()[["customer_id", "grade"]].rename(columns={"grade": "before"})
    right_columns = ["customer_id", "grade", "state", *([name] if name else [])]
    right = after.graded()[right_columns].rename(columns={"grade": "after"})
    return left.merge(right, on="customer_id", how="outer"), name


def migration(before: Published, after: Published, *, value: str | None = None) -> pd.DataFrame:
    """The transition matrix of published grades, one row per (grade before, grade after) that occurs.

    Columns: ``before`` and ``after`` (empty: not graded on that day, an entry or an exit),
    ``customers``, ``value`` (the later day's deciding indicator, summed), ``share``
    (of the customers graded before, for rows with a grade before), ``held`` and
    ``override`` (customers in that cell whose later grade is held by a downgrade grace or
    set by a 特批). Rows follow the grades best first.
    """
    joined, name = _joined(before, after, value)
    order = {g: i for i, g in enumerate(after.standard.grades)}
    joined["value"] = joined[name].fillna(0.0) if name else 0.0
    joined["held"] = joined["state"] == "held"
    joined["override"] = joined["state"] == "override"
    cells = (
        joined.groupby(["before", "after"], dropna=False, sort=False)
        .agg(
            customers=("customer_id", "size"),
            value=("value", "sum"),
            held=("held", "sum"),
            override=("override", "sum"),
        )
        .reset_index()
    )
    counted = cells.groupby("before", dropna=False)["customers"].transform("sum")
    cells["share"] = (cells["customers"] / counted).where(cells["before"].notna())
    cells["_a"] = cells["before"].map(order).fillna(len(order))
    cells["_b"] = cells["after"].map(order).fillna(len(order))
    cells = cells.sort_values(["_a", "_b"], kind="stable").drop(columns=["_a", "_b"])
    for column in ("held", "override"):
        cells[column] = cells[column].astype(int)
    return cells[["before", "after", "customers", "value", "share", "held", "override"]].reset_index(drop=True)


def migration_summary(before: Published, after: Published) -> pd.DataFrame:
    """One row: customers graded on each day, and the upgrade, downgrade, unchanged, entry and exit counts and rates.

    Rates are of the customers graded on both days (entries and exits: of the customers
    graded on the second day and on the first day). ``held`` and ``override`` count the
    later day's customers whose grade a downgrade grace or a 特批 decided.
    """
    joined, _ = _joined(before, after, None)
    order = {g: i for i, g in enumerate(after.standard.grades)}
    both = joined.dropna(subset=["before", "after"])
    rank_a, rank_b = both["before"].map(order), both["after"].map(order)
    up, down = int((rank_b < rank_a).sum()), int((rank_b > rank_a).sum())
    same = len(both) - up - down
    entries, exits = int(joined["before"].isna().sum()), int(joined["after"].isna().sum())
    graded_before, graded_after = int(joined["before"].notna().sum()), int(joined["after"].notna().sum())

    def rate(count: int, base: int) -> float:
        return count / base if base else 0.0

    return pd.DataFrame(
        [
            {
                "before_day": before.day,
                "after_day": after.day,
                "graded_before": graded_before,
                "graded_after": graded_after,
                "upgrades": up,
                "downgrades": down,
                "unchanged": same,
                "entries": entries,
                "exits": exits,
                "upgrade_rate": rate(up, len(both)),
                "downgrade_rate": rate(down, len(both)),
                "entry_rate": rate(entries, graded_after),
                "exit_rate": rate(exits, graded_before),
                "held": int((joined["state"] == "held").sum()),
                "override": int((joined["state"] == "override").sum()),
            }
        ]
    )
