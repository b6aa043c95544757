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
    x, w = summary.frequency, summary.weight
    lx, index = summary.levels  # the log-gamma terms, once per distinct frequency
    per_level = (gammaln(p * lx + q) - gammaln(p * lx) - gammaln(q) + q * np.log(g))[index]
    log_m, log_x, mx = _constants(summary)
    rows = per_level + (p * x - 1) * log_m + p * x * log_x - (p * x + q) * np.log(g + mx)
    return float(np.dot(w, rows))


def _constants(summary: Summary) -> tuple[Array, Array, Array]:
    """log m, log x and m * x of the repeat buyers (computed once per summary)."""
    cached = summary.__dict__.get("_tw_gamma_constants")
    if cached is None:
        x, m = summary.frequency, summary.monetary
        cached = (np.log(m), np.log(x), m * x)
        summary.__dict__["_tw_gamma_constants"] = cached
    return cached  # type: ignore[no-any-return]


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
