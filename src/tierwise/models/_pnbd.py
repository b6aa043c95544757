"""Pareto/NBD (Schmittlein, Morrison & Colombo 1987): Poisson purchases, exponential lifetimes.

Parameters: ``r``, ``alpha`` (the gamma of purchase rates), ``s``, ``beta`` (the gamma of
drop-out rates). The likelihood follows Fader & Hardie, "A Note on Deriving the
Pareto/NBD Model and Related Expressions" (2005), in logarithms throughout.
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
NAMES = ("r", "alpha", "s", "beta")


def _log_a0(params: Array, x: Array, tx: Array, age: Array) -> Array:
    """log A0 of the note (eq. 19/20): the term of customers who dropped out between t_x and T."""
    r, alpha, s, beta = params
    k = r + s + x
    if alpha >= beta:
        big, second, gap = alpha, s + 1, alpha - beta
    else:
        big, second, gap = beta, r + x, beta - alpha
    at_last = np.log(hyp2f1(k, second, k + 1, gap / (big + tx))) - k * np.log(big + tx)
    at_end = np.log(hyp2f1(k, second, k + 1, gap / (big + age))) - k * np.log(big + age)
    with np.errstate(divide="ignore"):  # t_x == T: nothing between, log 0
        return np.asarray(at_last + np.log1p(-np.exp(np.minimum(at_end - at_last, 0.0))))


def _rows(params: Array, x: Array, tx: Array, age: Array) -> Array:
    r, alpha, s, beta = params
    base = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -(r + x) * np.log(alpha + age) - s * np.log(beta + age)
    dropped = np.log(s) - np.log(r + s + x) + _log_a0(params, x, tx, age)
    return np.asarray(base + np.logaddexp(alive, dropped))


def log_likelihood(params: Array, summary: Summary) -> float:
    """The total log-likelihood of ``params`` (r, alpha, s, beta) over the weighted summary."""
    return float(np.dot(summary.weight, _rows(params, summary.frequency, summary.recency, summary.T)))


def fit(summary: Summary) -> Fit:
    """Fit by maximum likelihood on the (compressed) summary."""
    return fit_purchases("pnbd", log_likelihood, NAMES, summary)


def _array(params: Mapping[str, float]) -> Array:
    return parameters(params, NAMES)


def p_alive(params: Mapping[str, float], summary: Summary) -> Array:
    """The probability that each customer is still active at the end of the calibration period (eq. 18)."""
    p = _array(params)
    r, alpha, s, beta = p
    x, tx, age = summary.frequency, summary.recency, summary.T
    odds = np.log(s) - np.log(r + s + x) + (r + x) * np.log(alpha + age) + s * np.log(beta + age)
    return np.asarray(expit(-(odds + _log_a0(p, x, tx, age))))


def conditional_purchases(params: Mapping[str, float], summary: Summary, t: float | Array) -> Array:
    """Each customer's expected number of purchases in the ``t`` weeks after the calibration period (eq. 22)."""
    r, alpha, s, beta = _array(params)
    x, age = summary.frequency, summary.T
    rate = (r + x) * (beta + age) / ((alpha + age) * (s - 1))
    return np.asarray(rate * (1 - ((beta + age) / (beta + age + t)) ** (s - 1)) * p_alive(params, summary))


def unconditional_purchases(params: Mapping[str, float], t: float | Array) -> Array:
    """The expected number of repeat purchases of a new customer in ``t`` weeks (the tracking curve)."""
    r, alpha, s, beta = _array(params)
    t = np.asarray(t, dtype=np.float64)
    return np.asarray(r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + t)) ** (s - 1)))
