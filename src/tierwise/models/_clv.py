"""Predictions from fitted models: P(alive), expected purchases, spend and the discounted CLV."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import ModuleType

import numpy as np
import numpy.typing as npt

from . import _bgnbd, _gammagamma, _pnbd
from ._fit import Fit
from ._summary import ModelError, Summary

__all__ = ["PURCHASE_MODELS", "clv", "predict", "purchase_model"]

Array = npt.NDArray[np.float64]
PURCHASE_MODELS: Mapping[str, ModuleType] = {"bgnbd": _bgnbd, "pnbd": _pnbd}


def purchase_model(name: str) -> ModuleType:
    """The module of a purchase model ('bgnbd' or 'pnbd')."""
    try:
        return PURCHASE_MODELS[name]
    except KeyError:
        raise ModelError(f"There is no purchase model '{name}'; use bgnbd or pnbd.") from None


def clv(purchases: Fit, spend: Fit, summary: Summary, steps: Sequence[float], discount: float = 0.0) -> Array:
    """Each customer's expected value over the periods ending ``steps`` weeks after the calibration period.

    The expected purchases of each period (the difference of the cumulative expectation)
    times the expected spend per purchase, discounted by ``discount`` per period:
    ``sum_k (E[X(t_k)] - E[X(t_k-1)]) * E[M] / (1 + d)^k``, as lifetimes and
    pymc-marketing compute it.
    """
    module = purchase_model(purchases.model)
    value = _gammagamma.expected_spend(spend.params, summary)
    total = np.zeros(len(summary))
    before = np.zeros(len(summary))
    for k, t in enumerate(steps, start=1):
        cumulative = module.conditional_purchases(purchases.params, summary, float(t))
        total += (cumulative - before) / (1 + discount) ** k
        before = cumulative
    return np.asarray(total * value)


def predict(
    output: str,
    summary: Summary,
    purchases: Fit | None = None,
    spend: Fit | None = None,
    steps: Sequence[float] = (),
    discount: float = 0.0,
) -> Array:
    """One of 'p_alive', 'purchases' (in ``steps[-1]`` weeks), 'spend' or 'clv' for every customer."""
    if output == "spend":
        if spend is None:
            raise ModelError("Predicting 'spend' needs a Gamma-Gamma fit.")
        return _gammagamma.expected_spend(spend.params, summary)
    if purchases is None:
        raise ModelError(f"Predicting '{output}' needs a BG/NBD or Pareto/NBD fit.")
    module = purchase_model(purchases.model)
    if output == "p_alive":
        return np.asarray(module.p_alive(purchases.params, summary))
    if not steps:
        raise ModelError(f"Predicting '{output}' needs a horizon.")
    if output == "purchases":
        return np.asarray(module.conditional_purchases(purchases.params, summary, float(steps[-1])))
    if output == "clv":
        if spend is None:
            raise ModelError("Predicting 'clv' needs a Gamma-Gamma fit besides the purchase model.")
        return clv(purchases, spend, summary, steps, discount)
    raise ModelError(f"There is no prediction '{output}'; use p_alive, purchases, spend or clv.")
