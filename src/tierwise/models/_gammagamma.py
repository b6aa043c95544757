"""Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV"): the spend per purchase.

Each purchase's spend is gamma(p, nu) with nu gamma(q, gamma) across customers; fitted on
the customers with a repeat purchase, from the mean and number of their repeat purchases.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
from scipy.special import gammaln

from ._fit import Fit, maximise
from ._summary import ModelError, Summary

__all__ = ["NAMES", "expected_spend", "fit", "log_likelihood"]

Array = npt.NDArray[np.float64]
NAMES = ("p", "q", "gamma")


def log_likelihood(params: Array, summary: Summary) -> float:
    """The total log-likelihood of ``params`` (p, q, gamma) over the repeat buyers of the summary."""
    p, q, g = params
    x, m, w = summary.frequency, summary.monetary, summary.weight
    rows = (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(g)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(g + m * x)
    )
    return float(np.dot(w, rows))


def fit(summary: Summary) -> Fit:
    """Fit on the customers of ``summary`` with a repeat purchase and a positive mean spend."""
    repeat = summary.repeat()
    if repeat.customers < 3:
        raise ModelError(
            f"Gamma-Gamma needs customers who bought again with a positive spend; the data has {repeat.customers}."
        )
    return maximise("gammagamma", lambda p: log_likelihood(p, repeat), NAMES, repeat.customers, start=[1.0, 1.0, 1.0])


def expected_spend(params: Mapping[str, float], summary: Summary) -> Array:
    """Each customer's expected spend per purchase given their repeat purchases (eq. 5).

    A customer without a repeat purchase gets the population mean, p * gamma / (q - 1).
    """
    p, q, g = (params[n] for n in NAMES)
    if q <= 1:
        raise ModelError(f"The Gamma-Gamma fit has q = {q:.4g} ≤ 1, so the mean spend is not defined.")
    x, m = summary.frequency, summary.monetary
    return np.asarray(p * (g + m * x) / (p * x + q - 1))
