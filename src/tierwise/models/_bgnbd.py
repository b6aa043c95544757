"""BG/NBD (Fader, Hardie & Lee 2005): purchases while alive are Poisson, dropping out after any purchase.

Parameters: ``r``, ``alpha`` (the gamma of purchase rates), ``a``, ``b`` (the beta of the
drop-out probability). The formulas are those of the paper and of "Computing P(alive)
using the BG/NBD model" (2008).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
from scipy.special import expit, gammaln, hyp2f1

from ._fit import Fit, fit_purchases, parameters
from ._summary import Summary

__all__ = ["NAMES", "conditional_purchases", "fit", "log_likelihood", "p_alive", "unconditional_purchases"]

Array = npt.NDArray[np.float64]
NAMES = ("r", "alpha", "a", "b")


def _rows(params: Array, x: Array, tx: Array, age: Array, levels: tuple[Array, npt.NDArray[np.intp]]) -> Array:
    r, alpha, a, b = params
    lx, index = levels  # the log-gamma terms, once per distinct frequency
    per_level = gammaln(r + lx) - gammaln(r) + r * np.log(alpha) + gammaln(a + b) + gammaln(b + lx) - gammaln(b)
    base = (per_level - gammaln(a + b + lx))[index]
    alive = -(r + x) * np.log(alpha + age)
    repeat = x > 0
    dropped = np.full_like(x, -np.inf)
    xr = x[repeat]
    dropped[repeat] = np.log(a) - np.log(b + xr - 1) - (r + xr) * np.log(alpha + tx[repeat])
    return np.asarray(base + np.logaddexp(alive, dropped))


def log_likelihood(params: Array, summary: Summary) -> float:
    """The total log-likelihood of ``params`` (r, alpha, a, b) over the weighted summary."""
    rows = _rows(params, summary.frequency, summary.recency, summary.T, summary.levels)
    return float(np.dot(summary.weight, rows))


def fit(summary: Summary) -> Fit:
    """Fit by maximum likelihood on the (compressed) summary."""
    return fit_purchases("bgnbd", log_likelihood, NAMES, summary)


def _array(params: Mapping[str, float]) -> Array:
    return parameters(params, NAMES)


def p_alive(params: Mapping[str, float], summary: Summary) -> Array:
    """The probability that each customer is still active at the end of the calibration period."""
    r, alpha, a, b = _array(params)
    x, tx, age = summary.frequency, summary.recency, summary.T
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = (
            np.log(a) - np.log(np.where(x > 0, b + x - 1, 1.0)) + (r + x) * (np.log(alpha + age) - np.log(alpha + tx))
        )
    return np.asarray(np.where(x > 0, expit(-odds), 1.0))


def conditional_purchases(params: Mapping[str, float], summary: Summary, t: float | Array) -> Array:
    """Each customer's expected number of purchases in the ``t`` weeks after the calibration period.

    Written with Euler's transformation of the hypergeometric function, so that it stays
    finite for customers with many purchases.
    """
    r, alpha, a, b = _array(params)
    x, age = summary.frequency, summary.T
    z = t / (alpha + age + t)
    tail = (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
    return np.asarray((a + b + x - 1) / (a - 1) * (1 - tail) * p_alive(params, summary))


def unconditional_purchases(params: Mapping[str, float], t: float | Array) -> Array:
    """The expected number of repeat purchases of a new customer in ``t`` weeks (the tracking curve)."""
    r, alpha, a, b = _array(params)
    t = np.asarray(t, dtype=np.float64)
    z = t / (alpha + t)
    return np.asarray((a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z)))
