"""Maximum-likelihood fitting shared by every model: the optimiser, standard errors and the result."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize

from ._summary import ModelError

__all__ = ["Fit", "fit_purchases", "maximise", "parameters"]

Array = npt.NDArray[np.float64]
LogLikelihood = Callable[[Array], float]  # the total log-likelihood of the parameters


@dataclass(frozen=True)
class Fit:
    """A fitted model: its parameters with standard errors and the log-likelihood.

    Examples
    --------
    >>> fit = Fit("bgnbd", {"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.4}, {}, -9582.4, 2357)
    >>> fit.params["alpha"], fit.label
    (4.4, 'BG/NBD')
    """

    model: str
    params: Mapping[str, float]
    se: Mapping[str, float]
    log_likelihood: float
    customers: int
    iterations: int = 0
    unit: str = "weeks"
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The model's name as the literature writes it."""
        return LABELS.get(self.model, self.model)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record (stored with a run, read back by :meth:`from_dict`)."""
        return {
            "model": self.model,
            "params": dict(self.params),
            "se": dict(self.se),
            "log_likelihood": self.log_likelihood,
            "customers": self.customers,
            "iterations": self.iterations,
            "unit": self.unit,
            **({"extra": dict(self.extra)} if self.extra else {}),
        }

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> Fit:
        """The fit a :meth:`to_dict` record describes."""
        try:
            return cls(
                str(record["model"]),
                {str(k): float(v) for k, v in record["params"].items()},
                {str(k): float(v) for k, v in record.get("se", {}).items()},
                float(record["log_likelihood"]),
                int(record["customers"]),
                int(record.get("iterations", 0)),
                str(record.get("unit", "weeks")),
                dict(record.get("extra", {})),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelError(f"The stored model fit cannot be read: {exc!r} in {dict(record)!r}.") from exc


LABELS = {"bgnbd": "BG/NBD", "pnbd": "Pareto/NBD", "gammagamma": "Gamma-Gamma"}


def _hessian(f: Callable[[Array], float], x: Array, step: float = 1e-4) -> Array:
    """The matrix of second derivatives of ``f`` at ``x`` by central differences."""
    n = len(x)
    h = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            ei, ej = np.eye(n)[i] * step, np.eye(n)[j] * step
            value = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * step * step)
            h[i, j] = h[j, i] = value
    return h


def maximise(
    model: str,
    log_likelihood: LogLikelihood,
    names: Sequence[str],
    customers: int,
    start: Sequence[float] | None = None,
    max_iterations: int = 2000,
) -> Fit:
    """Fit by maximum likelihood over the logarithms of the (positive) parameters.

    Quasi-Newton (L-BFGS-B) with tight tolerances; Nelder-Mead from its end point when its
    line search stops short. Standard errors come from the inverse Hessian (delta method).

    Raises
    ------
    ModelError
        When the optimiser does not converge or the likelihood is not finite at its result.
    """
    label = LABELS.get(model, model)

    def negative(theta: Array) -> float:
        if not np.all(np.abs(theta) < 30):  # e^30: a parameter running away is a failure, not a number
            return 1e300
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = -log_likelihood(np.exp(theta))
        return value if math.isfinite(value) else 1e300

    x0 = np.log(np.asarray(start if start is not None else [1.0] * len(names), dtype=np.float64))
    best = optimize.minimize(
        negative, x0, method="L-BFGS-B", options={"maxiter": max_iterations, "ftol": 1e-15, "gtol": 1e-9}
    )
    iterations = int(best.nit)
    if not best.success:  # a line search stopped by rounding noise near the optimum: settle it without gradients
        polish = optimize.minimize(
            negative,
            best.x,
            method="Nelder-Mead",
            options={"maxiter": max_iterations, "xatol": 1e-7, "fatol": 1e-9, "adaptive": True},
        )
        iterations += int(polish.nit)
        if not polish.success or polish.fun >= 1e299:
            raise ModelError(
                f"The {label} fit on {customers:,} customers did not converge after {iterations:,} iterations "
                f"({str(polish.message).rstrip('.')}). Check the summary (are most customers' purchases in the "
                f"calibration period?) or fit on a longer calibration period."
            )
        best = polish if polish.fun <= best.fun else best
    if best.fun >= 1e299 or np.any(np.abs(best.x) >= 29):
        raise ModelError(
            f"The {label} fit on {customers:,} customers did not converge: a parameter ran away to "
            f"{np.exp(best.x).max():.3g} after {iterations:,} iterations. Check the summary (are most customers' "
            f"purchases in the calibration period?) or fit on a longer calibration period."
        )
    theta = best.x
    params = np.exp(theta)
    with np.errstate(all="ignore"):
        hessian = _hessian(negative, theta)
        try:
            covariance = np.linalg.inv(hessian)
            variances = np.diag(covariance)
        except np.linalg.LinAlgError:
            variances = np.full(len(names), np.nan)
    se = {n: float(p * math.sqrt(v)) if v > 0 else math.nan for n, p, v in zip(names, params, variances, strict=True)}
    return Fit(
        model, {n: float(p) for n, p in zip(names, params, strict=True)}, se, -float(best.fun), customers, iterations
    )


def parameters(params: Mapping[str, float], names: Sequence[str]) -> Array:
    """The named parameters as an array, in the model's order."""
    return np.array([params[n] for n in names], dtype=np.float64)


def fit_purchases(model: str, log_likelihood: Callable[[Array, Any], float], names: Sequence[str], summary: Any) -> Fit:
    """A purchase model (BG/NBD, Pareto/NBD) fitted on the compressed summary, from all parameters 1."""
    rows = summary.compressed()
    return maximise(model, lambda p: log_likelihood(p, rows), names, summary.customers, start=[1.0] * len(names))
