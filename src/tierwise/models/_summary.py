"""The RFM summary a customer-base model is fitted on, one row per customer.

The conventions are those of lifetimes and pymc-marketing (and BTYD): purchases on the
same day are one purchase; ``frequency`` counts the *repeat* purchase days (the first
purchase is not counted); ``recency`` is the time from the first to the last purchase;
``T`` the time from the first purchase to the end of the calibration period;
``monetary`` the mean spend of the repeat purchases (0 without one). Times are in weeks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["ModelError", "Summary"]

Array = npt.NDArray[np.float64]


class ModelError(ValueError):
    """A model that cannot be fitted or applied: bad summary data, or a fit that does not converge."""


def _array(name: str, values: Any) -> Array:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"The summary's '{name}' must be numbers: {exc}.") from exc
    if array.ndim != 1:
        raise ModelError(f"The summary's '{name}' must be one value per customer. Got shape {array.shape} instead.")
    return array


@dataclass(frozen=True, eq=False)
class Summary:
    """Per-customer frequency, recency, T and monetary value (see the module docstring).

    ``weight`` counts the customers a row stands for (1 each, or more after
    :meth:`compressed`); ``ids`` are the customer ids, when known.

    Examples
    --------
    >>> s = Summary.of(frequency=[2, 0], recency=[30.4, 0], T=[38.9, 38.9], monetary=[20.5, 0])
    >>> s.customers, s.repeat_buyers
    (2, 1)
    """

    frequency: Array
    recency: Array
    T: Array
    monetary: Array
    weight: Array
    ids: tuple[str, ...] | None = None

    @classmethod
    def of(
        cls,
        frequency: Any,
        recency: Any,
        T: Any,
        monetary: Any | None = None,
        ids: Sequence[Any] | None = None,
    ) -> Summary:
        """A checked summary: every problem of the data is reported at once, with examples."""
        x, tx, age = _array("frequency", frequency), _array("recency", recency), _array("T", T)
        m = _array("monetary", monetary) if monetary is not None else np.zeros_like(x)
        if not (len(x) == len(tx) == len(age) == len(m)):
            raise ModelError(
                f"The summary's columns differ in length: frequency {len(x)}, recency {len(tx)}, T {len(age)}, "
                f"monetary {len(m)}."
            )
        names = tuple(str(i) for i in ids) if ids is not None else None
        checks = [
            (
                ~np.isfinite(x) | ~np.isfinite(tx) | ~np.isfinite(age) | ~np.isfinite(m),
                "have a missing or infinite value",
            ),
            ((x < 0) | (x != np.floor(x)), "have a frequency that is not a whole number of at least 0"),
            ((tx < 0) | (age < 0), "have a negative recency or T"),
            (tx > age + 1e-9, "have a recency greater than T (a purchase after the end of the calibration period)"),
            ((x == 0) & (tx > 0), "have no repeat purchase but a recency above 0"),
            (m < 0, "have a negative mean spend"),
        ]
        problems = []
        for bad, what in checks:
            count = int(np.count_nonzero(bad))
            if count:
                where = np.flatnonzero(bad)[:3]
                examples = ", ".join(names[i] if names else f"row {i + 1}" for i in where)
                problems.append(f"{count:,} customers {what} (for example {examples})")
        if problems:
            raise ModelError("The RFM summary cannot be used: " + "; ".join(problems) + ".")
        return cls(x, tx, age, m, np.ones_like(x), names)

    @property
    def customers(self) -> int:
        """How many customers the summary describes."""
        return round(float(self.weight.sum()))

    @property
    def repeat_buyers(self) -> int:
        """How many of them bought again after their first purchase."""
        return round(float(self.weight[self.frequency > 0].sum()))

    def __len__(self) -> int:
        return len(self.frequency)

    @cached_property
    def levels(self) -> tuple[Array, npt.NDArray[np.intp]]:
        """The distinct frequencies and each row's index among them: terms that depend on the frequency
        alone (the log-gamma functions of the likelihoods) are computed once per level."""
        values, inverse = np.unique(self.frequency, return_inverse=True)
        return values.astype(np.float64), inverse.ravel()

    def compressed(self) -> Summary:
        """One row per distinct (frequency, recency, T), weighted by its customers (for fitting)."""
        keys = np.stack([self.frequency, self.recency, self.T], axis=1)
        unique, inverse = np.unique(keys, axis=0, return_inverse=True)
        weight = np.bincount(inverse.ravel(), weights=self.weight, minlength=len(unique)).astype(np.float64)
        return Summary(unique[:, 0], unique[:, 1], unique[:, 2], np.zeros(len(unique)), weight)

    def repeat(self) -> Summary:
        """The customers with a repeat purchase and a positive mean spend (what Gamma-Gamma fits on)."""
        keep = (self.frequency > 0) & (self.monetary > 0)
        ids = tuple(i for i, k in zip(self.ids, keep, strict=True) if k) if self.ids else None
        return Summary(
            self.frequency[keep], self.recency[keep], self.T[keep], self.monetary[keep], self.weight[keep], ids
        )
